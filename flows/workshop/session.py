"""The workshop a participant is answering, as their conversation record keeps it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any


@dataclass
class WorkshopSession:
    """`stage` is the participant's place among the questions (`participant.STAGES`, or the
    quick check taken to find the step); `step` their answer to the first, for reminders."""

    id: int
    title: str
    stage: str = "step"
    step: int | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WorkshopSession:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})
