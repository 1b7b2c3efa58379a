"""What the regional picture keeps: consents, and the consenting clusters' own assessments
read without who made them. `bot.storage.regional` implements it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class ConsentInfo:
    """A user's consent to share their results for the regional picture."""

    region: str  # a code of flows.regional.places
    field: str
    consented: float


@dataclass(frozen=True)
class SharedAssessment:
    """One completed assessment of a consenting cluster, without who made it."""

    answers: dict[str, str]
    percents: tuple[int | None, ...]
    position: int | None
    completed: float


@dataclass(frozen=True)
class SharedCluster:
    """A consenting cluster's own assessments, oldest first (never a team's, never a name)."""

    region: str
    field: str
    assessments: tuple[SharedAssessment, ...]


class Regional(Protocol):
    async def consent(self, user_id: str) -> ConsentInfo | None: ...
    async def give(self, user_id: str, region: str, field: str, now: float) -> None: ...
    async def withdraw(self, user_id: str) -> bool: ...
    async def peers(self, exclude: str, position: int | None = None) -> list[SharedCluster]:
        """Every consenting cluster but `exclude` (the asking user), with its latest
        assessment only, for the peers line; `position`: only those whose latest is at that
        step (read from an index, so the line's cost follows the step, not the region)."""
        ...
