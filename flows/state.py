"""The conversation record: everything a conversation needs to resume, small and serialisable."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

IDLE = "idle"


@dataclass
class ConversationState:
    """Saved after every event. `state` is the diagnostic machine's state; `index` points into the
    current mode's question sequence; `answers` maps question id to [answer id, unix time]."""

    lang: str = "en"
    flow: str = "menu"  # what free text means now: menu, diagnostic or glossary
    state: str = IDLE
    mode: str | None = None  # quick or full
    index: int = 0
    answers: dict[str, list[Any]] = field(default_factory=dict)
    started: float | None = None
    last: dict[str, str] | None = None  # answers of the latest completed assessment
    last_mode: str | None = None
    last_completed: float | None = None
    prior: list[int | None] | None = None  # per-step percent of the assessment before it
    prior_position: int | None = None
    prior_completed: float | None = None
    done: list[str] = field(default_factory=list)  # question ids whose action is done
    dropped: list[str] = field(default_factory=list)  # … whose action is not relevant to them
    owners: dict[str, str] = field(default_factory=dict)  # question id → who owns its action
    due: dict[str, str] = field(default_factory=dict)  # question id → month due, "YYYY-MM"
    cluster: str | None = None  # the cluster's name for the plan; "" skipped, None never asked
    editing: str | None = None  # the action whose owner is being typed, or the plan waiting
    # for the cluster's name ("plan:pdf")
    workshop: dict[str, Any] | None = None  # the workshop being answered: id, title, stage
    team: int | None = None  # the team whose cluster the user is answering for now
    consent_asked: bool = False  # the regional-picture question was asked (asked once)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConversationState:
        """Restore a record; unknown keys (from a newer version) are ignored."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def answer_ids(self) -> dict[str, str]:
        return {qid: value[0] for qid, value in self.answers.items()}
