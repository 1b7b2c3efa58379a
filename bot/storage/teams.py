"""The team tables: a cluster's team (its invitation, owner and switches) and its members.
A member's answers are their assessments stored with the team's id (`assessments.team_id`);
only current members' count, each with their latest."""

from __future__ import annotations

import json
import secrets
from typing import Any

import sqlalchemy as sa

from bot.storage.database import Storage
from bot.storage.schema import assessments, team_members, teams
from flows.ports import TeamAnswer, TeamInfo, TeamMember


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


async def create(storage: Storage, owner: str, cluster: str, now: float) -> TeamInfo:
    """A new open team; its creator owns it and is its first member."""
    async with storage.transaction() as conn:
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
        await conn.execute(team_members.insert().values(team_id=team_id, user_id=owner, joined=now))
    found = await by_id(storage, team_id)
    assert found is not None
    return found


async def _one(storage: Storage, condition: Any) -> TeamInfo | None:
    async with storage.transaction() as conn:
        return _row((await conn.execute(sa.select(teams).where(condition))).first())


async def by_id(storage: Storage, team_id: int) -> TeamInfo | None:
    return await _one(storage, teams.c.id == team_id)


async def by_invite(storage: Storage, invite: str) -> TeamInfo | None:
    return await _one(storage, teams.c.invite == invite)


async def of_member(storage: Storage, user_id: str) -> list[TeamInfo]:
    query = (
        sa.select(teams)
        .join(team_members, team_members.c.team_id == teams.c.id)
        .where(team_members.c.user_id == user_id)
        .order_by(team_members.c.joined.desc(), teams.c.id.desc())
    )
    async with storage.transaction() as conn:
        rows = (await conn.execute(query)).all()
    return [t for t in map(_row, rows) if t is not None]


async def members(storage: Storage, team_id: int) -> list[TeamMember]:
    query = (
        sa.select(team_members.c.user_id, team_members.c.joined)
        .where(team_members.c.team_id == team_id)
        .order_by(team_members.c.joined, team_members.c.user_id)
    )
    async with storage.transaction() as conn:
        rows = (await conn.execute(query)).all()
    return [TeamMember(row.user_id, row.joined) for row in rows]


async def join(storage: Storage, team_id: int, user_id: str, now: float) -> None:
    """Add a member (a member already is one: their joining date stays)."""
    if any(m.user_id == user_id for m in await members(storage, team_id)):
        return
    async with storage.transaction() as conn:
        await conn.execute(
            team_members.insert().values(team_id=team_id, user_id=user_id, joined=now)
        )


async def remove(storage: Storage, team_id: int, user_id: str) -> bool:
    async with storage.transaction() as conn:
        gone = await conn.execute(
            team_members.delete().where(
                team_members.c.team_id == team_id, team_members.c.user_id == user_id
            )
        )
    return bool(gone.rowcount)


async def _update(storage: Storage, team_id: int, **values: Any) -> None:
    async with storage.transaction() as conn:
        await conn.execute(teams.update().where(teams.c.id == team_id).values(**values))


async def set_owner(storage: Storage, team_id: int, user_id: str) -> None:
    await _update(storage, team_id, owner=user_id)


async def set_closed(storage: Storage, team_id: int, closed: bool) -> None:
    await _update(storage, team_id, closed=closed)


async def set_members_see(storage: Storage, team_id: int, allowed: bool) -> None:
    await _update(storage, team_id, members_see_team=allowed)


async def answers(storage: Storage, team_id: int) -> list[TeamAnswer]:
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
    async with storage.transaction() as conn:
        rows = (await conn.execute(query)).all()
    latest: dict[str, TeamAnswer] = {}
    for row in rows:
        given = {qid: value[0] for qid, value in json.loads(row.answers).items()}
        latest.pop(row.user_id, None)  # the latest goes last, in order of completion
        latest[row.user_id] = TeamAnswer(row.user_id, given, row.mode, row.completed)
    return list(latest.values())
