"""What a turn records as having happened, for whoever must act on it.

A flow records an event on its Turn (`Turn.record`) instead of calling the flows that care or
leaving a flag for the adapter. After the event's route the router hands each recorded event to
its subscribers (the table in `flows/router.py`); the adapter gets them in `Handled.events`
and acts on what concerns the channel (an assessment to store, live results to refresh)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AssessmentCompleted:
    """A finished assessment, stored with the conversation; `team` is the team it counts
    for (None: the user's own)."""

    mode: str
    answers: dict[str, list[Any]]
    started: float | None
    completed: float
    percents: tuple[int | None, ...]
    position: int | None
    team: int | None = None


@dataclass(frozen=True)
class WorkshopChanged:
    """A workshop or its answers changed: whatever shows its results is behind."""

    workshop_id: int


@dataclass(frozen=True)
class ConsentGiven:
    """The user shares their results for the regional picture, under a region and a field."""

    region: str
    field: str


@dataclass(frozen=True)
class ConsentWithdrawn:
    """The user no longer shares their results for the regional picture."""


DomainEvent = AssessmentCompleted | WorkshopChanged | ConsentGiven | ConsentWithdrawn
