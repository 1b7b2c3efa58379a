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
from flows.conversation import Engine, is_positional, position_token
from flows.messages import Event, Reply


@dataclass
class Handled:
    replies: list[Reply]
    token: str  # the position token to stamp on this event's buttons
    lang: str
    status: str = "ok"  # or "duplicate" (update seen before) or "stale" (old or forged button)


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
                     token: str | None = None, update_id: int | None = None) -> Handled:
        """Handle one event. Nothing happens for an update seen before (status "duplicate") or
        a positional button whose `token` no longer matches the conversation ("stale")."""
        async with self.lock(user_id):
            record = await self.storage.load(user_id, lang)
            state = record.state
            if update_id is not None and record.last_update is not None \
                    and update_id <= record.last_update:
                return Handled([], position_token(state), state.lang, "duplicate")
            if (token is not None and event.kind == "choice" and is_positional(event.value)
                    and token != position_token(state)):
                if update_id is not None:
                    record.last_update = update_id
                    await self.storage.save(record)
                return Handled([], position_token(state), state.lang, "stale")
            outcome = self.engine.handle(state, event, self.clock())
            if update_id is not None:
                record.last_update = update_id
            await self.storage.save(record, outcome.completed)
            return Handled(outcome.replies, position_token(state), state.lang)

    async def record(self, user_id: str) -> UserRecord:
        return await self.storage.load(user_id)
