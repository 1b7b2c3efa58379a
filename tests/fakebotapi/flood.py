"""Telegram's flood control, as token buckets: one per chat and one for the whole bot.

Off until a test calls `FakeBotApi.flood_limits`; then a send or edit over the limit is answered
429 with a `retry_after`, as Telegram does (about one message a second per chat, thirty in all).
"""

from __future__ import annotations

import math
import time
from typing import Any


class Bucket:
    """A token bucket: `rate` tokens per second, at most `burst` saved."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.stamp = burst, time.monotonic()

    def wait_time(self) -> float:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1


class FloodControl:
    """The limits of one `flood_limits` call (None switches a limit off)."""

    def __init__(
        self,
        per_chat_per_sec: float | None,
        per_chat_burst: float,
        global_per_sec: float | None,
        global_burst: float | None,
    ) -> None:
        self.per_chat, self.per_chat_burst = per_chat_per_sec, per_chat_burst
        self.chats: dict[Any, Bucket] = {}
        burst = global_burst or global_per_sec or 1
        self.everywhere = Bucket(global_per_sec, burst) if global_per_sec else None

    def retry_after(self, chat_id: Any) -> int:
        """0 when a call to `chat_id` may go now (its tokens are taken), else the whole seconds
        Telegram would ask the bot to wait."""
        buckets: list[Bucket] = []
        if self.per_chat and isinstance(chat_id, int | str):
            buckets.append(
                self.chats.setdefault(chat_id, Bucket(self.per_chat, self.per_chat_burst))
            )
        if self.everywhere:
            buckets.append(self.everywhere)
        wait = max((b.wait_time() for b in buckets), default=0.0)
        if wait > 0:
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.take()
        return 0
