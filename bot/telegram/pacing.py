"""Pacing every message the bot sends, interactive replies and reminders alike: one layer,
python-telegram-bot's rate limiter, with per-chat pacing added."""

from __future__ import annotations

from typing import Any

from aiolimiter import AsyncLimiter
from telegram.ext import AIORateLimiter

MAX_RETRIES = 5


class ChatPacingRateLimiter(AIORateLimiter):
    """PTB's limiter paces the overall and group limits and retries after a 429; this adds
    pacing per private chat (about one message a second, short bursts allowed)."""

    def __init__(self, chat_burst: int = 3, chat_period: float = 3.0, **kwargs: Any) -> None:
        super().__init__(max_retries=MAX_RETRIES, **kwargs)
        self._chat_burst, self._chat_period = chat_burst, chat_period
        self._chat_limiters: dict[int, AsyncLimiter] = {}

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
        rate_limit_args: int | None,
    ) -> Any:
        chat_id = data.get("chat_id")
        if isinstance(chat_id, int) and chat_id > 0:
            async with self._chat_limiter(chat_id):
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )
