"""The regional picture's tables: consents, the consenting clusters' own assessments (read
without who made them), the support asked for in their workshops, and the observers' links.

Nothing here is read for anyone who has not consented: every query starts from
`regional_consents`, which `/privacy` withdraws and `/delete` erases."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from bot.storage.aio import AsyncConnection
from bot.storage.clusters import decode, forget_cluster, refresh_cluster
from bot.storage.database import Storage
from bot.storage.personal_data import Holding, delete_where, rows_where
from bot.storage.schema import (
    observers,
    regional_answers,
    regional_cells,
    regional_clusters,
    regional_consents,
    workshop_answers,
    workshops,
)
from flows.regional.port import (
    ClusterCounts,
    ConsentInfo,
    SharedAssessment,
    SharedCluster,
    StepPeers,
)
from flows.regional.view import SupportAnswer


def _cluster_filters(region: str | None, field: str | None) -> list[Any]:
    conditions = []
    if region:
        conditions.append(regional_clusters.c.region == region)
    if field:
        conditions.append(regional_clusters.c.field == field)
    return conditions


def _filters(region: str | None, field: str | None) -> list[Any]:
    conditions = []
    if region:
        conditions.append(regional_consents.c.region == region)
    if field:
        conditions.append(regional_consents.c.field == field)
    return conditions


# --- observers: the operators' access links to the regional view -------------------------------


@dataclass(frozen=True)
class CountsRead:
    """The consenting clusters counted per region and field, as read (`rows`: region, field,
    clusters, counts as stored): equal reads are equal counts, so what is drawn from one
    can be kept until a read differs."""

    rows: tuple[tuple[str, str, int, str], ...]

    def cells(self) -> list[ClusterCounts]:
        return [decode(*row) for row in self.rows]


@dataclass(frozen=True)
class Observer:
    id: int
    region: str | None  # None: every region
    label: str
    created: float
    revoked: bool


class RegionalStore:
    """The flows' `Regional` port on the database, and the regional view's reads, bound to
    one storage."""

    def __init__(
        self, storage: Storage, user_row: Callable[[], Awaitable[None]] | None = None
    ) -> None:
        self.storage = storage
        self.user_row = user_row  # writes the event's new user first (rows refer to theirs)

    async def consent(self, user_id: str) -> ConsentInfo | None:
        async with self.storage.transaction() as conn:
            row = (
                await conn.execute(
                    sa.select(regional_consents).where(regional_consents.c.user_id == user_id)
                )
            ).first()
        return ConsentInfo(row.region, row.field, row.consented) if row is not None else None

    async def give(self, user_id: str, region: str, field: str, now: float) -> None:
        if self.user_row is not None:
            await self.user_row()
        async with self.storage.transaction() as conn:
            changed = await conn.execute(
                regional_consents.update()
                .where(regional_consents.c.user_id == user_id)
                .values(region=region, field=field, consented=now)
            )
            if not changed.rowcount:
                await conn.execute(
                    regional_consents.insert().values(
                        user_id=user_id, region=region, field=field, consented=now
                    )
                )
            await refresh_cluster(conn, user_id)

    async def withdraw(self, user_id: str) -> bool:
        async with self.storage.transaction() as conn:
            await forget_cluster(conn, user_id)
            gone = await conn.execute(
                regional_consents.delete().where(regional_consents.c.user_id == user_id)
            )
        return bool(gone.rowcount)

    async def step_peers(self, exclude: str, position: int) -> StepPeers:
        """The counts of the clusters at the step, less the asker's own (two small reads,
        whatever the number of clusters)."""
        counts = regional_answers.c
        async with self.storage.transaction() as conn:
            rows = (
                await conn.execute(
                    sa.select(counts.question_id, counts.answer_id, counts.clusters).where(
                        counts.position == position, counts.clusters > 0
                    )
                )
            ).all()
            own = (
                await conn.execute(
                    sa.select(regional_clusters.c.position, regional_clusters.c.answers).where(
                        regional_clusters.c.user_id == exclude
                    )
                )
            ).first()
        clusters, answers = 0, dict[str, dict[str, int]]()
        for row in rows:
            if row.question_id == "":
                clusters = row.clusters
            else:
                answers.setdefault(row.question_id, {})[row.answer_id] = row.clusters
        if own is not None and own.position == position:  # "the other clusters"
            clusters -= 1
            for question, answer in json.loads(own.answers).items():
                answers[question][answer] -= 1
        return StepPeers(clusters, answers)

    async def peers(self, exclude: str, position: int | None = None) -> list[SharedCluster]:
        return await self.shared_clusters(exclude=exclude, latest_only=True, position=position)

    async def shared_clusters(
        self,
        region: str | None = None,
        field: str | None = None,
        exclude: str | None = None,
        latest_only: bool = False,
        position: int | None = None,
    ) -> list[SharedCluster]:
        """The consenting clusters (one per consenting user) with their first and latest own
        assessments, oldest first (`latest_only`: the latest alone, all a peers line needs;
        `position`: only clusters whose latest is at that step); a team's assessments are the
        team's, not the user's, and stay out. One row a cluster, from `regional_clusters`;
        of the first assessment only its step is kept (the view's change between the two)."""
        rc = regional_clusters.c
        query = sa.select(regional_clusters).where(*_cluster_filters(region, field))
        if exclude is not None:
            query = query.where(rc.user_id != exclude)
        if position is not None:
            query = query.where(rc.position == position)
        async with self.storage.transaction() as conn:
            rows = (await conn.execute(query)).all()
        clusters = []
        for row in rows:
            latest = SharedAssessment(
                answers=json.loads(row.answers),
                percents=tuple(json.loads(row.percents)),
                position=row.position,
                completed=row.completed,
            )
            first = SharedAssessment({}, (), row.first_position, float("-inf"))
            history = (latest,) if latest_only or row.assessed < 2 else (first, latest)
            clusters.append(SharedCluster(row.region, row.field, history))
        # the order of the clusters says nothing about who they are
        return sorted(clusters, key=lambda c: (c.region, c.field, c.assessments[-1].completed))

    async def shared_counts(self, region: str | None = None) -> CountsRead:
        """The consenting clusters counted per region and field (`regional_cells`, one row
        each, a few hundred at most however many clusters share), of `region` or all."""
        cells = regional_cells.c
        query = sa.select(cells.region, cells.field, cells.clusters, cells.counts)
        if region:
            query = query.where(cells.region == region)
        async with self.storage.transaction() as conn:
            rows = (await conn.execute(query.order_by(cells.region, cells.field))).all()
        return CountsRead(tuple((r.region, r.field, r.clusters, r.counts) for r in rows))

    async def shared_support(
        self, region: str | None = None, field: str | None = None
    ) -> list[SupportAnswer]:
        """The answers in workshops whose facilitator consented, each participant's coded kinds
        and sources of support (their own words never leave the workshop), with the
        facilitator's region and field and a number that tells facilitators apart."""
        query = (
            sa.select(
                workshops.c.owner,
                regional_consents.c.region,
                regional_consents.c.field,
                workshop_answers.c.kinds,
                workshop_answers.c.sources,
            )
            .join(workshops, workshops.c.id == workshop_answers.c.workshop_id)
            .join(regional_consents, regional_consents.c.user_id == workshops.c.owner)
            .where(*_filters(region, field))
            .order_by(workshops.c.owner, workshop_answers.c.workshop_id)
        )
        async with self.storage.transaction() as conn:
            rows = (await conn.execute(query)).all()
        numbers: dict[str, int] = {}
        return [
            SupportAnswer(
                numbers.setdefault(row.owner, len(numbers)),
                row.region,
                row.field,
                frozenset(json.loads(row.kinds)),
                frozenset(json.loads(row.sources)),
            )
            for row in rows
        ]

    async def create_observer(self, region: str | None, label: str, now: float) -> Observer:
        async with self.storage.transaction() as conn:
            result = await conn.execute(
                observers.insert().values(region=region, label=label, created=now, revoked=False)
            )
            primary_key = result.inserted_primary_key
            assert primary_key is not None
        return Observer(int(primary_key[0]), region, label, now, False)

    async def observer(self, observer_id: int) -> Observer | None:
        async with self.storage.transaction() as conn:
            row = (
                await conn.execute(sa.select(observers).where(observers.c.id == observer_id))
            ).first()
        return (
            Observer(row.id, row.region, row.label, row.created, bool(row.revoked)) if row else None
        )

    async def all_observers(self) -> list[Observer]:
        async with self.storage.transaction() as conn:
            rows = (await conn.execute(sa.select(observers).order_by(observers.c.id))).all()
        return [Observer(r.id, r.region, r.label, r.created, bool(r.revoked)) for r in rows]

    async def revoke_observer(self, observer_id: int) -> bool:
        async with self.storage.transaction() as conn:
            changed = await conn.execute(
                observers.update()
                .where(observers.c.id == observer_id, observers.c.revoked.is_(False))
                .values(revoked=True)
            )
        return bool(changed.rowcount)


async def _erase_consent(conn: AsyncConnection, user_id: str) -> int:
    """The consent, after its cluster has left the peers line's counts."""
    await forget_cluster(conn, user_id)
    return await delete_where(regional_consents, "user_id")(conn, user_id)


PERSONAL_DATA = (
    Holding(
        "regional_consent",
        regional_consents,
        ("user_id",),
        _erase_consent,
        rows_where(regional_consents, "user_id"),
    ),
    # the summary the regional picture reads; erasing the consent has cascaded to it already
    Holding(
        "regional_consent",
        regional_clusters,
        ("user_id",),
        delete_where(regional_clusters, "user_id"),
        rows_where(regional_clusters, "user_id"),
    ),
)
