"""What the regional picture keeps: consents, and the consenting clusters' own assessments
read without who made them. `bot.storage.regional` implements it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


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


Move = tuple[int | None, int | None]  # the first own assessment's step, the latest's


@dataclass
class ClusterCounts:
    """The consenting clusters of one region and field, counted, never listed: how many have
    an assessment, how many are at each step (None: every step ready) and gave each answer
    (their latest assessment), and of those assessed more than once how many went from which
    step to which. What the regional view needs of them; the database keeps it per region and
    field as assessments and consents change (`bot.storage.clusters`)."""

    region: str
    field: str
    clusters: int = 0
    positions: dict[int | None, int] = dataclasses.field(default_factory=dict)
    answers: dict[str, dict[str, int]] = dataclasses.field(
        default_factory=dict
    )  # question → answer → n
    moves: dict[Move, int] = dataclasses.field(default_factory=dict)

    def count(
        self,
        position: int | None,
        answers: Mapping[str, str],
        first_position: int | None,
        assessed: int,
        sign: int = 1,
    ) -> None:
        """Add one cluster's latest assessment (`sign` -1: take it out again)."""
        self.clusters += sign
        _bump(self.positions, position, sign)
        for question, answer in answers.items():
            by_answer = self.answers.setdefault(question, {})
            _bump(by_answer, answer, sign)
            if not by_answer:
                del self.answers[question]
        if assessed >= 2:
            _bump(self.moves, (first_position, position), sign)

    @classmethod
    def of(cls, clusters: Iterable[SharedCluster]) -> dict[tuple[str, str], ClusterCounts]:
        """The clusters counted per region and field (a cluster without an assessment makes
        its region and field present, counting nothing)."""
        cells: dict[tuple[str, str], ClusterCounts] = {}
        for cluster in clusters:
            cell = cells.get((cluster.region, cluster.field))
            if cell is None:
                cell = cells[(cluster.region, cluster.field)] = cls(cluster.region, cluster.field)
            if cluster.assessments:
                first, latest = cluster.assessments[0], cluster.assessments[-1]
                cell.count(
                    latest.position, latest.answers, first.position, len(cluster.assessments)
                )
        return cells


def _bump(counts: dict[Any, int], key: Any, by: int) -> None:
    value = counts.get(key, 0) + by
    if value:
        counts[key] = value
    else:
        counts.pop(key, None)
