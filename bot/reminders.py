"""Reminders: when they fall due, how they are kept in the database, and how they are sent.

This module owns three things and nothing else:

- **Timing** (pure): a reminder goes out at 09:30 local time in the user's time zone on a weekday
  (Monday to Friday); `next_send_time` finds that moment and returns it in UTC, so summer time in
  Europe/Stockholm (last Sunday of March and of October) never moves a reminder off 09:30.
  `format_due` writes it in the user's language with Babel ("tisdag 8 december kl. 09:30").
- **Store functions** on the `reminders` table of `bot.storage`: one active reminder per user,
  each change a short transaction, Core only (SQLite and PostgreSQL alike). Times in the table are
  unix seconds (UTC).
- **Delivery**: `ReminderDispatcher.tick` is one run of the periodic job. It claims due rows
  atomically, sends them paced below Telegram's 30 messages per second, and marks a row sent only
  after Telegram accepted it. A crash between claim and send leaves a `claimed` row that
  `requeue_stale` puts back: a reminder is never lost. Flood waits (429) and network errors
  retry later; a user who blocked the bot has reminders disabled.

Row states: ``scheduled`` → ``claimed`` → (sent:) ``scheduled`` again for the next occurrence
(reminders recur until stopped, so the table's ``sent`` state is not used; ``sent_at`` records it);
``paused``, ``stopped`` and ``blocked`` (the user blocked the bot) are left alone by the job.

It does not build the reminder's text or buttons: the Telegram adapter passes a ``send``
callable that does, and raises python-telegram-bot's exceptions on failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time as _time
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from aiolimiter import AsyncLimiter
from babel.dates import format_datetime
from sqlalchemy.ext.asyncio import AsyncConnection
from telegram.error import Forbidden, RetryAfter

from bot.storage import Storage, reminders, users

logger = logging.getLogger(__name__)

SEND_AT = time(9, 30)
WEEKDAYS = range(5)  # Monday = 0 … Friday = 4

SCHEDULED, CLAIMED = "scheduled", "claimed"  # a sent reminder is `scheduled` for its next time
PAUSED, STOPPED, BLOCKED = "paused", "stopped", "blocked"
ACTIVE = (SCHEDULED, CLAIMED, PAUSED)  # what `active` returns and `schedule` replaces

Row = sa.Row[Any]
When = float | datetime  # unix seconds (UTC) or an aware datetime


# --------------------------------------------------------------------------------------------
# Timing


def next_send_time(after: datetime, days: int, tz: ZoneInfo) -> datetime:
    """The first weekday at 09:30 in ``tz`` at least ``days`` calendar days (local) after
    ``after`` and strictly later than it, as an aware UTC datetime.

    ``days=0`` gives the next 09:30 weekday slot from now (today's, if it is still ahead).
    """
    if after.tzinfo is None:
        raise ValueError("next_send_time needs an aware datetime")
    if days < 0:
        raise ValueError("days must not be negative")
    day: date = after.astimezone(tz).date() + timedelta(days=days)
    while True:
        # 09:30 is never inside a summer-time change (those happen at 02:00–03:00 local), so
        # combining the local date and time with the zone is exact on every day of the year.
        candidate = datetime.combine(day, SEND_AT, tzinfo=tz)
        if day.weekday() in WEEKDAYS and candidate > after:
            return candidate.astimezone(UTC)
        day += timedelta(days=1)


_PATTERNS = {
    "sv": "EEEE d MMMM 'kl.' HH:mm",  # tisdag 8 december kl. 09:30
    "en": "EEEE d MMMM 'at' HH:mm",  # Tuesday 8 December at 09:30
}


def format_due(dt: datetime, tz: ZoneInfo, lang: str) -> str:
    """A due time in the user's language and zone: "tisdag 8 december kl. 09:30" (Swedish, as
    Babel writes weekdays: lower case) or "Tuesday 8 December at 09:30"."""
    if dt.tzinfo is None:
        raise ValueError("format_due needs an aware datetime")
    locale = "sv" if lang.lower().startswith("sv") else "en"
    return format_datetime(dt, _PATTERNS[locale], tzinfo=tz, locale=locale)


@lru_cache(maxsize=256)
def _zone(name: str | None, default: str) -> ZoneInfo:
    """The user's zone; an unknown or empty name falls back to the default, never fails."""
    for candidate in (name, default, "UTC"):
        if candidate:
            with contextlib.suppress(ZoneInfoNotFoundError, ValueError):
                return ZoneInfo(candidate)
    return ZoneInfo("UTC")


def _timestamp(when: When) -> float:
    if isinstance(when, datetime):
        if when.tzinfo is None:
            raise ValueError("an aware datetime is needed")
        return when.timestamp()
    return float(when)


def _aware(when: When) -> datetime:
    if isinstance(when, datetime):
        if when.tzinfo is None:
            raise ValueError("an aware datetime is needed")
        return when
    return datetime.fromtimestamp(when, UTC)


# --------------------------------------------------------------------------------------------
# Store functions


async def _user_zone(conn: AsyncConnection, storage: Storage, user_id: str) -> ZoneInfo:
    name = (await conn.execute(
        sa.select(users.c.timezone).where(users.c.id == user_id))).scalar_one_or_none()
    if name is None:  # the column is NOT NULL: no row
        raise LookupError(f"no user {user_id!r}")
    return _zone(name, storage.default_timezone)


def _active_of(user_id: str) -> sa.ColumnElement[bool]:
    return sa.and_(reminders.c.user_id == user_id, reminders.c.state.in_(ACTIVE))


async def schedule(storage: Storage, user_id: str, chat_id: int, days: int, now: When) -> float:
    """Remind the user every ``days`` days from now; replaces their active reminder (one per
    user). Returns the first due time (unix seconds). The user row must exist."""
    if days < 1:
        raise ValueError("days must be at least 1")
    created = _timestamp(now)
    async with storage.engine.begin() as conn:
        zone = await _user_zone(conn, storage, user_id)
        due = next_send_time(_aware(now), days, zone).timestamp()
        # The user's latest row is reused, whatever its state: one row per user keeps the table
        # small and leaves no second active reminder behind. A row being sent right now was
        # `claimed`; it becomes `scheduled` here, so the in-flight send's `mark_sent` no longer
        # matches its claim and leaves the new schedule alone.
        latest = (await conn.execute(
            sa.select(reminders.c.id).where(reminders.c.user_id == user_id)
            .order_by(reminders.c.id.desc()).limit(1))).scalar_one_or_none()
        values = {"chat_id": chat_id, "interval_days": days, "due": due, "state": SCHEDULED,
                  "claimed_at": None, "attempts": 0, "last_error": None}
        if latest is None:
            await conn.execute(reminders.insert().values(
                user_id=user_id, created=created, **values))
        else:
            await conn.execute(reminders.update().where(reminders.c.id == latest).values(values))
            await conn.execute(reminders.update().where(
                _active_of(user_id), reminders.c.id != latest).values(state=STOPPED))
    return due


async def active(storage: Storage, user_id: str) -> Row | None:
    """The user's scheduled, claimed or paused reminder, or None."""
    async with storage.engine.connect() as conn:
        return (await conn.execute(
            sa.select(reminders).where(_active_of(user_id))
            .order_by(reminders.c.id.desc()).limit(1))).first()


async def pause(storage: Storage, user_id: str) -> bool:
    """Pause the user's reminder (it keeps its interval and due time). False if none."""
    async with storage.engine.begin() as conn:
        changed = (await conn.execute(reminders.update().where(
            reminders.c.user_id == user_id, reminders.c.state.in_((SCHEDULED, CLAIMED)))
            .values(state=PAUSED, claimed_at=None))).rowcount
    return changed > 0


async def resume(storage: Storage, user_id: str, now: When) -> float | None:
    """Resume a paused reminder: at its old due time if that is still ahead, otherwise one
    interval from now. Returns the due time, or None if nothing was paused."""
    stamp = _timestamp(now)
    async with storage.engine.begin() as conn:
        row = (await conn.execute(sa.select(reminders).where(
            reminders.c.user_id == user_id, reminders.c.state == PAUSED)
            .order_by(reminders.c.id.desc()).limit(1))).first()
        if row is None:
            return None
        due = row.due
        if due <= stamp:
            zone = await _user_zone(conn, storage, user_id)
            due = next_send_time(_aware(now), row.interval_days, zone).timestamp()
        await conn.execute(reminders.update().where(reminders.c.id == row.id).values(
            state=SCHEDULED, due=due, attempts=0, last_error=None))
    return due


async def stop(storage: Storage, user_id: str) -> bool:
    """Stop the user's reminder for good (a new `schedule` starts again). False if none."""
    async with storage.engine.begin() as conn:
        changed = (await conn.execute(reminders.update().where(_active_of(user_id))
                                      .values(state=STOPPED, claimed_at=None))).rowcount
    return changed > 0


async def snooze(storage: Storage, user_id: str, now: When, days: int = 7) -> float | None:
    """Remind again ``days`` days from now (then every interval as before); also resumes a
    paused reminder. Returns the new due time, or None if the user has no active reminder."""
    async with storage.engine.begin() as conn:
        zone = await _user_zone(conn, storage, user_id)
        due = next_send_time(_aware(now), days, zone).timestamp()
        changed = (await conn.execute(reminders.update().where(_active_of(user_id)).values(
            state=SCHEDULED, due=due, claimed_at=None, attempts=0, last_error=None))).rowcount
    return due if changed else None


async def claim_due(storage: Storage, now: When, limit: int) -> list[Row]:
    """Move up to ``limit`` due ``scheduled`` rows to ``claimed`` (claimed_at = now,
    attempts + 1) and return them, earliest due first. No row is ever claimed twice.

    PostgreSQL (several replicas): in one transaction, a select picks the due rows with
    ``FOR UPDATE SKIP LOCKED`` (it locks them and passes over rows another replica's transaction
    holds, so replicas claim different rows without waiting for one another), then an update
    claims exactly those ids. Two statements on purpose: as one ``UPDATE … WHERE id IN (SELECT
    … LIMIT n FOR UPDATE SKIP LOCKED)`` PostgreSQL may run the subquery more than once and
    claim far more than ``limit`` rows (seen in the tests: 295 for a limit of 10).

    SQLite (one machine): that single statement is right there. SQLite runs one write
    transaction at a time (what BEGIN IMMEDIATE makes explicit) and the statement takes the
    write lock before it reads, so its select and update see no other writer in between and a
    batch is never cut short by a collision; ``FOR UPDATE`` is dropped by the dialect. Both
    forms repeat ``state = 'scheduled'`` in the update, so a row is claimed only if it is still
    waiting, however the driver opens its transactions. RETURNING (SQLite 3.35+) gives the rows
    this call claimed.
    """
    stamp = _timestamp(now)
    picked = (sa.select(reminders.c.id)
              .where(reminders.c.state == SCHEDULED, reminders.c.due <= stamp)
              .order_by(reminders.c.due, reminders.c.id).limit(limit)
              .with_for_update(skip_locked=True))
    claim = (reminders.update()
             .values(state=CLAIMED, claimed_at=stamp, attempts=reminders.c.attempts + 1)
             .returning(*reminders.c))
    async with storage.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            ids: Any = picked.scalar_subquery()
        else:
            ids = (await conn.execute(picked)).scalars().all()
            if not ids:
                return []
        rows = (await conn.execute(claim.where(
            reminders.c.id.in_(ids), reminders.c.state == SCHEDULED))).all()
    return sorted(rows, key=lambda r: (r.due, r.id))


async def requeue_stale(storage: Storage, now: When, older_than: float = 300) -> int:
    """Put claims older than ``older_than`` seconds back to ``scheduled`` (their process died
    between claim and send, or hung). Their due time is kept, so they go out at the next tick.
    Returns how many."""
    cutoff = _timestamp(now) - older_than
    async with storage.engine.begin() as conn:
        return (await conn.execute(reminders.update().where(
            reminders.c.state == CLAIMED, reminders.c.claimed_at < cutoff)
            .values(state=SCHEDULED, claimed_at=None))).rowcount


def _claimed(reminder_id: int, claim: float | None) -> sa.ColumnElement[bool]:
    """Still claimed (by this very claim, when its claimed_at is given)."""
    condition = sa.and_(reminders.c.id == reminder_id, reminders.c.state == CLAIMED)
    if claim is not None:
        condition = sa.and_(condition, reminders.c.claimed_at == claim)
    return condition


async def mark_sent(storage: Storage, reminder_id: int, now: When,
                    claim: float | None = None) -> float | None:
    """Telegram accepted the reminder: record ``sent_at`` and schedule the same row for its next
    occurrence (one interval from now, 09:30 on a weekday in the user's zone). Returns the new
    due time, or None if the row was no longer claimed (the user paused, stopped or rescheduled
    it meanwhile: their choice stands; only sent_at is recorded). ``claim`` is the row's
    claimed_at when it was claimed; given, a claim that was requeued and taken by another
    process is not marked by this one."""
    stamp = _timestamp(now)
    async with storage.engine.begin() as conn:
        row = (await conn.execute(
            sa.select(reminders.c.interval_days, users.c.timezone)
            .join(users, users.c.id == reminders.c.user_id)
            .where(_claimed(reminder_id, claim)))).first()
        if row is None:
            await conn.execute(reminders.update().where(reminders.c.id == reminder_id)
                               .values(sent_at=stamp))
            return None
        zone = _zone(row.timezone, storage.default_timezone)
        due = next_send_time(_aware(now), row.interval_days, zone).timestamp()
        changed = (await conn.execute(reminders.update().where(_claimed(reminder_id, claim))
                                      .values(state=SCHEDULED, due=due, sent_at=stamp,
                                              claimed_at=None, attempts=0,
                                              last_error=None))).rowcount
    return due if changed else None


async def retry_later(storage: Storage, reminder_id: int, at: When, error: str,
                      claim: float | None = None) -> bool:
    """A claimed reminder could not be sent: back to ``scheduled``, due at ``at``, with the
    error kept. False if the row was no longer claimed."""
    async with storage.engine.begin() as conn:
        changed = (await conn.execute(reminders.update().where(_claimed(reminder_id, claim))
                                      .values(state=SCHEDULED, due=_timestamp(at),
                                              claimed_at=None,
                                              last_error=error[:500]))).rowcount
    return changed > 0


async def disable_for_user(storage: Storage, user_id: str, reason: str) -> int:
    """The user blocked the bot: every active reminder of theirs becomes ``blocked`` (a new
    `schedule`, when they talk to the bot again, re-enables it). Returns how many rows."""
    async with storage.engine.begin() as conn:
        return (await conn.execute(reminders.update().where(_active_of(user_id)).values(
            state=BLOCKED, claimed_at=None, last_error=reason[:500]))).rowcount


# --------------------------------------------------------------------------------------------
# Delivery


Send = Callable[[Row], Awaitable[None]]

RETRY_STEP = 60.0  # seconds × attempts after a network or other error …
RETRY_CAP = 3600.0  # … at most an hour
CHAT_SPACING = 1.05  # seconds between two sends to one chat (Telegram: about 1 per second)


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


def _retry_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22.2+ warns on the int form; either form is fine
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class ReminderDispatcher:
    """Sends due reminders; call `tick` from a periodic job (every 30–60 s).

    ``rate`` paces sends overall (20/s leaves a third of Telegram's 30/s for interactive
    replies), smoothly and across ticks; ``concurrency`` sends are in flight at most. A 429
    pauses all further sends of this dispatcher for its ``retry_after``. ``clock`` gives unix
    seconds for the database (due and claim times); pacing and pauses use the event loop's
    clock. ``send`` must use an HTTP pool of at least ``concurrency`` connections.

    A tick hands back to ``scheduled`` what it could not send within ``stale_after / 2``
    seconds, so its claims never grow old enough for `requeue_stale` (in another replica) to
    take them while they are still being worked on; keep ``batch`` below ``rate × stale_after
    / 2`` (500 at 20/s takes 25 s) so that only long flood waits need it.
    """

    def __init__(self, storage: Storage, send: Send, clock: Callable[[], float] = _time.time,
                 rate: float = 20.0, batch: int = 500, *, concurrency: int = 10,
                 stale_after: float = 300.0) -> None:
        if rate <= 0 or batch < 1 or concurrency < 1:
            raise ValueError("rate, batch and concurrency must be positive")
        self.storage = storage
        self.send = send
        self.clock = clock
        self.rate = rate
        self.batch = batch
        self.concurrency = concurrency
        self.stale_after = stale_after
        self._limiter = AsyncLimiter(1, 1 / rate)  # one at a time, evenly spaced: no bursts
        self._paused_until = 0.0  # loop time
        self._chat_ready: dict[int, float] = {}  # loop time of the next allowed send per chat
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
        stats.requeued = await requeue_stale(self.storage, now, self.stale_after)
        if stats.requeued:
            logger.warning("requeued %d stale reminder claims", stats.requeued)
        rows = await claim_due(self.storage, now, self.batch)
        stats.claimed = len(rows)
        if not rows:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.stale_after / 2
        self._chat_ready = {c: t for c, t in self._chat_ready.items() if t > loop.time()}
        pending = iter(rows)

        async def worker() -> None:
            for row in pending:  # shared iterator: each row goes to exactly one worker
                await self._deliver(row, stats, deadline)

        await asyncio.gather(*(worker() for _ in range(min(self.concurrency, len(rows)))))
        logger.info("reminder tick: %s", stats)

    async def _deliver(self, row: Row, stats: TickStats, deadline: float) -> None:
        try:
            if await self._wait_turn(row, deadline):
                await self._send_one(row, stats)
            else:
                # Not sendable within this tick (a long flood wait, or a batch larger than the
                # pace allows): hand it back, due when the pause ends, instead of holding it.
                wait = max(self._paused_until - asyncio.get_running_loop().time(), 0.0)
                await retry_later(self.storage, row.id, self.clock() + wait,
                                  "released: not sent within the tick", row.claimed_at)
                stats.retried += 1
        except Exception:
            # Bookkeeping failed (database away?): the row stays claimed and requeue_stale
            # brings it back later. Never lost; the log tells why it was late.
            logger.exception("reminder %s: bookkeeping failed", row.id)

    async def _wait_turn(self, row: Row, deadline: float) -> bool:
        """Wait for a slot of the overall pace, past any flood pause and the chat's own
        spacing; False if that would run past the deadline."""
        loop = asyncio.get_running_loop()
        while True:
            await self._limiter.acquire()
            now = loop.time()
            ready = max(self._paused_until, self._chat_ready.get(row.chat_id, 0.0))
            if max(ready, now) > deadline:
                return False
            if ready <= now:
                self._chat_ready[row.chat_id] = now + CHAT_SPACING
                return True
            await asyncio.sleep(ready - now)

    async def _send_one(self, row: Row, stats: TickStats) -> None:
        try:
            await self.send(row)
        except RetryAfter as exc:
            seconds = _retry_seconds(exc)
            loop = asyncio.get_running_loop()
            self._paused_until = max(self._paused_until, loop.time() + seconds)
            stats.rate_limited += 1
            stats.retried += 1
            logger.warning("reminder %s: flood wait %.0f s; pausing sends", row.id, seconds)
            await retry_later(self.storage, row.id, self.clock() + seconds,
                              f"RetryAfter: {seconds:g} s", row.claimed_at)
        except Forbidden as exc:
            stats.disabled += 1
            logger.info("reminder %s: %s; reminders of %s disabled", row.id, exc, row.user_id)
            reason = str(exc) if str(exc).startswith("Forbidden") else f"Forbidden: {exc}"
            await disable_for_user(self.storage, row.user_id, reason)
        except Exception as exc:  # NetworkError, TimedOut, BadRequest, a bug in `send`
            delay = min(RETRY_STEP * max(row.attempts, 1), RETRY_CAP)
            stats.retried += 1
            logger.warning("reminder %s: %s: %s; retry in %.0f s", row.id,
                           type(exc).__name__, exc, delay,
                           exc_info=not _is_telegram(exc))
            await retry_later(self.storage, row.id, self.clock() + delay,
                              f"{type(exc).__name__}: {exc}", row.claimed_at)
        else:
            stats.sent += 1
            # Telegram has the message: record it even if this task is being cancelled.
            await asyncio.shield(self._mark_sent(row))

    async def _mark_sent(self, row: Row) -> None:
        for attempt in range(3):
            try:
                await mark_sent(self.storage, row.id, self.clock(), row.claimed_at)
                return
            except Exception:
                if attempt == 2:
                    raise
                await asyncio.sleep(0.5 * (attempt + 1))


def _is_telegram(exc: BaseException) -> bool:
    return type(exc).__module__.startswith("telegram")
