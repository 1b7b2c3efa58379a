"""What the journey keeps beyond the conversation record: the user's completed assessments
(the record's own save stores a new one). `bot.storage.journey` implements it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class AssessmentInfo:
    """A completed assessment, as stored: its answers (question id → answer id) and scores."""

    id: int
    mode: str
    completed: float
    answers: dict[str, str]
    percents: tuple[int | None, ...]
    position: int | None


class Journey(Protocol):
    async def assessments(self, user_id: str) -> list[AssessmentInfo]:
        """The user's completed assessments, oldest first."""
        ...
