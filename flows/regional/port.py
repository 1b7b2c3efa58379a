"""What the regional picture keeps: consents, and the consenting clusters' own assessments
read without who made them. `bot.storage.regional` implements it."""

from __future__ import annotations

from collections.abc import Sequence
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


@dataclass(frozen=True)
class StepPeers:
    """The other consenting clusters whose latest assessment is at one step, as counts: how
    many, and how many gave each answer to each question (never who)."""

    clusters: int
    answers: dict[str, dict[str, int]]  # question id → answer id → clusters

    @classmethod
    def of(cls, clusters: Sequence[SharedCluster], position: int) -> StepPeers:
        """Counted from the clusters' latest assessments."""
        same = [c.assessments[-1] for c in clusters if c.assessments]
        same = [a for a in same if a.position == position]
        answers: dict[str, dict[str, int]] = {}
        for assessment in same:
            for question, answer in assessment.answers.items():
                by_answer = answers.setdefault(question, {})
                by_answer[answer] = by_answer.get(answer, 0) + 1
        return cls(len(same), answers)


class Regional(Protocol):
    async def consent(self, user_id: str) -> ConsentInfo | None: ...
    async def give(self, user_id: str, region: str, field: str, now: float) -> None: ...
    async def withdraw(self, user_id: str) -> bool: ...
    async def peers(self, exclude: str, position: int | None = None) -> list[SharedCluster]:
        """Every consenting cluster but `exclude` (the asking user), with its latest
        assessment only, for the peers line; `position`: only those whose latest is at that
        step (read from an index, so the line's cost follows the step, not the region)."""
        ...

    async def step_peers(self, exclude: str, position: int) -> StepPeers:
        """The other consenting clusters at step `position`, counted (the peers line)."""
        ...
