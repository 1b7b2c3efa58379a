"""One event of one user, as the flows see it: what they may read and change, and what they
answer. The adapter makes a Turn, the engine routes it, the adapter saves and replies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flows.messages import Reply
from flows.ports import Channel, Stores
from flows.state import ConversationState


@dataclass(frozen=True)
class Completed:
    """A finished assessment, for the adapter to store with the conversation."""

    mode: str
    answers: dict[str, list[Any]]
    started: float | None
    completed: float
    percents: tuple[int | None, ...]
    position: int | None
    team: int | None = None  # the team it was made for


@dataclass
class Turn:
    user_id: str
    conversation: ConversationState
    timezone: str  # the user's time zone (reminders); a flow may change it
    now: float  # unix seconds
    store: Stores
    channel: Channel
    replies: list[Reply] = field(default_factory=list)
    completed: Completed | None = None  # an assessment this event completed
    changed_workshop: int | None = None  # a workshop whose live results need refreshing
    erased: bool = False  # the user's data is erased: nothing of theirs may be saved again
    read_only: bool = False  # only a text was shown: a user who has no row yet gets none

    def say(self, *replies: Reply) -> None:
        self.replies.extend(replies)
