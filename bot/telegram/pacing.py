"""Pacing every message the bot sends, interactive replies and reminders alike, in one layer:
python-telegram-bot's rate limiter, with the budgets it lacks added.

- Overall (about 30 a second) and per group (20 a minute): PTB's `AIORateLimiter`, which also
  retries after a 429 and holds every other send back meanwhile.
- Per private chat: a short burst, then about one a second (Telegram's limit per chat).
- Bulk sends (reminders, sent with ``rate_limit_args=BULK``): at most ``bulk_rate`` a second,
  so that a batch of reminders leaves room in the overall budget for interactive replies.
"""

from __future__ import annotations

from typing import Any

from aiolimiter import AsyncLimiter
from telegram.ext import AIORateLimiter

MAX_RETRIES = 5
BULK = "bulk"  # rate_limit_args of a send that may wait behind interactive ones


class ChatPacingRateLimiter(AIORateLimiter):
    def __init__(
        self,
        chat_burst: int = 3,
        chat_period: float = 3.0,
        bulk_rate: float = 20.0,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("max_retries", MAX_RETRIES)
        super().__init__(**kwargs)
        self._chat_burst, self._chat_period = chat_burst, chat_period
        self._chat_limiters: dict[int, AsyncLimiter] = {}
        self._bulk = AsyncLimiter(1, 1 / bulk_rate)  # evenly spaced: no bursts

    def _chat_limiter(self, chat_id: int) -> AsyncLimiter:
        if len(self._chat_limiters) > 1024:  # forget chats whose budget has fully recovered
            for key, old in list(self._chat_limiters.items()):
                if old.has_capacity(old.max_rate):
                    del self._chat_limiters[key]
        limiter = self._chat_limiters.get(chat_id)
        if limiter is None:
            limiter = self._chat_limiters[chat_id] = AsyncLimiter(
                self._chat_burst, self._chat_period
            )
        return limiter

    async def process_request(
        self,
        callback: Any,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | str | None,
    ) -> Any:
        retries = rate_limit_args if isinstance(rate_limit_args, int) else None
        if rate_limit_args == BULK:
            await self._bulk.acquire()
        chat_id = data.get("chat_id")
        if isinstance(chat_id, int) and chat_id > 0:
            async with self._chat_limiter(chat_id):
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, retries
                )
        return await super().process_request(callback, args, kwargs, endpoint, data, retries)
