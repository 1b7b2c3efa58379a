"""What the workshop flows keep beyond one conversation: workshops, their facilitators, the
participants' answers and the log of wrong join codes. `bot.storage.workshops` implements it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from flows.workshop.answers import ParticipantAnswers
from flows.workshop.moderation import Decision


@dataclass(frozen=True)
class WorkshopInfo:
    """A workshop as the flows see it."""

    id: int
    code: str
    invite: str
    title: str
    owner: str
    closed: bool
    revision: int = 1  # counted up by every change of the workshop or its answers
    lang: str | None = None  # the facilitator's, where the results were last shown
    link_generation: int = 1  # of the projector page's link (a new link revokes the old)
    filter_on: bool = True  # the profanity filter holds flagged texts back
    revealed: bool = True  # the projector page shows the results (else only the count)


class Workshops(Protocol):
    async def create(self, owner: str, title: str, now: float) -> WorkshopInfo: ...
    async def get(self, workshop_id: int) -> WorkshopInfo | None: ...
    async def by_code(self, code: str) -> WorkshopInfo | None: ...
    async def by_invite(self, invite: str) -> WorkshopInfo | None: ...
    async def of_facilitator(self, user_id: str) -> list[WorkshopInfo]:
        """The user's workshops, newest first."""
        ...

    async def is_facilitator(self, workshop_id: int, user_id: str) -> bool: ...
    async def add_facilitator(self, workshop_id: int, user_id: str) -> None: ...
    async def set_closed(self, workshop_id: int, closed: bool) -> None: ...
    async def new_page_link(self, workshop_id: int) -> None:
        """Revoke the projector page's link: the next one is signed over a new generation."""
        ...

    async def page_link(self, workshop: WorkshopInfo) -> str | None:
        """The projector page's link; None where no web server is configured."""
        ...

    async def join_page(self, code: str, local: bool = False) -> str | None:
        """The join page's link for a workshop's code (it offers the browser and the chat
        app); None without a web server, and where only this machine can open it (no public
        URL) unless `local` asks for it all the same."""
        ...

    async def host_link(self, workshop: WorkshopInfo) -> str | None:
        """The projector page's facilitator view (moderation, reveal, report); None where no
        web server is configured."""
        ...

    async def answers(self, workshop_id: int) -> list[ParticipantAnswers]:
        """Every participant's answers, in the order of their first answer, each with its key."""
        ...

    async def decisions(self, workshop_id: int) -> dict[tuple[int, str], Decision]:
        """The facilitators' moderation decisions: (answer key, text ref) → decision."""
        ...

    async def decide(
        self, workshop_id: int, answer: int, ref: str, decision: Decision, now: float
    ) -> bool:
        """Hide a text or let it through; False when the answer is not the workshop's."""
        ...

    async def set_filter(self, workshop_id: int, on: bool) -> None: ...
    async def set_revealed(self, workshop_id: int, revealed: bool) -> None: ...
    async def answer_of(self, workshop_id: int, user_id: str) -> ParticipantAnswers | None: ...
    async def save_answer(
        self, workshop_id: int, user_id: str, answers: ParticipantAnswers, now: float
    ) -> None: ...
    async def wrong_codes_since(self, user_id: str, since: float) -> int: ...
    async def record_wrong_code(self, user_id: str, now: float) -> None: ...
