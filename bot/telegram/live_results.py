"""Keeps each workshop's results message up to date while answers arrive: at most one edit per
workshop every few seconds (well within Telegram's flood limits), never lost, never piled up."""

from __future__ import annotations

import asyncio
import logging
import time

from telegram import Bot
from telegram.error import BadRequest, TelegramError

from bot.storage import Storage, workshops
from bot.telegram.sending import edit_reply
from flows.i18n import use_language
from flows.workshop.facilitator import Facilitation

log = logging.getLogger(__name__)


class LiveResults:
    def __init__(self, facilitation: Facilitation, storage: Storage, interval: float = 3.0) -> None:
        self.facilitation = facilitation
        self.storage = storage
        self.interval = interval
        self._pending: dict[int, asyncio.Task[None]] = {}
        self._last_edit: dict[int, float] = {}

    def changed(self, bot: Bot, workshop_id: int) -> None:
        """Schedule a refresh; changes arriving before it runs are covered by that one."""
        if workshop_id not in self._pending:
            self._pending[workshop_id] = asyncio.create_task(self._refresh(bot, workshop_id))

    async def _refresh(self, bot: Bot, workshop_id: int) -> None:
        wait = self._last_edit.get(workshop_id, 0.0) + self.interval - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        self._pending.pop(workshop_id, None)  # later changes schedule another refresh
        try:
            row = await workshops.by_id(self.storage, workshop_id)
            if row is None or row.results_chat is None or row.results_message is None:
                return
            with use_language(row.results_lang or "en"):
                answers = await workshops.all_answers(self.storage, workshop_id)
                reply = self.facilitation.results_reply(row, answers)
            self._last_edit[workshop_id] = time.monotonic()
            await edit_reply(bot, row.results_chat, row.results_message, reply)
        except (BadRequest, TelegramError):
            log.info("Could not refresh the results of workshop %s", workshop_id, exc_info=True)
        except Exception:
            log.exception("Refreshing the results of workshop %s failed", workshop_id)

    async def wait_idle(self) -> None:
        """Let pending refreshes finish (tests, shutdown)."""
        while self._pending:
            await asyncio.gather(*list(self._pending.values()), return_exceptions=True)
