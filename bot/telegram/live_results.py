"""Keeps each workshop's results message up to date while answers arrive: at most one edit per
workshop every few seconds for the bot as a whole (a budget of `bot.telegram.pacing`, shared by
the replicas), one edit per change, never lost, never piled up.

Every change counts the workshop's revision up in the same transaction as the change; the
message records the revision it shows. A refresh edits only a message that is behind, so a
press that already showed the change is not followed by a second edit, and what a restart or a
stopped replica did not show is found by `catch_up` (at start and every reminder round)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import Bot
from telegram.error import BadRequest, NetworkError, TelegramError

from bot.storage import Storage
from bot.storage.workshops import WorkshopStore
from bot.telegram.links import TelegramChannel
from bot.telegram.pacing import LATER, Slots, wait_for_slot
from bot.telegram.sending import edit_reply
from flows.i18n import use_language
from flows.workshop.facilitator import Facilitation

log = logging.getLogger(__name__)


class LiveResults:
    def __init__(
        self, facilitation: Facilitation, storage: Storage, slots: Slots, interval: float = 3.0
    ) -> None:
        self.facilitation = facilitation
        self.storage = storage
        self.workshops = WorkshopStore(storage)
        self.slots = slots
        self.interval = interval
        self._pending: dict[int, asyncio.Task[None]] = {}

    def changed(self, bot: Bot, workshop_id: int) -> None:
        """Schedule a refresh; changes arriving before it runs are covered by that one."""
        if workshop_id not in self._pending:
            self._pending[workshop_id] = asyncio.create_task(self._refresh(bot, workshop_id))

    async def catch_up(self, bot: Bot) -> None:
        """Refresh every results message that is behind its workshop."""
        for workshop_id in await self.workshops.unshown():
            self.changed(bot, workshop_id)

    async def _refresh(self, bot: Bot, workshop_id: int) -> None:
        try:
            # the workshop's next edit slot, whichever replica takes it; what changes while
            # this one waits is shown by it (it reads the answers after the wait)
            await wait_for_slot(self.slots, f"results:{workshop_id}", self.interval)
        finally:
            self._pending.pop(workshop_id, None)  # later changes schedule another refresh
        row = None
        try:
            row = await self.workshops.results_message(workshop_id)
            workshop = await self.workshops.get(workshop_id)
            if row is None or workshop is None:
                return
            if row.latest <= row.revision:
                return  # shown already (by the press that made the change, or another replica)
            with use_language(row.lang):
                answers = await self.workshops.answers(workshop_id)
                decisions = await self.workshops.decisions(workshop_id)
                chat = TelegramChannel(None, row.chat)  # the facilitator's chat
                reply = self.facilitation.results_reply(workshop, answers, chat, decisions)
            shown = await edit_reply(bot, row.chat, row.message, reply, lane=LATER)
            if shown is not None and shown.message_id != row.message:  # sent anew
                await self.workshops.set_results_message(
                    workshop_id, shown.chat_id, shown.message_id, row.lang, row.latest
                )
            else:
                await self.workshops.mark_shown(workshop_id, row.latest)
        except NetworkError:  # Telegram out of reach: `catch_up` tries again
            log.info("Could not reach Telegram to refresh workshop %s", workshop_id)
        except (BadRequest, TelegramError):  # the message is gone or the chat blocked the bot
            log.info("Could not refresh the results of workshop %s", workshop_id, exc_info=True)
            if row is not None:
                await self.workshops.mark_shown(workshop_id, row.latest)
        except Exception:
            log.exception("Refreshing the results of workshop %s failed", workshop_id)

    async def close(self) -> None:
        """At shutdown: stop the waiting refreshes (their changes stay recorded as not shown,
        for the next start) instead of leaving them to be destroyed with the event loop."""
        tasks = list(self._pending.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._pending.clear()
