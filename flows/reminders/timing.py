"""When a reminder goes out: 09:30 local time on a weekday, in the user's time zone, written in
their language. Pure; the store and the dialogue both use it."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime

from flows.locales import language

SEND_AT = time(9, 30)
WEEKDAYS = range(5)  # Monday = 0 … Friday = 4


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


def format_due(dt: datetime, tz: ZoneInfo, lang: str) -> str:
    """A due time in the user's language and zone: "tisdag 8 december kl. 09:30" (Swedish, as
    Babel writes weekdays: lower case) or "Tuesday 8 December at 09:30"."""
    if dt.tzinfo is None:
        raise ValueError("format_due needs an aware datetime")
    spoken = language(lang)
    return format_datetime(dt, spoken.due_format, tzinfo=tz, locale=spoken.babel)


@lru_cache(maxsize=256)
def zone(name: str | None, default: str = "UTC") -> ZoneInfo:
    """The user's zone; an unknown or empty name falls back to the default, never fails."""
    for candidate in (name, default, "UTC"):
        if candidate:
            with contextlib.suppress(ZoneInfoNotFoundError, ValueError):
                return ZoneInfo(candidate)
    return ZoneInfo("UTC")
