"""The reminders table: one active reminder per user, each change a short transaction, Core
only (SQLite and PostgreSQL alike). Times in the table are unix seconds (UTC).

Row states: ``scheduled`` → ``claimed`` → (sent:) ``scheduled`` again for the next occurrence
(reminders recur until stopped; ``sent_at`` records the send); ``paused``, ``stopped`` and
``blocked`` (the user blocked the bot) are left alone by the job. A crash between claim and send
leaves a ``claimed`` row that `requeue_stale` puts back: a reminder is never lost.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bot.storage.aio import AsyncConnection
from bot.storage.database import Storage
from bot.storage.personal_data import Holding, delete_where, rows_where
from bot.storage.schema import reminders, users
from flows.reminders.port import ReminderInfo
from flows.reminders.timing import next_send_time, zone

SCHEDULED, CLAIMED = "scheduled", "claimed"  # a sent reminder is `scheduled` for its next time
PAUSED, STOPPED, BLOCKED = "paused", "stopped", "blocked"
ACTIVE = (SCHEDULED, CLAIMED, PAUSED)  # what `active` returns and `schedule` replaces

Row = sa.Row[Any]
When = float | datetime  # unix seconds (UTC) or an aware datetime


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


def _active_of(user_id: str) -> sa.ColumnElement[bool]:
    return sa.and_(reminders.c.user_id == user_id, reminders.c.state.in_(ACTIVE))


async def _user_zone(
    conn: AsyncConnection, default: str, user_id: str, name: str | None = None
) -> ZoneInfo:
    """The zone given, else the user's from their row (which must exist)."""
    if name is not None:
        return zone(name, default)
    name = (
        await conn.execute(sa.select(users.c.timezone).where(users.c.id == user_id))
    ).scalar_one_or_none()
    if name is None:  # the column is NOT NULL: no row
        raise LookupError(f"no user {user_id!r}")
    return zone(name, default)


def _claimed(reminder_id: int, claim: float | None) -> sa.ColumnElement[bool]:
    """Still claimed (by this very claim, when its claimed_at is given)."""
    condition = sa.and_(reminders.c.id == reminder_id, reminders.c.state == CLAIMED)
    if claim is not None:
        condition = sa.and_(condition, reminders.c.claimed_at == claim)
    return condition


class ReminderStore:
    """The flows' `Reminders` port on the database, and the reminder job's claims, bound to
    one storage."""

    def __init__(
        self, storage: Storage, user_row: Callable[[], Awaitable[None]] | None = None
    ) -> None:
        self.storage = storage
        self.user_row = user_row  # writes the event's new user first (rows refer to theirs)

    async def schedule(
        self, user_id: str, target: int, days: int, now: When, zone_name: str | None = None
    ) -> float:
        """Remind the user every ``days`` days from now; replaces their active reminder (one per
        user). Returns the first due time (unix seconds). The user row must exist; ``zone_name``
        is their time zone (read from their row when not given)."""
        if days < 1:
            raise ValueError("days must be at least 1")
        created = _timestamp(now)
        if self.user_row is not None:
            await self.user_row()
        async with self.storage.transaction() as conn:
            user_zone = await _user_zone(conn, self.storage.default_timezone, user_id, zone_name)
            due = next_send_time(_aware(now), days, user_zone).timestamp()
            # The user's latest row is reused, whatever its state: one row per user keeps the table
            # small and leaves no second active reminder behind. A row being sent right now was
            # `claimed`; it becomes `scheduled` here, so the in-flight send's `mark_sent` no longer
            # matches its claim and leaves the new schedule alone.
            latest = (
                await conn.execute(
                    sa.select(reminders.c.id)
                    .where(reminders.c.user_id == user_id)
                    .order_by(reminders.c.id.desc())
                    .limit(1)
                )
            ).scalar_one_or_none()
            values = {
                "chat_id": target,
                "interval_days": days,
                "due": due,
                "state": SCHEDULED,
                "claimed_at": None,
                "attempts": 0,
                "last_error": None,
            }
            if latest is None:
                await conn.execute(
                    reminders.insert().values(user_id=user_id, created=created, **values)
                )
            else:
                await conn.execute(
                    reminders.update().where(reminders.c.id == latest).values(values)
                )
                await conn.execute(
                    reminders.update()
                    .where(_active_of(user_id), reminders.c.id != latest)
                    .values(state=STOPPED)
                )
        return due

    async def get(self, user_id: str) -> ReminderInfo | None:
        row = await self.active(user_id)
        return (
            None if row is None else ReminderInfo(row.state == PAUSED, row.interval_days, row.due)
        )

    async def active(self, user_id: str) -> Row | None:
        """The user's scheduled, claimed or paused reminder, or None."""
        async with self.storage.transaction() as conn:
            return (
                await conn.execute(
                    sa.select(reminders)
                    .where(_active_of(user_id))
                    .order_by(reminders.c.id.desc())
                    .limit(1)
                )
            ).first()

    async def pause(self, user_id: str) -> bool:
        """Pause the user's reminder (it keeps its interval and due time). False if none."""
        async with self.storage.transaction() as conn:
            changed = (
                await conn.execute(
                    reminders.update()
                    .where(
                        reminders.c.user_id == user_id, reminders.c.state.in_((SCHEDULED, CLAIMED))
                    )
                    .values(state=PAUSED, claimed_at=None)
                )
            ).rowcount
        return changed > 0

    async def resume(self, user_id: str, now: When, zone_name: str | None = None) -> float | None:
        """Resume a paused reminder: at its old due time if that is still ahead, otherwise one
        interval from now. Returns the due time, or None if nothing was paused."""
        stamp = _timestamp(now)
        async with self.storage.transaction() as conn:
            row = (
                await conn.execute(
                    sa.select(reminders)
                    .where(reminders.c.user_id == user_id, reminders.c.state == PAUSED)
                    .order_by(reminders.c.id.desc())
                    .limit(1)
                )
            ).first()
            if row is None:
                return None
            due = float(row.due)
            if due <= stamp:
                user_zone = await _user_zone(
                    conn, self.storage.default_timezone, user_id, zone_name
                )
                due = next_send_time(_aware(now), row.interval_days, user_zone).timestamp()
            await conn.execute(
                reminders.update()
                .where(reminders.c.id == row.id)
                .values(state=SCHEDULED, due=due, attempts=0, last_error=None)
            )
        return due

    async def stop(self, user_id: str) -> bool:
        """Stop the user's reminder for good (a new `schedule` starts again). False if none."""
        async with self.storage.transaction() as conn:
            changed = (
                await conn.execute(
                    reminders.update()
                    .where(_active_of(user_id))
                    .values(state=STOPPED, claimed_at=None)
                )
            ).rowcount
        return changed > 0

    async def snooze(
        self, user_id: str, now: When, zone_name: str | None = None, days: int = 7
    ) -> float | None:
        """Remind again ``days`` days from now (then every interval as before); also resumes a
        paused reminder. Returns the new due time, or None if the user has no active reminder."""
        async with self.storage.transaction() as conn:
            user_zone = await _user_zone(conn, self.storage.default_timezone, user_id, zone_name)
            due = next_send_time(_aware(now), days, user_zone).timestamp()
            changed = (
                await conn.execute(
                    reminders.update()
                    .where(_active_of(user_id))
                    .values(state=SCHEDULED, due=due, claimed_at=None, attempts=0, last_error=None)
                )
            ).rowcount
        return due if changed else None

    async def move_to_zone(
        self, user_id: str, old_zone: str, new_zone: str, now: When
    ) -> float | None:
        """Keep the pending reminder (a snooze too) on the day the user was told, at 09:30 in
        their new time zone (or the next weekday slot if that has passed). Returns its due time,
        or None if they have none scheduled or paused."""
        async with self.storage.transaction() as conn:
            row = (
                await conn.execute(
                    sa.select(reminders.c.id, reminders.c.due)
                    .where(
                        reminders.c.user_id == user_id, reminders.c.state.in_((SCHEDULED, PAUSED))
                    )
                    .order_by(reminders.c.id.desc())
                    .limit(1)
                )
            ).first()
            if row is None:
                return None
            told = datetime.fromtimestamp(float(row.due), UTC).astimezone(zone(old_zone)).date()
            target = zone(new_zone)
            start_of_day = datetime.combine(told, time(0, 0), tzinfo=target)
            due = next_send_time(max(start_of_day, _aware(now)), 0, target).timestamp()
            await conn.execute(reminders.update().where(reminders.c.id == row.id).values(due=due))
        return due

    async def claim_due(self, now: When, limit: int) -> list[Row]:
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
        picked = (
            sa.select(reminders.c.id)
            .where(reminders.c.state == SCHEDULED, reminders.c.due <= stamp)
            .order_by(reminders.c.due, reminders.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        claim = (
            reminders.update()
            .values(state=CLAIMED, claimed_at=stamp, attempts=reminders.c.attempts + 1)
            .returning(*reminders.c)
        )
        async with self.storage.transaction() as conn:
            if conn.dialect.name == "sqlite":
                ids: Any = picked.scalar_subquery()
            else:
                ids = (await conn.execute(picked)).scalars().all()
                if not ids:
                    return []
            rows = (
                await conn.execute(
                    claim.where(reminders.c.id.in_(ids), reminders.c.state == SCHEDULED)
                )
            ).all()
        return sorted(rows, key=lambda r: (r.due, r.id))

    async def requeue_stale(self, now: When, older_than: float = 300) -> int:
        """Put claims older than ``older_than`` seconds back to ``scheduled`` (their process died
        between claim and send, or hung). Their due time is kept, so they go out at the next tick.
        Returns how many."""
        cutoff = _timestamp(now) - older_than
        async with self.storage.transaction() as conn:
            return (
                await conn.execute(
                    reminders.update()
                    .where(reminders.c.state == CLAIMED, reminders.c.claimed_at < cutoff)
                    .values(state=SCHEDULED, claimed_at=None)
                )
            ).rowcount

    async def mark_sent(
        self, reminder_id: int, now: When, claim: float | None = None
    ) -> float | None:
        """Telegram accepted the reminder: record ``sent_at`` and schedule the same row for its next
        occurrence (one interval from now, 09:30 on a weekday in the user's zone). Returns the new
        due time, or None if the row was no longer claimed (the user paused, stopped or rescheduled
        it meanwhile: their choice stands; only sent_at is recorded). ``claim`` is the row's
        claimed_at when it was claimed; given, a claim that was requeued and taken by another
        process is not marked by this one."""
        stamp = _timestamp(now)
        async with self.storage.transaction() as conn:
            row = (
                await conn.execute(
                    sa.select(reminders.c.interval_days, users.c.timezone)
                    .join(users, users.c.id == reminders.c.user_id)
                    .where(_claimed(reminder_id, claim))
                )
            ).first()
            if row is None:
                await conn.execute(
                    reminders.update().where(reminders.c.id == reminder_id).values(sent_at=stamp)
                )
                return None
            user_zone = zone(row.timezone, self.storage.default_timezone)
            due = next_send_time(_aware(now), row.interval_days, user_zone).timestamp()
            changed = (
                await conn.execute(
                    reminders.update()
                    .where(_claimed(reminder_id, claim))
                    .values(
                        state=SCHEDULED,
                        due=due,
                        sent_at=stamp,
                        claimed_at=None,
                        attempts=0,
                        last_error=None,
                    )
                )
            ).rowcount
        return due if changed else None

    async def retry_later(
        self, reminder_id: int, at: When, error: str, claim: float | None = None
    ) -> bool:
        """A claimed reminder could not be sent: back to ``scheduled``, due at ``at``, with the
        error kept. False if the row was no longer claimed."""
        async with self.storage.transaction() as conn:
            changed = (
                await conn.execute(
                    reminders.update()
                    .where(_claimed(reminder_id, claim))
                    .values(
                        state=SCHEDULED, due=_timestamp(at), claimed_at=None, last_error=error[:500]
                    )
                )
            ).rowcount
        return changed > 0

    async def disable_for_user(self, user_id: str, reason: str) -> int:
        """The user blocked the bot: every active reminder of theirs becomes ``blocked`` (a new
        `schedule`, when they talk to the bot again, re-enables it). Returns how many rows."""
        async with self.storage.transaction() as conn:
            return (
                await conn.execute(
                    reminders.update()
                    .where(_active_of(user_id))
                    .values(state=BLOCKED, claimed_at=None, last_error=reason[:500])
                )
            ).rowcount


PERSONAL_DATA = (
    Holding(
        "reminders",
        reminders,
        ("user_id", "chat_id"),
        delete_where(reminders, "user_id"),
        rows_where(reminders, "user_id"),
    ),
)
