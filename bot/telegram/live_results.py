"""Keeps each workshop's results message up to date while answers arrive: at most one edit per
workshop every few seconds for the bot as a whole (a budget of `bot.telegram.pacing`, shared by
the replicas), never lost, never piled up."""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot
from telegram.error import BadRequest, TelegramError

from bot.storage import Storage, workshops
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
        self.slots = slots
        self.interval = interval
        self._pending: dict[int, asyncio.Task[None]] = {}

    def changed(self, bot: Bot, workshop_id: int) -> None:
        """Schedule a refresh; changes arriving before it runs are covered by that one."""
        if workshop_id not in self._pending:
            self._pending[workshop_id] = asyncio.create_task(self._refresh(bot, workshop_id))

    async def _refresh(self, bot: Bot, workshop_id: int) -> None:
        try:
            # the workshop's next edit slot, whichever replica takes it; what changes while
            # this one waits is shown by it (it reads the answers after the wait)
            await wait_for_slot(self.slots, f"results:{workshop_id}", self.interval)
        finally:
            self._pending.pop(workshop_id, None)  # later changes schedule another refresh
        try:
            row = await workshops.by_id(self.storage, workshop_id)
            if row is None or row.results_chat is None or row.results_message is None:
                return
            with use_language(row.results_lang or "en"):
                answers = await workshops.all_answers(self.storage, workshop_id)
                reply = self.facilitation.results_reply(row, answers)
            await edit_reply(bot, row.results_chat, row.results_message, reply, lane=LATER)
        except (BadRequest, TelegramError):
            log.info("Could not refresh the results of workshop %s", workshop_id, exc_info=True)
        except Exception:
            log.exception("Refreshing the results of workshop %s failed", workshop_id)

    async def wait_idle(self) -> None:
        """Let pending refreshes finish (tests, shutdown)."""
        while self._pending:
            await asyncio.gather(*list(self._pending.values()), return_exceptions=True)
