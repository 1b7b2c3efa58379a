"""What the team flows keep: teams and their members; a member's answers are their
assessments made for the team. `bot.storage.teams` implements it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class TeamInfo:
    """A cluster's team: colleagues who answer the checks for one cluster; `owner` manages it."""

    id: int
    invite: str
    owner: str
    cluster: str
    members_see_team: bool
    closed: bool
    created: float


@dataclass(frozen=True)
class TeamMember:
    user_id: str
    joined: float  # unix seconds; the longest-standing member comes first


@dataclass(frozen=True)
class TeamAnswer:
    """A member's latest assessment made for the team: answers are codes (question id →
    answer id), the same in every language."""

    user_id: str
    answers: dict[str, str]
    mode: str
    completed: float


class Teams(Protocol):
    """A member's answers count while they are a member and the team is open."""

    async def create(self, owner: str, cluster: str, now: float) -> TeamInfo: ...
    async def get(self, team_id: int) -> TeamInfo | None: ...
    async def by_invite(self, invite: str) -> TeamInfo | None: ...
    async def of_member(self, user_id: str) -> list[TeamInfo]:
        """The teams the user belongs to (owned ones too), the latest joined first."""
        ...

    async def members(self, team_id: int) -> list[TeamMember]: ...
    async def join(self, team_id: int, user_id: str, now: float) -> None: ...
    async def remove(self, team_id: int, user_id: str) -> bool: ...
    async def set_owner(self, team_id: int, user_id: str) -> None: ...
    async def set_closed(self, team_id: int, closed: bool) -> None: ...
    async def set_members_see(self, team_id: int, allowed: bool) -> None: ...
    async def answers(self, team_id: int) -> list[TeamAnswer]:
        """Each current member's latest assessment made for the team, oldest first."""
        ...
