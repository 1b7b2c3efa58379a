"""Upkeep of `regional_clusters`, the regional picture's summary table: one row per consenting
cluster with its latest own assessment and the first one's step, rewritten in the transaction
that changes either (an assessment completed, a consent given or changed), so the peers line
and the regional view read one row a cluster instead of every assessment. The row goes with
the consent (a foreign key that cascades: withdrawal, `/delete`, retention)."""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.storage.aio import AsyncConnection
from bot.storage.schema import assessments, regional_clusters, regional_consents


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
        await conn.execute(regional_clusters.delete().where(regional_clusters.c.user_id == user_id))
        return
    latest = own[-1]
    values = {
        "region": consent.region,
        "field": consent.field,
        "position": latest.position,
        "answers": json.dumps(
            {question: value[0] for question, value in json.loads(latest.answers).items()},
            separators=(",", ":"),
            ensure_ascii=False,
        ),
        "percents": latest.percents,
        "completed": latest.completed,
        "first_position": own[0].position,
        "assessed": len(own),
    }
    insert = (sqlite_insert if conn.dialect.name == "sqlite" else postgresql_insert)(
        regional_clusters
    )
    await conn.execute(
        insert.values(user_id=user_id, **values).on_conflict_do_update(
            index_elements=["user_id"], set_=values
        )
    )
