"""The journey's part of the conversation record: the round of the diagnostic in progress, the
latest completed assessment and the one before it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

IDLE = "idle"
RECHECK = "step:"  # how an assessment re-checking one step is stored: step:<number>


@dataclass(frozen=True)
class Assessed:
    """A completed assessment as the summary and the plan need it."""

    answers: dict[str, str]  # question id → answer id
    mode: str  # quick or full (a re-check keeps the mode of the assessment it completes)
    completed: float


@dataclass(frozen=True)
class Previous:
    """The assessment before it, as far as the change since needs it."""

    percents: tuple[int | None, ...]  # per step
    position: int | None
    completed: float
    # its answers and kind, so the change compares like with like (empty in older records)
    answers: dict[str, str] = field(default_factory=dict)
    mode: str = ""


@dataclass
class JourneyState:
    """`state` is the diagnostic machine's state; `index` points into the round's question
    sequence: the quick or the full check (`mode`), or one step's questions (`recheck`)."""

    state: str = IDLE
    mode: str | None = None  # quick or full; None between rounds and while re-checking a step
    recheck: int | None = None  # the step whose questions are re-checked
    index: int = 0
    answers: dict[str, tuple[str, float]] = field(default_factory=dict)  # id → (answer, time)
    started: float | None = None
    last: Assessed | None = None  # the latest completed assessment
    prior: Previous | None = None  # the one before it

    @property
    def check(self) -> str | None:
        """The round as assessments are stored and told apart: quick, full or step:<number>."""
        return f"{RECHECK}{self.recheck}" if self.recheck is not None else self.mode

    def answer_ids(self) -> dict[str, str]:
        return {qid: answer for qid, (answer, _time) in self.answers.items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> JourneyState:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["answers"] = {q: (a, t) for q, (a, t) in (data.get("answers") or {}).items()}
        last, prior = data.get("last"), data.get("prior")
        values["last"] = (
            Assessed(last["answers"], last["mode"], last["completed"]) if last else None
        )
        values["prior"] = (
            Previous(
                tuple(prior["percents"]),
                prior["position"],
                prior["completed"],
                dict(prior.get("answers") or {}),
                prior.get("mode") or "",
            )
            if prior
            else None
        )
        return cls(**values)
