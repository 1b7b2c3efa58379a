"""The tests' local Bot API server, instrumented: waiters for replies and for polls, timestamps.

A simulated user waits for "the reply it can act on": the next message in its chat, sent or
edited, that carries an inline keyboard (the next question, or the summary with its buttons).
Both bots send that message last for every update of the quick check, so its arrival time is
the time of the update's last reply. In the quick check a new text message without buttons is
never an answer: it is the bot's apology after an error, and ends the wait as a failure.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

from tests.fakebotapi import FakeBotApi


def has_keyboard(message: dict[str, Any]) -> bool:
    return bool((message.get("reply_markup") or {}).get("inline_keyboard"))


class BotError(Exception):
    """The bot answered with a message without buttons (its apology after an error)."""


class ObservedApi(FakeBotApi):
    """FakeBotApi that resolves futures when a chat gets a keyboard message or the bot polls."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.polls = 0
        self.shown: dict[int, list[str]] = {}  # every text or caption the bot showed, per chat
        self.deliveries: Counter[int] = Counter()  # how often each update_id was delivered
        self.first_poll: float | None = None  # time.perf_counter() of the first getUpdates
        self._keyboard_waiters: dict[int, list[asyncio.Future[float]]] = {}
        self._poll_waiters: list[tuple[int, asyncio.Future[float]]] = []

    def next_keyboard(self, chat_id: int) -> asyncio.Future[float]:
        """A future for the perf_counter time of the next keyboard message in the chat; it fails
        with BotError if a text message without buttons comes first."""
        future = asyncio.get_running_loop().create_future()
        self._keyboard_waiters.setdefault(chat_id, []).append(future)
        return future

    def poll_after(self, count: int) -> asyncio.Future[float]:
        """A future for the time of the first getUpdates after `count` polls in all."""
        future = asyncio.get_running_loop().create_future()
        if self.polls > count:
            future.set_result(time.perf_counter())
        else:
            self._poll_waiters.append((count, future))
        return future

    def keyboard_message(self, chat_id: int) -> dict[str, Any] | None:
        """The bot's latest message in the chat that has buttons."""
        return next((r for r in reversed(self.sent(chat_id)) if has_keyboard(r)), None)

    def button(self, chat_id: int, choice: str) -> str | None:
        """Callback data of the button for `choice` (data ends with `.<choice>`) on the latest
        keyboard, or None."""
        return next(
            (data for _text, data in self.buttons(chat_id) if data and data.endswith("." + choice)),
            None,
        )

    # --- hooks ------------------------------------------------------------------------------

    def _observe(self, message: dict[str, Any], method: str) -> None:
        chat_id = message["chat"]["id"]
        self.shown.setdefault(chat_id, []).append(
            message.get("text") or message.get("caption") or ""
        )
        keyboard = has_keyboard(message)
        if not keyboard and method != "sendMessage":
            return
        waiters = self._keyboard_waiters.pop(chat_id, [])
        now = time.perf_counter()
        for future in waiters:
            if future.done():
                continue
            if keyboard:
                future.set_result(now)
            else:
                future.set_exception(BotError(message.get("text", "")))

    def _send(self, method: str, params: dict[str, Any], media: dict | None = None) -> dict:
        message = super()._send(method, params, media)
        self._observe(message, method)
        return message

    def _apply_edit(
        self, record: dict[str, Any], method: str, changes: dict[str, Any], **raw: Any
    ) -> dict:
        message = super()._apply_edit(record, method, changes, **raw)
        self._observe(message, method)
        return message

    async def _m_getUpdates(self, params: dict[str, Any]) -> list[dict]:
        now = time.perf_counter()
        self.polls += 1
        if self.first_poll is None:
            self.first_poll = now
        waiting = []
        for count, future in self._poll_waiters:
            if self.polls > count and not future.done():
                future.set_result(now)
            elif not future.done():
                waiting.append((count, future))
        self._poll_waiters = waiting
        updates = await super()._m_getUpdates(params)
        self.deliveries.update(u["update_id"] for u in updates)
        return updates
