"""Pacing every message the bot sends, interactive replies and reminders alike, in one layer
(python-telegram-bot's rate-limiter hook), with budgets that hold for the bot as a whole.

Each budget is a schedule of slots (GCRA, "virtual scheduling"): a send takes the next free
slot of every budget that applies to it, waits until that slot, and goes. The schedules live
in `Slots`: in memory for one process (SQLite), or in the database for several replicas
(PostgreSQL, `bot.storage.budgets`), so that what the replicas send together stays within the
budget whatever their number. The budgets, in the order they are taken:

- per private chat: a short burst, then one a second (Telegram's limit per chat);
- per group: 20 a minute;
- bulk (reminders, sent with ``rate_limit_args=BULK``): 70 % of the overall pace;
- later (what may wait: a summary's chart, live-results edits, ``rate_limit_args=LATER``; and
  the reminders): 85 % of it;
- overall: ``rate`` messages a second (28 by default: Telegram allows about 30), taken last so
  that a message goes out in its overall slot.

So interactive use comes first: an interactive send takes an overall slot at once, while what
may wait queues in its own lane and takes an overall slot only when its lane's turn comes (a
backlog of reminders or charts never stands in front of the next question).

A 429 (flood wait) holds the overall budget back for everyone, and the send is retried.
Requests that send nothing to a chat (answering a button, getMe) are not paced.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from datetime import timedelta
from typing import Any, Protocol

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot import metrics

log = logging.getLogger(__name__)
MAX_RETRIES = 5
BULK = "bulk"  # rate_limit_args of a reminder: waits behind everything else
LATER = "later"  # rate_limit_args of a send that may wait behind interactive ones
RATE = 28.0  # messages a second, overall
BULK_SHARE = 0.7
LATER_SHARE = 0.85


class Slots(Protocol):
    """Where the budgets' schedules are kept."""

    async def take(self, key: str, interval: float) -> tuple[float, float]:
        """Advance budget `key` by one slot of `interval` seconds; returns (the moment the
        budget is free again, now), both on the store's clock."""
        ...

    async def hold(self, key: str, seconds: float) -> None:
        """Give budget `key` no free slot for `seconds` from now."""
        ...


class MemorySlots:
    """The schedules of one process."""

    def __init__(self) -> None:
        self._tat: dict[str, float] = {}
        self._prune_at = 4096

    async def take(self, key: str, interval: float) -> tuple[float, float]:
        now = time.monotonic()
        if len(self._tat) > self._prune_at:  # forget budgets that are free again (quiet chats)
            self._tat = {k: t for k, t in self._tat.items() if t > now}
            self._prune_at = max(4096, 2 * len(self._tat))
        tat = self._tat[key] = max(self._tat.get(key, now), now) + interval
        return tat, now

    async def hold(self, key: str, seconds: float) -> None:
        now = time.monotonic()
        self._tat[key] = max(self._tat.get(key, now), now + seconds)


async def wait_for_slot(slots: Slots, key: str, interval: float, burst: int = 1) -> float:
    """Take the next slot of a budget of one per `interval` seconds (after a burst of
    `burst`), and sleep until it; returns the seconds slept."""
    tat, now = await slots.take(key, interval)
    wait = (tat - interval) - (burst - 1) * interval - now
    if wait > 0:
        await asyncio.sleep(wait)
    return max(wait, 0.0)


def retry_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22.2+ warns on the int form; either form is fine
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class Pacing(BaseRateLimiter[int | str]):
    """The bot's rate limiter. ``rate`` None lifts the overall and bulk budgets (benchmarks of
    the bot's own costs)."""

    def __init__(
        self,
        slots: Slots | None = None,
        *,
        rate: float | None = RATE,
        bulk_rate: float | None = None,
        chat_interval: float = 1.0,
        chat_burst: int = 3,
        group_interval: float = 3.5,  # with a burst of 3: at most 20 in any minute
        group_burst: int = 3,
        max_retries: int = MAX_RETRIES,
    ) -> None:
        self.slots: Slots = slots or MemorySlots()
        self.rate = rate
        self.bulk_rate = bulk_rate if bulk_rate or rate is None else rate * BULK_SHARE
        self.later_rate = None if rate is None else rate * LATER_SHARE
        self.chat = (chat_interval, chat_burst)
        self.group = (group_interval, group_burst)
        self.max_retries = max_retries

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def _wait_turn(self, chat_id: Any, lane: int | str | None) -> None:
        if isinstance(chat_id, int) and chat_id > 0:
            await wait_for_slot(self.slots, f"chat:{chat_id}", *self.chat)
        else:  # a group, or a channel by @username
            await wait_for_slot(self.slots, f"chat:{chat_id}", *self.group)
        if lane == BULK and self.bulk_rate:
            await wait_for_slot(self.slots, "bulk", 1 / self.bulk_rate)
        if lane in (BULK, LATER) and self.later_rate:
            await wait_for_slot(self.slots, "later", 1 / self.later_rate)
        if self.rate:
            await wait_for_slot(self.slots, "all", 1 / self.rate)

    async def process_request(
        self,
        callback: Any,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | str | None,
    ) -> Any:
        chat_id = data.get("chat_id")
        if chat_id is None:
            return await callback(*args, **kwargs)
        retries = rate_limit_args if isinstance(rate_limit_args, int) else self.max_retries
        await self._wait_turn(chat_id, rate_limit_args)
        lane = metrics.lane_name(rate_limit_args)
        for attempt in range(retries + 1):
            try:
                sent = await callback(*args, **kwargs)
                metrics.FIGURES.sends.labels(lane).inc()
                return sent
            except RetryAfter as exc:
                metrics.FIGURES.flood_waits.labels(lane).inc()
                if attempt == retries:
                    raise
                metrics.FIGURES.retries.labels(lane).inc()
                seconds = retry_seconds(exc)
                log.info("%s: flood wait %.0f s; every send waits", endpoint, seconds)
                await self.slots.hold("all", seconds)
                if self.rate:
                    await wait_for_slot(self.slots, "all", 1 / self.rate)
                else:
                    await asyncio.sleep(seconds)
        raise AssertionError("unreachable")
