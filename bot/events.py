"""Runs one event of one user's conversation: load the record, route the event, save, reply.

Shared by the terminal chat and the Telegram bot. Each event is one transaction that locks the
user's row first, so two events of one user, on one replica or two, run one after the other and
neither overwrites the other; everything the event changed is committed before the replies are
returned, so an acknowledged answer is never lost. Within a process, one user's updates also
reach this in arrival order (`bot.telegram.ordering`).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import sqlalchemy as sa

from bot import metrics
from bot.storage.aio import INTERACTIVE, LATER
from bot.storage.database import Storage, UserRecord
from bot.storage.stores import stores_for
from bot.web.access import PageLinks
from flows.channel import Channel
from flows.events import AssessmentCompleted, DomainEvent, WorkshopChanged
from flows.journey.assessment import position_token
from flows.messages import Event, Reply, clean
from flows.router import Router
from flows.state import ConversationState
from flows.turn import Turn

MAX_FINISHING = 10_000  # users remembered as at their last question (a room is a hundred)


class PlainChannel:
    """The terminal's channel: no links that open the bot, no way to remind (it speaks only
    when spoken to), no limit on a message or a label, and what is printed stays printed."""

    def start_link(self, payload: str) -> str | None:
        return None

    @property
    def reminder_chat(self) -> int | None:
        return None

    @property
    def longest_message(self) -> int | None:
        return None

    def length(self, text: str) -> int:
        return len(text)

    @property
    def longest_label(self) -> int | None:
        return None

    @property
    def edits_in_place(self) -> bool:
        return False


PLAIN = PlainChannel()


@dataclass
class Handled:
    replies: list[Reply]
    token: str  # the position token to stamp on this event's buttons
    lang: str
    status: str = "ok"  # or "duplicate" (update seen before) or "stale" (old or forged button)
    events: tuple[DomainEvent, ...] = ()  # what the event's flows recorded (`flows.events`)
    erased: bool = False  # the user's data was erased: nothing of theirs is kept

    @property
    def completed(self) -> bool:
        """This event completed an assessment."""
        return any(isinstance(e, AssessmentCompleted) for e in self.events)

    @property
    def changed_workshops(self) -> list[int]:
        """The workshops whose results are behind after this event, each once."""
        return list(
            dict.fromkeys(e.workshop_id for e in self.events if isinstance(e, WorkshopChanged))
        )


Keep = Callable[[Storage, "Handled"], Awaitable[None]]


class EventRunner:
    def __init__(
        self,
        router: Router,
        storage: Storage,
        clock: Callable[[], float] = time.time,
        pages: PageLinks | None = None,
    ) -> None:
        self.router = router
        self.storage = storage
        self.clock = clock
        self.pages = pages  # links to the projector pages (None: no web server)
        # users whose next answer completes a check (their summary is the heaviest event): their
        # transaction waits behind those of people in the middle of something, where the
        # database's connections are few (SQLite); a hint kept in memory, right or not harmless
        self._finishing: OrderedDict[str, None] = OrderedDict()

    async def handle(
        self,
        user_id: str,
        event: Event,
        channel: Channel = PLAIN,
        *,
        lang: str = "en",
        token: str | None = None,
        update_id: int | None = None,
        fingerprint: str = "",
        keep: Keep | None = None,
    ) -> Handled:
        """Handle one event in one transaction: the update is recorded as handled, the user's
        row locked, the flows run, and everything they changed committed together, before the
        replies are returned. Nothing changes for an update handled before (status "duplicate")
        or a positional button whose `token` no longer matches the conversation ("stale").
        `keep` writes what the channel keeps of the exchange (the browser's transcript) in the
        same transaction, unless the user's data was erased."""
        try:
            handled = await self._handle(
                user_id, event, channel, lang, token, (update_id, fingerprint), keep
            )
        except sa.exc.IntegrityError:
            # A new user's first two events on two replicas: both found no row to lock and
            # both inserted one; the other committed first and this one was rolled back whole.
            # Run it again: now it waits for the row like any later event.
            handled = await self._handle(
                user_id, event, channel, lang, token, (update_id, fingerprint), keep
            )
        metrics.FIGURES.outcomes.labels(handled.status).inc()
        return handled

    async def _handle(
        self,
        user_id: str,
        event: Event,
        channel: Channel,
        lang: str,
        token: str | None,
        update: tuple[int | None, str],
        keep: Keep | None = None,
    ) -> Handled:
        now = self.clock()
        event = clean(event)  # whichever channel it came from
        later = event.kind == "choice" and user_id in self._finishing
        async with self.storage.transaction(LATER if later else INTERACTIVE) as conn:
            storage = self.storage.bound(conn)
            claimed, record = await storage.open_event(user_id, lang, update[0], now, update[1])
            conv = record.conversation
            if not claimed:
                return Handled([], position_token(conv), conv.lang, "duplicate")
            if event.kind == "choice" and self.router.is_stale(conv, event.value, token):
                stale = Handled([], position_token(conv), conv.lang, "stale")
                if keep is not None and record.exists:
                    await keep(storage, stale)
                return stale
            turn = Turn(
                user_id,
                conv,
                record.timezone,
                now,
                stores_for(storage, self.pages, record),
                channel,
            )
            await self.router.handle(turn, event)
            if not turn.erased and not (turn.read_only and not record.exists):
                record.timezone = turn.timezone
                await storage.save(record, turn.completed)
            self._remember(user_id, conv)
            handled = Handled(
                turn.replies,
                position_token(conv),
                conv.lang,
                events=tuple(turn.events),
                erased=turn.erased,
            )
            if keep is not None and not turn.erased and record.exists:
                await keep(storage, handled)
        return handled

    def _remember(self, user_id: str, conv: ConversationState) -> None:
        if self.router.assessment.last_question_open(conv):
            self._finishing[user_id] = None
            while len(self._finishing) > MAX_FINISHING:
                self._finishing.popitem(last=False)
        else:
            self._finishing.pop(user_id, None)

    async def record(self, user_id: str) -> UserRecord:
        return await self.storage.load(user_id)
