"""Updates of one user are handled in the order they arrived, those of different users at the
same time: the bot's one per-user ordering."""

from __future__ import annotations

import asyncio
from typing import Any
from weakref import WeakValueDictionary

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot import metrics


def kind_of(update: object) -> str:
    """The update's kind for the metrics: a button, a command, a text or something else."""
    if not isinstance(update, Update):
        return "other"
    if update.callback_query is not None:
        return "button"
    text = update.effective_message.text if update.effective_message is not None else None
    if text is None:
        return "other"
    return "command" if text.startswith("/") else "text"


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Updates of different users run concurrently; those of one user run in arrival order."""

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: WeakValueDictionary[int, asyncio.Lock] = WeakValueDictionary()

    async def do_process_update(self, update: object, coroutine: Any) -> None:
        with metrics.timed_update(kind_of(update)):
            user = update.effective_user if isinstance(update, Update) else None
            if user is None:
                await coroutine
                return
            lock = self._locks.get(user.id)
            if lock is None:
                lock = asyncio.Lock()
                self._locks[user.id] = lock
            async with lock:
                await coroutine

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
