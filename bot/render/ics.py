"""A calendar event as an iCalendar file (RFC 5545), for channels that cannot remind the user
themselves. The start carries its zone (TZID and the zone's VTIMEZONE), so 09:30 in Stockholm
stays 09:30 in Stockholm in any calendar; the words are the flows'."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event

from flows.messages import CalendarEvent

PRODID = "-//Cluster Journey//Cluster Journey//EN"


def ics_bytes(event: CalendarEvent) -> bytes:
    """The event in a calendar of its own, with the definition of its time zone."""
    start = datetime.fromisoformat(event.start).replace(tzinfo=ZoneInfo(event.timezone))
    language = {"LANGUAGE": event.lang}
    item = Event()
    item.add("uid", event.uid)
    item.add("dtstamp", datetime.fromtimestamp(event.stamp, UTC).replace(microsecond=0))
    item.add("sequence", event.sequence)
    item.add("dtstart", start)
    item.add("duration", timedelta(minutes=event.minutes))
    item.add("summary", event.summary, parameters=language)
    item.add("description", event.description, parameters=language)
    item.add("transp", "TRANSPARENT")  # a note to act on, not a busy slot
    if event.url:
        item.add("url", event.url)
    if event.alarm:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", event.summary)
        alarm.add("trigger", timedelta(0))
        item.add_component(alarm)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(item)
    # the zone's rules around the event only: a file of a few lines, not of seventy years
    year = start.year
    calendar.add_missing_timezones(date(year - 1, 1, 1), date(year + 2, 1, 1))
    return bytes(calendar.to_ical())
