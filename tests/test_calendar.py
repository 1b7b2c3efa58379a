"""Add to calendar: where the channel cannot write to the user later (the terminal, the
browser), the reminder choices give an iCalendar event at 09:30 in the user's time zone with
the open next actions and a link back; Telegram keeps its reminders."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest

from bot.events import EventRunner
from bot.render import render
from bot.storage.database import Storage
from bot.telegram.sending import send_reply
from bot.web.codec import decode, encode
from flows.messages import Attachment, CalendarEvent, Event, Reply
from flows.router import Router
from tests.cli_driver import chat
from tests.helpers import Driver, Engine, quick_check
from tests.web_chat_driver import BASE, WebUser, replica

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# at step 2: its key question and step 3's are the next actions
AT_STEP_2 = ["yes", "no", "no", "yes", "yes", "yes", "yes", "yes", "yes", "yes"]
CHAT_URL = "https://journey.example/chat"


class Browser:
    """A channel like the browser's: links back to the chat, no way to write later."""

    def start_link(self, payload: str) -> str | None:
        return CHAT_URL + (f"?start={payload}" if payload else "")

    @property
    def reminder_chat(self) -> int | None:
        return None

    @property
    def longest_message(self) -> int | None:
        return None

    def length(self, text: str) -> int:
        return len(text)

    @property
    def longest_label(self) -> int | None:
        return None

    @property
    def edits_in_place(self) -> bool:
        return False


class Pushing(Browser):
    """A channel that delivers reminders to a chat, as Telegram does."""

    @property
    def reminder_chat(self) -> int | None:
        return 4242


@pytest.fixture
def engine(content):
    return Engine(Router(content))


def expected_day(now: float, days: int, tz: ZoneInfo) -> date:
    """`days` local days on, moved past a weekend."""
    day = datetime.fromtimestamp(now, UTC).astimezone(tz).date() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def event_of(reply: Reply) -> icalendar.Event:
    """The reply's attachment as a calendar reads it: rendered and parsed back."""
    assert reply.attachment is not None and isinstance(reply.attachment.content, CalendarEvent)
    assert not reply.attachment.is_image and reply.attachment.filename.endswith(".ics")
    calendar = icalendar.Calendar.from_ical(render(reply.attachment))
    [event] = calendar.walk("VEVENT")
    return event


def start_of(event: icalendar.Event) -> datetime:
    return event.decoded("dtstart")


def ids(reply: Reply) -> list[str]:
    return [c.id for c in reply.choices]


def test_a_swedish_quick_check_in_the_terminal_goes_into_the_calendar(engine, content):
    anna = Driver(engine, "sv")
    summary, question = anna.run_check("quick", AT_STEP_2)[:2]
    assert question.text == "Ska jag lägga in de här åtgärderna i din kalender?"
    assert "påminna" not in summary.text + question.text
    labels = {c.id: c.label for c in question.choices}
    assert list(labels) == ["rem:7", "rem:14", "rem:30"]  # only the question's own answers
    assert labels["rem:14"] == "Om två veckor"
    [reply] = anna.choose("rem:14")
    day = expected_day(anna.now, 14, STOCKHOLM)
    assert reply.text.startswith("Här är din kalenderhändelse, ")
    assert f"{day.day} " in reply.text and "kl. 09:30" in reply.text
    assert reply.attachment is not None
    assert reply.attachment.filename == f"klusterresan-{day:%Y-%m-%d}.ics"
    event = event_of(reply)
    start = start_of(event)
    assert str(start.tzinfo) == "Europe/Stockholm"
    assert (start.date(), start.time()) == (day, time(9, 30))
    assert start.utcoffset() == timedelta(hours=1)  # winter: 08:30 UTC is 09:30 in Stockholm
    assert str(event["summary"]) == "Klusterresan: era nästa åtgärder"
    assert event["summary"].params["LANGUAGE"] == "sv"
    description = str(event["description"])
    assert "Era nästa åtgärder (steg 2: " in description
    assert f"1. {content.step(2).key_question.action.sv}" in description
    assert content.step(3).key_question.action.sv in description
    assert "url" not in event  # the terminal has nothing to link back to
    assert engine.memory.reminders == {}  # nothing is scheduled where it cannot be sent


def test_remind_in_the_terminal_offers_calendar_dates(engine):
    bo = Driver(engine, "en")
    [status] = bo.command("remind")
    assert status.text.startswith("I can't write to you later in this chat, but I can put")
    assert "Time zone: Europe/Stockholm." in status.text
    assert ids(status) == ["rem:7", "rem:14", "rem:30", "rem:tz"]
    assert [c.label for c in status.choices][:3] == ["In a week", "In two weeks", "In a month"]
    [reply] = bo.choose("rem:30")
    start = start_of(event_of(reply))
    assert (start.date(), start.time()) == (expected_day(bo.now, 30, STOCKHOLM), time(9, 30))
    # before any assessment the event says where to begin
    assert "start with the self-assessment" in str(event_of(reply)["description"])


async def test_the_event_is_at_09_30_in_the_users_own_time_zone(database, content):
    storage = await Storage.open(database.url)
    try:
        runner = EventRunner(Router(content), storage)
        await runner.handle("web:bo", Event("choice", "rem:tz"), Browser())
        handled = await runner.handle("web:bo", Event("text", "europe/helsinki"), Browser())
        assert handled.replies[0].text == "Time zone set to Europe/Helsinki."
        assert ids(handled.replies[-1]) == ["rem:7", "rem:14", "rem:30", "rem:tz"]
        now = datetime.now(UTC).timestamp()
        [reply] = (await runner.handle("web:bo", Event("choice", "rem:30"), Browser())).replies
        start = start_of(event_of(reply))
        helsinki = ZoneInfo("Europe/Helsinki")
        assert str(start.tzinfo) == "Europe/Helsinki"
        assert (start.date(), start.time()) == (expected_day(now, 30, helsinki), time(9, 30))
        assert start.astimezone(helsinki).time() == time(9, 30)
        assert start.utcoffset() in (timedelta(hours=2), timedelta(hours=3))
    finally:
        await storage.close()


def test_a_new_date_moves_the_same_event_and_done_actions_leave_it(engine, content):
    cara = Driver(engine, "en")
    cara.run_check("quick", AT_STEP_2)
    first = event_of(cara.choose("rem:7")[0])
    assert str(first["summary"]) == "Cluster Journey: your next actions"
    done = content.step(2).key_question
    assert done.action.en in str(first["description"])
    cara.choose(f"own:done:{done.id}")
    second = event_of(cara.choose("rem:30")[0])
    assert second["uid"] == first["uid"] and "cli:test" not in str(second["uid"])
    assert second["sequence"] > first["sequence"]
    assert start_of(second) > start_of(first) + timedelta(days=20)
    assert done.action.en not in str(second["description"])
    assert content.step(3).key_question.action.en in str(second["description"])
    # someone else's event is another event
    other = Engine(engine.router)
    dan = Driver(other, "en")
    turn = other.handle(dan.record, Event("choice", "rem:7"), dan.now, user_id="cli:dan")
    assert event_of(turn.replies[0])["uid"] != first["uid"]


def test_old_and_forged_reminder_buttons_in_the_terminal(engine):
    eva = Driver(engine, "en")
    stale, status = eva.choose("rem:nope")
    assert stale.text == "That button is no longer active."
    assert ids(status)[:3] == ["rem:7", "rem:14", "rem:30"]
    for action in ("pause", "resume", "stop", "status"):
        [again] = eva.choose(f"rem:{action}")
        assert again.text == status.text and again.attachment is None
    [snoozed] = eva.choose("rem:snooze")  # a reminder's "Snooze a week": a week on
    start = start_of(event_of(snoozed))
    assert start.date() == expected_day(eva.now, 7, STOCKHOLM)
    assert eva.choose("rem:99")[0].text == "That button is no longer active."
    assert engine.memory.reminders == {}


def test_the_calendar_keeps_09_30_local_across_summer_time():
    """A summer date: 09:30 in Stockholm is 07:30 UTC; the file defines its zone and alerts
    at the start."""
    event = CalendarEvent(
        uid="abc@cluster-journey",
        summary="Klusterresan: era nästa åtgärder",
        description="1. Första\n2. Andra, med komma; och semikolon",
        start="2027-06-14T09:30",
        timezone="Europe/Stockholm",
        minutes=30,
        stamp=datetime(2027, 6, 1, 12, 0, tzinfo=UTC).timestamp(),
        sequence=7,
        lang="sv",
        url=CHAT_URL,
    )
    data = render(Attachment("x.ics", event))
    assert b"DTSTART;TZID=Europe/Stockholm:20270614T093000" in data
    calendar = icalendar.Calendar.from_ical(data)
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["tzid"]) == "Europe/Stockholm"
    [parsed] = calendar.walk("VEVENT")
    assert parsed.decoded("dtstart").astimezone(UTC) == datetime(2027, 6, 14, 7, 30, tzinfo=UTC)
    assert parsed.decoded("dtstamp") == datetime(2027, 6, 1, 12, 0, tzinfo=UTC)
    assert parsed.decoded("duration") == timedelta(minutes=30)
    assert str(parsed["description"]) == "1. Första\n2. Andra, med komma; och semikolon"
    assert str(parsed["url"]) == CHAT_URL
    [alarm] = parsed.walk("VALARM")
    assert alarm.decoded("trigger") == timedelta(0) and str(alarm["action"]) == "DISPLAY"


async def test_a_browser_user_gets_the_link_back_and_telegram_keeps_its_reminders(
    database, content
):
    storage = await Storage.open(database.url)
    try:
        runner = EventRunner(Router(content), storage)
        await quick_check(runner, "web:anna", "no")
        handled = await runner.handle("web:anna", Event("choice", "rem:7"), Browser(), lang="en")
        [reply] = handled.replies
        event = event_of(reply)
        assert str(event["url"]) == CHAT_URL
        description = str(event["description"])
        assert description.endswith(f"Continue in Cluster Journey: {CHAT_URL}")
        assert content.step(1).key_question.action.en in description
        assert database.rows("select user_id from reminders") == []

        # a channel that can write later: the intervals, a reminder, no file
        await quick_check(runner, "tg:7", "no")
        shown = await runner.handle("tg:7", Event("command", "summary"), Pushing(), lang="en")
        assert shown.replies[1].text == "Shall I remind you of these actions?"
        assert "calendar" not in shown.replies[0].text + shown.replies[1].text
        [status] = (await runner.handle("tg:7", Event("command", "remind"), Pushing())).replies
        assert status.text.startswith("You have no reminder.")
        assert ids(status) == ["rem:7", "rem:14", "rem:30", "rem:tz"]
        assert [c.label for c in status.choices][:3] == [
            "Every week",
            "Every two weeks",
            "Every month",
        ]
        chosen = await runner.handle("tg:7", Event("choice", "rem:14"), Pushing(), lang="en")
        [confirmation] = chosen.replies
        assert confirmation.text.startswith("I'll remind you on ") and "every two weeks" in (
            confirmation.text
        )
        assert confirmation.attachment is None
        [(user_id, days, state)] = database.rows(
            "select user_id, interval_days, state from reminders"
        )
        assert (user_id, days, state) == ("tg:7", 14, "scheduled")
    finally:
        await storage.close()


class RecordingBot:
    """Records what the sender asks of Telegram."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def send_document(self, chat_id: int, document: Any, **kwargs: Any) -> str:
        self.calls.append(("send_document", {"document": document, **kwargs}))
        return "sent"

    async def send_photo(self, chat_id: int, photo: Any, **kwargs: Any) -> str:
        self.calls.append(("send_photo", {"photo": photo, **kwargs}))
        return "sent"


async def test_a_calendar_file_reaching_telegram_goes_as_a_document(engine):
    """Telegram never offers one, but a calendar event sent there is a file, not a photo."""
    [reply] = Driver(engine, "en").choose("rem:7")
    bot = RecordingBot()
    assert await send_reply(bot, 1, reply) == "sent"  # type: ignore[arg-type]
    [(method, sent)] = bot.calls
    assert method == "send_document"
    assert sent["document"].filename.endswith(".ics")
    assert sent["caption"].startswith("Here is your calendar event, ")


def test_the_browser_chat_keeps_the_calendar_file_and_draws_it_later(engine):
    """The browser chat stores a message's attachment as JSON and renders it when the page asks:
    the event comes back the same, a download, not a picture."""
    [reply] = Driver(engine, "sv").choose("rem:14")
    assert reply.attachment is not None
    kept = decode(encode(reply.attachment))
    assert kept == reply.attachment and kept is not None and not kept.is_image
    assert render(kept) == render(reply.attachment)


async def test_the_browser_chat_downloads_the_calendar_file(database, content):
    """A Swedish newcomer in the browser: the quick check, then the summary's "in two weeks"
    gives a file to download that opens the chat again."""
    storage = await Storage.open(database.url)
    try:
        async with replica(storage, content) as client:
            anna = await WebUser([client]).open()
            await anna.press("Starta självskattningen")
            await anna.press("Snabbkoll")
            for answer in ("Ja", "Nej", "Nej", "Ja", "Ja", "Ja", "Ja", "Ja", "Ja", "Ja"):
                await anna.press(answer)
            assert "Ska jag lägga in de här åtgärderna i din kalender?" in anna.texts()
            now = datetime.now(UTC).timestamp()
            await anna.press("Om två veckor")
            message = anna.messages()[-1]
            assert message.text.startswith("Här är din kalenderhändelse, ") and message.files
            download = await anna.request("GET", message.files[0])
            assert download.status_code == 200
            assert download.headers["content-type"] == "text/calendar; charset=utf-8"
            assert download.headers["content-disposition"].startswith("attachment")
            [event] = icalendar.Calendar.from_ical(download.content).walk("VEVENT")
            start = event.decoded("dtstart")
            assert (start.date(), start.time()) == (expected_day(now, 14, STOCKHOLM), time(9, 30))
            assert str(event["url"]) == f"{BASE}/chat"
            assert content.step(2).key_question.action.sv in str(event["description"])
            assert database.rows("select user_id from reminders") == []
    finally:
        await storage.close()


def test_the_terminal_saves_the_calendar_file(tmp_path: Path):
    out = chat(tmp_path, ["/remind", "Om en vecka"], "--lang", "sv")
    assert "Här kan jag inte skriva till dig senare" in out
    [path] = re.findall(r"Sparad i (\S+\.ics)", out)
    calendar = icalendar.Calendar.from_ical(Path(path).read_bytes())
    [event] = calendar.walk("VEVENT")
    start = event.decoded("dtstart")
    assert start.time() == time(9, 30) and str(start.tzinfo) == "Europe/Stockholm"
    assert start.date() == expected_day(datetime.now(UTC).timestamp(), 7, STOCKHOLM)
