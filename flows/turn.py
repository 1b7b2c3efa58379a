"""One event of one user, as the flows see it: what they may read and change, and what they
answer. The adapter makes a Turn, the engine routes it, the adapter saves and replies."""

from __future__ import annotations

from dataclasses import dataclass, field

from flows.channel import Channel
from flows.events import AssessmentCompleted, DomainEvent
from flows.messages import Reply
from flows.ports import Stores
from flows.state import ConversationState


@dataclass
class Turn:
    user_id: str
    conversation: ConversationState
    timezone: str  # the user's time zone (reminders); a flow may change it
    now: float  # unix seconds
    store: Stores
    channel: Channel
    replies: list[Reply] = field(default_factory=list)
    events: list[DomainEvent] = field(default_factory=list)  # what happened, in order
    erased: bool = False  # the user's data is erased: nothing of theirs may be saved again
    read_only: bool = False  # only a text was shown: a user who has no row yet gets none

    def say(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def record(self, event: DomainEvent) -> None:
        """Something happened that other flows or the adapter act on (`flows.events`)."""
        self.events.append(event)

    def amend(self, event: DomainEvent, amended: DomainEvent) -> None:
        """A subscriber corrects what a recorded event says before it is stored (a team that
        takes no more answers: the assessment counts for the user alone)."""
        self.events[self.events.index(event)] = amended

    @property
    def completed(self) -> AssessmentCompleted | None:
        """The assessment this event completed, as it is to be stored."""
        return next((e for e in self.events if isinstance(e, AssessmentCompleted)), None)
