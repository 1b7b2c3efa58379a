"""Upkeep of the regional picture's summary tables, in the transaction that changes what they
sum up (an assessment completed, a consent given, changed, withdrawn or erased):

- `regional_clusters`: one row per consenting cluster with its latest own assessment and the
  first one's step, so the regional view reads one row a cluster instead of every assessment;
- `regional_answers`: per step, how many of those clusters are there and gave each answer,
  so the peers line reads a few dozen rows however many clusters share;
- `regional_cells`: per region and field, those clusters counted (`ClusterCounts`: at each
  step, with each answer, moved from which step to which), so the regional view reads a row
  per region and field, a few hundred at most, however many clusters share.

A cluster's counts are taken out before its row changes or goes (`forget_cluster`), so the
counts are always those of the rows."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.storage.aio import AsyncConnection
from bot.storage.schema import (
    assessments,
    regional_answers,
    regional_cells,
    regional_clusters,
    regional_consents,
)
from flows.regional.port import ClusterCounts

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


def encode(cell: ClusterCounts) -> str:
    """A region and field's counts as `regional_cells.counts` keeps them."""
    return json.dumps(
        {
            "p": sorted(cell.positions.items(), key=str),
            "a": cell.answers,
            "m": sorted(([*move, n] for move, n in cell.moves.items()), key=str),
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )


def decode(region: str, field: str, clusters: int, counts: str) -> ClusterCounts:
    data = json.loads(counts)
    return ClusterCounts(
        region,
        field,
        clusters,
        {position: n for position, n in data.get("p", ())},
        data.get("a", {}),
        {(first, latest): n for first, latest, n in data.get("m", ())},
    )


Counted = tuple[str, str, int | None, Mapping[str, str], int | None, int]  # a cluster's row


async def _recount(conn: AsyncConnection, gone: Counted | None, new: Counted | None) -> None:
    """Take a cluster's old row out of its region and field's counts and add its new one, in
    region and field order (two replicas lock the rows they share in the same order); a count
    that drops to no cluster goes."""
    changes: dict[tuple[str, str], list[tuple[int, Counted]]] = {}
    for sign, row in ((-1, gone), (1, new)):
        if row is not None:
            changes.setdefault((row[0], row[1]), []).append((sign, row))
    cells = regional_cells.c
    for region, field in sorted(changes):
        where = (cells.region == region, cells.field == field)
        query = sa.select(cells.clusters, cells.counts).where(*where).with_for_update()
        stored = (await conn.execute(query)).first()
        if stored is None:
            await conn.execute(
                _insert(conn, regional_cells)
                .values(region=region, field=field, clusters=0, counts="{}")
                .on_conflict_do_nothing(index_elements=["region", "field"])
            )
            stored = (await conn.execute(query)).one()
        cell = decode(region, field, stored.clusters, stored.counts)
        for sign, (_r, _f, position, answers, first_position, assessed) in changes[(region, field)]:
            cell.count(position, answers, first_position, assessed, sign)
        if cell.clusters <= 0:
            await conn.execute(regional_cells.delete().where(*where))
        else:
            await conn.execute(
                regional_cells.update()
                .where(*where)
                .values(clusters=cell.clusters, counts=encode(cell))
            )


async def _row(conn: AsyncConnection, user_id: str) -> Any:
    rc = regional_clusters.c
    return (
        await conn.execute(
            sa.select(
                rc.region, rc.field, rc.position, rc.answers, rc.first_position, rc.assessed
            ).where(rc.user_id == user_id)
        )
    ).first()


def _counted(row: Any) -> Counted:
    return (
        row.region,
        row.field,
        row.position,
        json.loads(row.answers),
        row.first_position,
        row.assessed,
    )


async def forget_cluster(conn: AsyncConnection, user_id: str) -> None:
    """Take the user's cluster out of the counts and drop its row (before the consent goes)."""
    row = await _row(conn, user_id)
    if row is None:
        return
    gone = Counter[Key]()
    gone.subtract(contribution(row.position, json.loads(row.answers)))
    await _add(conn, gone)
    await _recount(conn, _counted(row), None)
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
    await _recount(
        conn,
        None if before is None else _counted(before),
        (consent.region, consent.field, latest.position, answers, own[0].position, len(own)),
    )
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
