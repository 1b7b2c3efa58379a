"""Sending due reminders: one run of the periodic job claims the due rows, sends each, and
marks it sent only after Telegram accepted it.

The pace is not kept here: ``send`` goes through the bot's one pacing layer
(`bot.telegram.pacing`, as a bulk send), which also retries flood waits. What gets past it (a
429 the limiter gave up on, a network error) puts the row back for later, and a flood wait holds
back the rest of the tick; a user who blocked the bot has their reminders disabled. The text and
buttons of a reminder are built by the Telegram adapter's ``send``, which raises
python-telegram-bot's exceptions on failure.
"""

from __future__ import annotations

import asyncio
import logging
import time as _time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, fields

from telegram.error import Forbidden, RetryAfter

from bot import metrics
from bot.storage.database import Storage
from bot.storage.reminders import ReminderStore, Row
from bot.telegram.pacing import retry_seconds

logger = logging.getLogger(__name__)


Send = Callable[[Row], Awaitable[None]]

RETRY_STEP = 60.0  # seconds × attempts after a network or other error …
RETRY_CAP = 3600.0  # … at most an hour


@dataclass
class TickStats:
    """What one tick did. ``retried`` includes ``rate_limited`` (answered 429)."""

    requeued: int = 0
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    rate_limited: int = 0
    disabled: int = 0

    def add(self, other: TickStats) -> None:
        for field in fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))


class ReminderDispatcher:
    """Sends due reminders; call `tick` from a periodic job (every 30–60 s).

    ``concurrency`` sends are in flight at most. A 429 that reaches the dispatcher holds back
    its further sends for its ``retry_after``. ``clock`` gives unix seconds for the database
    (due and claim times); pauses use the event loop's clock. ``send`` must use an HTTP pool of
    at least ``concurrency`` connections.

    A tick hands back to ``scheduled`` what it could not start sending within ``stale_after /
    2`` seconds, so its claims never grow old enough for `requeue_stale` (in another replica)
    to take them while they are still being worked on; keep ``batch`` below the bulk pace ×
    ``stale_after / 2`` (500 at 20/s takes 25 s) so that only long flood waits need it.
    """

    def __init__(
        self,
        storage: Storage,
        send: Send,
        clock: Callable[[], float] = _time.time,
        batch: int = 500,
        *,
        concurrency: int = 10,
        stale_after: float = 300.0,
    ) -> None:
        if batch < 1 or concurrency < 1:
            raise ValueError("batch and concurrency must be positive")
        self.storage = storage
        self.rows = ReminderStore(storage)
        self.send = send
        self.clock = clock
        self.batch = batch
        self.concurrency = concurrency
        self.stale_after = stale_after
        self._paused_until = 0.0  # loop time
        self._running = asyncio.Lock()

    async def tick(self) -> TickStats:
        """One run of the periodic job; never raises. A tick that finds the previous one still
        running returns at once."""
        stats = TickStats()
        if self._running.locked():
            return stats
        async with self._running:
            try:
                await self._tick(stats)
            except Exception:
                logger.exception("reminder tick failed; claimed rows will be requeued")
        return stats

    async def _tick(self, stats: TickStats) -> None:
        now = self.clock()
        stats.requeued = await self.rows.requeue_stale(now, self.stale_after)
        if stats.requeued:
            logger.warning("requeued %d stale reminder claims", stats.requeued)
        rows = await self.rows.claim_due(now, self.batch)
        stats.claimed = len(rows)
        metrics.FIGURES.reminders_due.inc(len(rows))
        if not rows:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.stale_after / 2
        pending = iter(rows)

        async def worker() -> None:
            for row in pending:  # shared iterator: each row goes to exactly one worker
                await self._deliver(row, stats, deadline)

        await asyncio.gather(*(worker() for _ in range(min(self.concurrency, len(rows)))))
        logger.info("reminder tick: %s", stats)

    async def _deliver(self, row: Row, stats: TickStats, deadline: float) -> None:
        try:
            if await self._wait_turn(deadline):
                await self._send_one(row, stats)
            else:
                # Not sendable within this tick (a long flood wait, or a batch larger than the
                # pace allows): hand it back, due when the pause ends, instead of holding it.
                wait = max(self._paused_until - asyncio.get_running_loop().time(), 0.0)
                await self.rows.retry_later(
                    row.id,
                    self.clock() + wait,
                    "released: not sent within the tick",
                    row.claimed_at,
                )
                stats.retried += 1
        except Exception:
            # Bookkeeping failed (database away?): the row stays claimed and requeue_stale
            # brings it back later. Never lost; the log tells why it was late.
            logger.exception("reminder %s: bookkeeping failed", row.id)

    async def _wait_turn(self, deadline: float) -> bool:
        """Wait past a flood pause; False if the pause, or the tick so far, runs past the
        deadline."""
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            if max(self._paused_until, now) > deadline:
                return False
            if self._paused_until <= now:
                return True
            await asyncio.sleep(self._paused_until - now)

    async def _send_one(self, row: Row, stats: TickStats) -> None:
        try:
            await self.send(row)
        except RetryAfter as exc:
            seconds = retry_seconds(exc)
            loop = asyncio.get_running_loop()
            self._paused_until = max(self._paused_until, loop.time() + seconds)
            stats.rate_limited += 1
            stats.retried += 1
            logger.warning("reminder %s: flood wait %.0f s; pausing sends", row.id, seconds)
            await self.rows.retry_later(
                row.id,
                self.clock() + seconds,
                f"RetryAfter: {seconds:g} s",
                row.claimed_at,
            )
        except Forbidden as exc:
            stats.disabled += 1
            logger.info("reminder %s: %s; reminders of %s disabled", row.id, exc, row.user_id)
            reason = str(exc) if str(exc).startswith("Forbidden") else f"Forbidden: {exc}"
            await self.rows.disable_for_user(row.user_id, reason)
        except Exception as exc:  # NetworkError, TimedOut, BadRequest, a bug in `send`
            delay = min(RETRY_STEP * max(row.attempts, 1), RETRY_CAP)
            stats.retried += 1
            logger.warning(
                "reminder %s: %s: %s; retry in %.0f s",
                row.id,
                type(exc).__name__,
                exc,
                delay,
                exc_info=not _is_telegram(exc),
            )
            await self.rows.retry_later(
                row.id,
                self.clock() + delay,
                f"{type(exc).__name__}: {exc}",
                row.claimed_at,
            )
        else:
            stats.sent += 1
            metrics.FIGURES.reminders_sent.inc()
            # Telegram has the message: record it even if this task is being cancelled.
            await asyncio.shield(self._mark_sent(row))

    async def _mark_sent(self, row: Row) -> None:
        for attempt in range(3):
            try:
                await self.rows.mark_sent(row.id, self.clock(), row.claimed_at)
                return
            except Exception:
                if attempt == 2:
                    raise
                await asyncio.sleep(0.5 * (attempt + 1))


def _is_telegram(exc: BaseException) -> bool:
    return type(exc).__module__.startswith("telegram")
