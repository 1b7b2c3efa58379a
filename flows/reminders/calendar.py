"""The reminder where the channel cannot write to the user later (`Channel.reminder_chat` is
None: the terminal, the browser): an event for the user's own calendar instead, at 09:30 local
time on the day the reminder would have gone out. One event per user: adding a new date moves
the event added before (the same uid, a higher sequence) rather than piling up old lists."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from flows.locales import language
from flows.messages import Attachment, CalendarEvent
from flows.reminders.timing import next_send_time, zone

MINUTES = 30
_SEQUENCE_EPOCH = 946_684_800  # 2000-01-01: a sequence counts seconds from it, fitting 32 bits


def event_day(now: float, days: int, timezone: str) -> datetime:
    """When the event starts, in the user's zone: the first weekday at 09:30 at least `days`
    days from now, the day a reminder every `days` days would first go out."""
    tz = zone(timezone)
    return next_send_time(datetime.fromtimestamp(now, UTC), days, tz).astimezone(tz)


def event_uid(user_id: str) -> str:
    """The same for every event of one user, and not their id (the file may be shared)."""
    digest = hashlib.sha256(f"reminder:{user_id}".encode()).hexdigest()[:32]
    return f"{digest}@cluster-journey"


def calendar_attachment(
    user_id: str,
    start: datetime,
    now: float,
    lang: str,
    summary: str,
    description: str,
    url: str | None,
) -> Attachment:
    """The event starting at `start` (aware, in the user's zone) as a file to open."""
    brand = language(lang).brand
    event = CalendarEvent(
        uid=event_uid(user_id),
        summary=summary,
        description=description,
        start=start.replace(tzinfo=None).isoformat(timespec="minutes"),
        timezone=str(start.tzinfo),
        minutes=MINUTES,
        stamp=now,
        sequence=max(0, int(now) - _SEQUENCE_EPOCH),
        lang=lang,
        url=url or "",
    )
    stem = "-".join(brand.lower().split())
    return Attachment(f"{stem}-{start:%Y-%m-%d}.ics", event)
