"""Runs one event of one user's conversation: load the record, run the engine, save, reply.

Shared by the terminal chat and the Telegram bot. Events of one user are handled in order (a
lock per user); different users run concurrently. The record is committed before the replies
are returned, so an acknowledged answer is never lost.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from weakref import WeakValueDictionary

from bot.storage import Storage, UserRecord
from flows.conversation import Engine
from flows.messages import Event, Reply

NONCE_MODULO = 1 << 16


@dataclass
class Handled:
    replies: list[Reply]
    nonce: int  # stamp on this event's buttons
    lang: str


class Conversations:
    def __init__(self, engine: Engine, storage: Storage,
                 clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.storage = storage
        self.clock = clock
        self._locks: WeakValueDictionary[str, asyncio.Lock] = WeakValueDictionary()

    def lock(self, user_id: str) -> asyncio.Lock:
        lock = self._locks.get(user_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[user_id] = lock
        return lock

    async def handle(self, user_id: str, event: Event, *, lang: str = "en",
                     nonce: int | None = None, update_id: int | None = None) -> Handled | None:
        """Handle one event. Returns None when it must be ignored: an update seen before, or a
        button (`nonce` given) from a message that is no longer current."""
        async with self.lock(user_id):
            record = await self.storage.load(user_id, lang)
            if update_id is not None and record.last_update is not None \
                    and update_id <= record.last_update:
                return None
            if nonce is not None and nonce != record.nonce:
                if update_id is not None:
                    record.last_update = update_id
                    await self.storage.save(record)
                return None
            outcome = self.engine.handle(record.state, event, self.clock())
            record.nonce = (record.nonce + 1) % NONCE_MODULO
            if update_id is not None:
                record.last_update = update_id
            await self.storage.save(record, outcome.completed)
            return Handled(outcome.replies, record.nonce, record.state.lang)

    async def record(self, user_id: str) -> UserRecord:
        return await self.storage.load(user_id)
