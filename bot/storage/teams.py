"""The team tables: a cluster's team (its invitation, owner and switches) and its members.
A member's answers are their assessments stored with the team's id (`assessments.team_id`);
only current members' count, each with their latest."""

from __future__ import annotations

import json
import secrets
from typing import Any

import sqlalchemy as sa

from bot.storage.aio import AsyncConnection
from bot.storage.database import Storage
from bot.storage.personal_data import Holding, delete_where, rows_where
from bot.storage.schema import assessments, team_members, teams
from flows.team.port import TeamAnswer, TeamInfo, TeamMember


def _row(row: Any) -> TeamInfo | None:
    if row is None:
        return None
    return TeamInfo(
        row.id,
        row.invite,
        row.owner,
        row.cluster,
        bool(row.members_see_team),
        bool(row.closed),
        row.created,
    )


class TeamStore:
    """The flows' `Teams` port on the database, bound to one storage (an event's connection)."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    async def create(self, owner: str, cluster: str, now: float) -> TeamInfo:
        """A new open team; its creator owns it and is its first member."""
        async with self.storage.transaction() as conn:
            result = await conn.execute(
                teams.insert().values(
                    invite=secrets.token_hex(6),
                    owner=owner,
                    cluster=cluster,
                    members_see_team=False,
                    closed=False,
                    created=now,
                )
            )
            primary_key = result.inserted_primary_key
            assert primary_key is not None
            team_id = int(primary_key[0])
            await conn.execute(
                team_members.insert().values(team_id=team_id, user_id=owner, joined=now)
            )
        found = await self.get(team_id)
        assert found is not None
        return found

    async def _one(self, condition: Any) -> TeamInfo | None:
        async with self.storage.transaction() as conn:
            return _row((await conn.execute(sa.select(teams).where(condition))).first())

    async def get(self, team_id: int) -> TeamInfo | None:
        return await self._one(teams.c.id == team_id)

    async def by_invite(self, invite: str) -> TeamInfo | None:
        return await self._one(teams.c.invite == invite)

    async def of_member(self, user_id: str) -> list[TeamInfo]:
        query = (
            sa.select(teams)
            .join(team_members, team_members.c.team_id == teams.c.id)
            .where(team_members.c.user_id == user_id)
            .order_by(team_members.c.joined.desc(), teams.c.id.desc())
        )
        async with self.storage.transaction() as conn:
            rows = (await conn.execute(query)).all()
        return [t for t in map(_row, rows) if t is not None]

    async def members(self, team_id: int) -> list[TeamMember]:
        query = (
            sa.select(team_members.c.user_id, team_members.c.joined)
            .where(team_members.c.team_id == team_id)
            .order_by(team_members.c.joined, team_members.c.user_id)
        )
        async with self.storage.transaction() as conn:
            rows = (await conn.execute(query)).all()
        return [TeamMember(row.user_id, row.joined) for row in rows]

    async def join(self, team_id: int, user_id: str, now: float) -> None:
        """Add a member (a member already is one: their joining date stays)."""
        if any(m.user_id == user_id for m in await self.members(team_id)):
            return
        async with self.storage.transaction() as conn:
            await conn.execute(
                team_members.insert().values(team_id=team_id, user_id=user_id, joined=now)
            )

    async def remove(self, team_id: int, user_id: str) -> bool:
        async with self.storage.transaction() as conn:
            gone = await conn.execute(
                team_members.delete().where(
                    team_members.c.team_id == team_id, team_members.c.user_id == user_id
                )
            )
        return bool(gone.rowcount)

    async def _update(self, team_id: int, **values: Any) -> None:
        async with self.storage.transaction() as conn:
            await conn.execute(teams.update().where(teams.c.id == team_id).values(**values))

    async def set_owner(self, team_id: int, user_id: str) -> None:
        await self._update(team_id, owner=user_id)

    async def set_closed(self, team_id: int, closed: bool) -> None:
        await self._update(team_id, closed=closed)

    async def set_members_see(self, team_id: int, allowed: bool) -> None:
        await self._update(team_id, members_see_team=allowed)

    async def answers(self, team_id: int) -> list[TeamAnswer]:
        """Each current member's latest assessment made for the team, oldest first; a removed
        member's answers no longer count."""
        query = (
            sa.select(
                assessments.c.user_id,
                assessments.c.answers,
                assessments.c.mode,
                assessments.c.completed,
            )
            .where(
                assessments.c.team_id == team_id,
                assessments.c.user_id.in_(
                    sa.select(team_members.c.user_id).where(team_members.c.team_id == team_id)
                ),
            )
            .order_by(assessments.c.completed, assessments.c.id)
        )
        async with self.storage.transaction() as conn:
            rows = (await conn.execute(query)).all()
        latest: dict[str, TeamAnswer] = {}
        for row in rows:
            given = {qid: value[0] for qid, value in json.loads(row.answers).items()}
            latest.pop(row.user_id, None)  # the latest goes last, in order of completion
            latest[row.user_id] = TeamAnswer(row.user_id, given, row.mode, row.completed)
        return list(latest.values())


async def _hand_over(conn: AsyncConnection, user_id: str) -> int:
    """A team the user owns passes to its longest-standing member, or is closed when it has
    none (their membership went first)."""
    owned = (await conn.execute(sa.select(teams.c.id).where(teams.c.owner == user_id))).all()
    for (team_id,) in owned:
        heir = (
            await conn.execute(
                sa.select(team_members.c.user_id)
                .where(team_members.c.team_id == team_id)
                .order_by(team_members.c.joined, team_members.c.user_id)
                .limit(1)
            )
        ).scalar()
        values = {"owner": heir} if heir is not None else {"owner": "", "closed": True}
        await conn.execute(teams.update().where(teams.c.id == team_id).values(**values))
    return len(owned)


PERSONAL_DATA = (
    Holding(
        "teams",
        team_members,
        ("user_id",),
        delete_where(team_members, "user_id"),
        rows_where(team_members, "user_id"),
    ),
    Holding("teams", teams, ("owner",), _hand_over, rows_where(teams, "owner")),
)
