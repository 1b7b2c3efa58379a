"""Upkeep of the regional picture's summary tables, in the transaction that changes what they
sum up (an assessment completed, a consent given, changed, withdrawn or erased):

- `regional_clusters`: one row per consenting cluster with its latest own assessment and the
  first one's step, so the regional view reads one row a cluster instead of every assessment;
- `regional_answers`: per step, how many of those clusters are there and gave each answer,
  so the peers line reads a few dozen rows however many clusters share.

A cluster's counts are taken out before its row changes or goes (`forget_cluster`), so the
counts are always those of the rows."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.storage.aio import AsyncConnection
from bot.storage.schema import (
    assessments,
    regional_answers,
    regional_clusters,
    regional_consents,
)

Key = tuple[int, str, str]  # position, question id, answer id ("", "": the clusters there)


def contribution(position: int | None, answers: dict[str, str]) -> Counter[Key]:
    """What one cluster adds to `regional_answers` (nothing at the journey's end)."""
    if position is None:
        return Counter()
    return Counter([(position, "", ""), *((position, q, a) for q, a in answers.items())])


def _insert(conn: AsyncConnection, table: sa.Table) -> Any:
    return (sqlite_insert if conn.dialect.name == "sqlite" else postgresql_insert)(table)


async def _add(conn: AsyncConnection, change: Counter[Key]) -> None:
    """Add `change` to the counts, in one statement (in key order, so that two replicas'
    transactions lock the rows they share in the same order)."""
    rows = [
        {"position": p, "question_id": q, "answer_id": a, "clusters": n}
        for (p, q, a), n in sorted(change.items())
        if n
    ]
    if not rows:
        return
    insert = _insert(conn, regional_answers)
    await conn.execute(
        insert.on_conflict_do_update(
            index_elements=["position", "question_id", "answer_id"],
            set_={"clusters": regional_answers.c.clusters + insert.excluded.clusters},
        ),
        rows,
    )


async def _row(conn: AsyncConnection, user_id: str) -> Any:
    return (
        await conn.execute(
            sa.select(regional_clusters.c.position, regional_clusters.c.answers).where(
                regional_clusters.c.user_id == user_id
            )
        )
    ).first()


async def forget_cluster(conn: AsyncConnection, user_id: str) -> None:
    """Take the user's cluster out of the counts and drop its row (before the consent goes)."""
    row = await _row(conn, user_id)
    if row is None:
        return
    gone = Counter[Key]()
    gone.subtract(contribution(row.position, json.loads(row.answers)))
    await _add(conn, gone)
    await conn.execute(regional_clusters.delete().where(regional_clusters.c.user_id == user_id))


async def refresh_cluster(conn: AsyncConnection, user_id: str) -> None:
    """Rewrite the user's row from their consent and own assessments (a team's stay out);
    nothing for a user who has not consented, and no row while they have no assessment."""
    consent = (
        await conn.execute(
            sa.select(regional_consents.c.region, regional_consents.c.field).where(
                regional_consents.c.user_id == user_id
            )
        )
    ).first()
    if consent is None:
        return
    own = (
        await conn.execute(
            sa.select(
                assessments.c.position,
                assessments.c.answers,
                assessments.c.percents,
                assessments.c.completed,
            )
            .where(assessments.c.user_id == user_id, assessments.c.team_id.is_(None))
            .order_by(assessments.c.completed, assessments.c.id)
        )
    ).all()
    if not own:
        await forget_cluster(conn, user_id)
        return
    latest = own[-1]
    answers = {question: value[0] for question, value in json.loads(latest.answers).items()}
    before = await _row(conn, user_id)
    change = contribution(latest.position, answers)
    if before is not None:
        change.subtract(contribution(before.position, json.loads(before.answers)))
    await _add(conn, change)
    values = {
        "region": consent.region,
        "field": consent.field,
        "position": latest.position,
        "answers": json.dumps(answers, separators=(",", ":"), ensure_ascii=False),
        "percents": latest.percents,
        "completed": latest.completed,
        "first_position": own[0].position,
        "assessed": len(own),
    }
    insert = _insert(conn, regional_clusters)
    await conn.execute(
        insert.values(user_id=user_id, **values).on_conflict_do_update(
            index_elements=["user_id"], set_=values
        )
    )
