"""What the workshop flows keep beyond one conversation: workshops, their facilitators, the
participants' answers and the log of wrong join codes. `bot.storage.workshops` implements it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from flows.workshop.answers import ParticipantAnswers


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

    async def answers(self, workshop_id: int) -> list[ParticipantAnswers]: ...
    async def answer_of(self, workshop_id: int, user_id: str) -> ParticipantAnswers | None: ...
    async def save_answer(
        self, workshop_id: int, user_id: str, answers: ParticipantAnswers, now: float
    ) -> None: ...
    async def wrong_codes_since(self, user_id: str, since: float) -> int: ...
    async def record_wrong_code(self, user_id: str, now: float) -> None: ...
