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

from bot.reminder_commands import ReminderCommands, is_reminder_event
from bot.storage import Storage, UserRecord
from bot.workshops import Workshops, is_workshop_event
from flows.conversation import Engine, is_positional, position_token
from flows.i18n import use_language
from flows.messages import Event, Reply


@dataclass
class Handled:
    replies: list[Reply]
    token: str  # the position token to stamp on this event's buttons
    lang: str
    status: str = "ok"  # or "duplicate" (update seen before) or "stale" (old or forged button)
    changed_workshop: int | None = None  # a workshop whose live results need refreshing
    completed: bool = False  # this event completed an assessment


class Conversations:
    def __init__(self, engine: Engine, storage: Storage,
                 clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.storage = storage
        self.clock = clock
        self.workshops = Workshops(engine.content, storage, engine)
        self.reminders = ReminderCommands(storage)
        self._locks: WeakValueDictionary[str, asyncio.Lock] = WeakValueDictionary()

    def lock(self, user_id: str) -> asyncio.Lock:
        lock = self._locks.get(user_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[user_id] = lock
        return lock

    async def handle(self, user_id: str, event: Event, *, lang: str = "en",
                     token: str | None = None, update_id: int | None = None,
                     bot_username: str | None = None) -> Handled:
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
            now = self.clock()
            if update_id is not None:
                record.last_update = update_id
            if is_reminder_event(event, state):
                if not record.exists:  # a reminder row refers to the user's row
                    await self.storage.save(record)
                with use_language(state.lang):
                    replies = await self.reminders.handle(record, event, now)
                await self.storage.save(record)
                return Handled(replies, position_token(state), state.lang)
            if is_workshop_event(event, state):
                with use_language(state.lang):
                    workshop = await self.workshops.handle(user_id, state, event, now,
                                                           bot_username)
                await self.storage.save(record)
                return Handled(workshop.replies, position_token(state), state.lang,
                               changed_workshop=workshop.changed)
            outcome = self.engine.handle(state, event, now)
            replies = outcome.replies
            if outcome.completed is not None:
                with use_language(state.lang):
                    replies += self.workshops.after_quick_check(state, outcome.completed.position)
            await self.storage.save(record, outcome.completed)
            return Handled(replies, position_token(state), state.lang,
                           completed=outcome.completed is not None)

    async def record(self, user_id: str) -> UserRecord:
        return await self.storage.load(user_id)
