"""Reminders: 09:30 on weekdays across summer time, dates in both languages, and delivery that
never loses and never repeats a reminder (controllable clock; a 5 000 batch through the fake
Bot API server with its flood limits on)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.reminders import ReminderDispatcher, TickStats
from bot.storage import Storage
from bot.storage.reminders import ReminderStore
from bot.storage.schema import reminders, users
from bot.telegram.pacing import BULK_SHARE
from flows.reminders.timing import SEND_AT, format_due, next_send_time

STOCKHOLM = ZoneInfo("Europe/Stockholm")
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")


def local(*args: int, fold: int = 0) -> datetime:
    """A Stockholm wall-clock time."""
    return datetime(*args, tzinfo=STOCKHOLM, fold=fold)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


class Clock:
    """A controllable clock (unix seconds) for the database side of the dispatcher."""

    def __init__(self, start: datetime) -> None:
        self.now = start.timestamp()

    def __call__(self) -> float:
        return self.now

    def set(self, when: datetime | float) -> None:
        self.now = when.timestamp() if isinstance(when, datetime) else when

    def advance(self, seconds: float = 0, *, days: float = 0) -> None:
        self.now += seconds + days * 86400

    @property
    def dt(self) -> datetime:
        return datetime.fromtimestamp(self.now, UTC)


class Recorder:
    """A `send` callable: records each reminder it was asked to send; ``fail`` maps a chat to
    the exceptions to raise on its next sends."""

    def __init__(self) -> None:
        self.sent: list[int] = []  # chat ids, in order of successful sends
        self.tried: Counter[int] = Counter()
        self.fail: dict[int, list[Exception]] = {}

    async def __call__(self, row: sa.Row) -> None:
        self.tried[row.chat_id] += 1
        failures = self.fail.get(row.chat_id)
        if failures:
            raise failures.pop(0)
        self.sent.append(row.chat_id)


@pytest.fixture
async def storage(database):
    store = await Storage.open(database.url)
    yield store
    await store.close()


async def add_users(storage: Storage, *chat_ids: int, tz: str = "Europe/Stockholm") -> None:
    now = time.time()
    async with storage.engine.begin() as conn:
        await conn.execute(
            users.insert(),
            [
                {
                    "id": f"tg:{c}",
                    "lang": "sv",
                    "timezone": tz,
                    "state": "{}",
                    "created": now,
                    "updated": now,
                }
                for c in chat_ids
            ],
        )


async def row_of(storage: Storage, chat_id: int) -> sa.Row:
    async with storage.engine.connect() as conn:
        return (
            await conn.execute(sa.select(reminders).where(reminders.c.chat_id == chat_id))
        ).one()


# --------------------------------------------------------------------------------------------
# Timing


@pytest.mark.parametrize(
    ("after", "days", "expected"),
    [
        # an ordinary week: Tuesday + 7 → Tuesday 09:30 CET (08:30 UTC)
        (local(2026, 12, 1, 14, 0), 7, utc(2026, 12, 8, 8, 30)),
        # Friday + 1 falls on Saturday → Monday; Friday + 3 is Monday itself
        (local(2026, 1, 9, 16, 0), 1, utc(2026, 1, 12, 8, 30)),
        (local(2026, 1, 9, 16, 0), 3, utc(2026, 1, 12, 8, 30)),
        # Monday + 5 is Saturday → the Monday after
        (local(2026, 1, 12, 9, 0), 5, utc(2026, 1, 19, 8, 30)),
        # days=0: today's 09:30 if still ahead, otherwise the next weekday's
        (local(2026, 1, 12, 9, 29), 0, utc(2026, 1, 12, 8, 30)),
        (local(2026, 1, 12, 9, 30), 0, utc(2026, 1, 13, 8, 30)),
        (local(2026, 1, 16, 12, 0), 0, utc(2026, 1, 19, 8, 30)),  # Friday noon → Monday
        # calendar days count in local time: 23:30 UTC on Monday is already Tuesday in Stockholm
        (utc(2026, 1, 12, 23, 30), 1, utc(2026, 1, 14, 8, 30)),
        # spring forward on Sunday 29 March 2026: CET (UTC+1) before, CEST (UTC+2) after
        (local(2026, 3, 27, 10, 0), 1, utc(2026, 3, 30, 7, 30)),  # Friday → Monday, summer time
        (local(2026, 3, 26, 9, 30), 7, utc(2026, 4, 2, 7, 30)),  # Thursday → Thursday
        (local(2026, 3, 29, 2, 30), 0, utc(2026, 3, 30, 7, 30)),  # inside the skipped hour
        # fall back on Sunday 25 October 2026: CEST before, CET after
        (local(2026, 10, 23, 12, 0), 3, utc(2026, 10, 26, 8, 30)),  # Friday → Monday, winter time
        (local(2026, 10, 22, 9, 30), 7, utc(2026, 10, 29, 8, 30)),
        (local(2026, 10, 25, 2, 30, fold=1), 0, utc(2026, 10, 26, 8, 30)),  # the repeated hour
    ],
)
def test_next_send_time(after, days, expected):
    got = next_send_time(after, days, STOCKHOLM)
    assert got == expected and got.tzinfo is UTC
    in_stockholm = got.astimezone(STOCKHOLM)
    assert in_stockholm.time() == SEND_AT and in_stockholm.weekday() < 5


def test_a_week_across_summer_time_is_a_week_of_wall_clock():
    before = next_send_time(local(2026, 3, 23, 8, 0), 0, STOCKHOLM)  # Monday 23 March
    after = next_send_time(before, 7, STOCKHOLM)
    assert after - before == timedelta(days=7, hours=-1)  # the clock went forward an hour
    autumn = next_send_time(local(2026, 10, 19, 8, 0), 0, STOCKHOLM)
    assert next_send_time(autumn, 7, STOCKHOLM) - autumn == timedelta(days=7, hours=1)


def test_other_zones_and_bad_input():
    new_york = ZoneInfo("America/New_York")  # US summer time starts 8 March 2026
    got = next_send_time(datetime(2026, 3, 6, 12, tzinfo=new_york), 3, new_york)
    assert got == utc(2026, 3, 9, 13, 30)
    with pytest.raises(ValueError):
        next_send_time(datetime(2026, 1, 1), 1, STOCKHOLM)
    with pytest.raises(ValueError):
        next_send_time(local(2026, 1, 1), -1, STOCKHOLM)


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
    ),
    st.integers(min_value=0, max_value=45),
    st.sampled_from(
        [
            "Europe/Stockholm",
            "Europe/London",
            "America/New_York",
            "Australia/Sydney",
            "Asia/Kolkata",
        ]
    ),
)
def test_next_send_time_property(after, days, zone_name):
    zone = ZoneInfo(zone_name)
    got = next_send_time(after, days, zone)
    wall = got.astimezone(zone)
    assert wall.time() == SEND_AT and wall.weekday() < 5 and got > after
    earliest: date = after.astimezone(zone).date() + timedelta(days=days)
    assert wall.date() >= earliest
    # nothing earlier qualifies: every day between the earliest and the answer is ruled out
    day = earliest
    while day < wall.date():
        slot = datetime.combine(day, SEND_AT, tzinfo=zone)
        assert day.weekday() >= 5 or slot <= after
        day += timedelta(days=1)


@pytest.mark.parametrize(
    ("when", "lang", "text"),
    [
        (utc(2026, 12, 8, 8, 30), "sv", "tisdag 8 december kl. 09:30"),
        (utc(2026, 12, 8, 8, 30), "en", "Tuesday 8 December at 09:30"),
        (utc(2026, 12, 8, 8, 30), "sv-SE", "tisdag 8 december kl. 09:30"),
        (utc(2026, 12, 8, 8, 30), "de", "Tuesday 8 December at 09:30"),  # anything else: English
        (utc(2026, 3, 30, 7, 30), "sv", "måndag 30 mars kl. 09:30"),  # summer time
        (utc(2026, 3, 30, 7, 30), "en", "Monday 30 March at 09:30"),
        (utc(2026, 10, 26, 8, 30), "sv", "måndag 26 oktober kl. 09:30"),  # winter time again
    ],
)
def test_format_due(when, lang, text):
    assert format_due(when, STOCKHOLM, lang) == text


# --------------------------------------------------------------------------------------------
# Store functions


async def test_schedule_one_active_reminder_per_user(storage):
    await add_users(storage, 1)
    now = local(2026, 12, 1, 14, 0)  # Tuesday
    due = await ReminderStore(storage).schedule("tg:1", 1, 7, now)
    assert due == utc(2026, 12, 8, 8, 30).timestamp()
    row = await ReminderStore(storage).active("tg:1")
    assert row is not None and (row.state, row.interval_days, row.chat_id) == ("scheduled", 7, 1)
    due = await ReminderStore(storage).schedule("tg:1", 1, 14, now)  # change the interval
    assert due == utc(2026, 12, 15, 8, 30).timestamp()
    async with storage.engine.connect() as conn:
        rows = (await conn.execute(sa.select(reminders))).all()
    assert [(r.state, r.interval_days) for r in rows] == [("scheduled", 14)]
    assert await ReminderStore(storage).active("tg:2") is None
    with pytest.raises(LookupError):
        await ReminderStore(storage).schedule("tg:2", 2, 7, now)


async def test_schedule_uses_the_users_time_zone(storage):
    await add_users(storage, 1, tz="America/New_York")
    await add_users(storage, 2, tz="Not/AZone")  # unusable: the default zone
    now = utc(2026, 12, 1, 12, 0)
    assert (
        await ReminderStore(storage).schedule("tg:1", 1, 7, now)
        == utc(2026, 12, 8, 14, 30).timestamp()
    )
    assert (
        await ReminderStore(storage).schedule("tg:2", 2, 7, now)
        == utc(2026, 12, 8, 8, 30).timestamp()
    )


async def test_pause_resume_stop(storage):
    await add_users(storage, 1)
    clock = Clock(local(2026, 12, 1, 14, 0))
    first_due = await ReminderStore(storage).schedule("tg:1", 1, 7, clock.dt)
    assert await ReminderStore(storage).pause("tg:1")
    clock.set(first_due + 3600)
    assert await ReminderStore(storage).claim_due(clock(), 10) == []  # paused: not sent
    # resumed after its due time passed: one interval from now, not at once
    due = await ReminderStore(storage).resume("tg:1", clock.dt)
    assert due == next_send_time(clock.dt, 7, STOCKHOLM).timestamp()
    assert await ReminderStore(storage).resume("tg:1", clock.dt) is None  # nothing paused any more
    # paused and resumed before the due time: the due time stays
    assert await ReminderStore(storage).pause("tg:1")
    assert await ReminderStore(storage).resume("tg:1", clock.dt) == due
    assert await ReminderStore(storage).stop("tg:1")
    assert await ReminderStore(storage).active("tg:1") is None
    assert not await ReminderStore(storage).stop("tg:1") and not await ReminderStore(storage).pause(
        "tg:1"
    )
    clock.set(due + 1)
    assert await ReminderStore(storage).claim_due(clock(), 10) == []
    # a new schedule after stop starts again, on the same row
    await ReminderStore(storage).schedule("tg:1", 1, 30, clock.dt)
    assert (await ReminderStore(storage).active("tg:1")).interval_days == 30


async def test_snooze(storage):
    await add_users(storage, 1)
    clock = Clock(local(2026, 12, 1, 14, 0))  # Tuesday
    await ReminderStore(storage).schedule("tg:1", 1, 14, clock.dt)
    send = Recorder()
    dispatcher = ReminderDispatcher(storage, send, clock)
    clock.set(local(2026, 12, 15, 9, 30))
    assert (await dispatcher.tick()).sent == 1
    # "snooze a week" from the reminder (Tuesday 10:00): Tuesday next week at 09:30
    clock.set(local(2026, 12, 15, 10, 0))
    due = await ReminderStore(storage).snooze("tg:1", clock.dt)
    assert due == local(2026, 12, 22, 9, 30).timestamp()
    clock.set(due - 1)
    assert (await dispatcher.tick()).claimed == 0
    clock.set(due)
    assert (await dispatcher.tick()).sent == 1
    # then the interval again: 14 days after the snoozed one (5 January 2027 is a Tuesday)
    assert (await row_of(storage, 1)).due == local(2027, 1, 5, 9, 30).timestamp()
    assert send.sent == [1, 1]
    # snoozing a paused reminder resumes it; no reminder at all: None
    await ReminderStore(storage).pause("tg:1")
    assert (
        await ReminderStore(storage).snooze("tg:1", clock.dt, days=1)
        == local(2026, 12, 23, 9, 30).timestamp()
    )
    assert (await ReminderStore(storage).active("tg:1")).state == "scheduled"
    await add_users(storage, 2)
    assert await ReminderStore(storage).snooze("tg:2", clock.dt) is None


async def test_a_new_time_zone_keeps_a_snoozed_reminder_on_its_day(storage):
    """Snoozed to Tuesday 22 December, then the user moves to New York: the reminder stays on
    22 December, at 09:30 in New York, instead of a full interval from now."""
    await add_users(storage, 1)
    clock = Clock(local(2026, 12, 15, 10, 0))
    await ReminderStore(storage).schedule("tg:1", 1, 14, clock.dt)
    await ReminderStore(storage).snooze("tg:1", clock.dt)
    clock.set(local(2026, 12, 16, 12, 0))
    due = await ReminderStore(storage).move_to_zone(
        "tg:1", "Europe/Stockholm", "America/New_York", clock.dt
    )
    new_york = datetime(2026, 12, 22, 9, 30, tzinfo=ZoneInfo("America/New_York"))
    assert due == new_york.timestamp() == (await row_of(storage, 1)).due
    # the told day has already passed in the new zone: the next weekday slot from now
    clock.set(datetime(2026, 12, 22, 20, 0, tzinfo=ZoneInfo("America/New_York")))
    due = await ReminderStore(storage).move_to_zone(
        "tg:1", "America/New_York", "Asia/Tokyo", clock.dt
    )
    assert due == datetime(2026, 12, 24, 9, 30, tzinfo=ZoneInfo("Asia/Tokyo")).timestamp()
    await add_users(storage, 2)
    assert (
        await ReminderStore(storage).move_to_zone(
            "tg:2", "Europe/Stockholm", "Asia/Tokyo", clock.dt
        )
        is None
    )


async def test_claims_are_disjoint_across_connections(database, storage):
    """Two engines on one database (as two processes would) claim at the same time."""
    chats = list(range(1, 201))
    await add_users(storage, *chats)
    now = local(2026, 12, 1, 14, 0)
    for chat in chats:
        await ReminderStore(storage).schedule(f"tg:{chat}", chat, 7, now)
    other = await Storage.open(database.url)
    try:
        later = now + timedelta(days=8)
        batches = await asyncio.gather(
            *(ReminderStore(s).claim_due(later, 15) for _ in range(10) for s in (storage, other))
        )
    finally:
        await other.close()
    ids = [row.id for batch in batches for row in batch]
    assert len(ids) == len(set(ids)) == 200


async def test_mark_sent_respects_a_change_made_while_sending(storage):
    await add_users(storage, 1, 2)
    clock = Clock(local(2026, 12, 1, 14, 0))
    await ReminderStore(storage).schedule("tg:1", 1, 7, clock.dt)
    await ReminderStore(storage).schedule("tg:2", 2, 7, clock.dt)
    clock.advance(days=7)
    one, two = await ReminderStore(storage).claim_due(clock(), 10)
    # user 1 paused during the send: still paused afterwards, but the send is recorded
    await ReminderStore(storage).pause("tg:1")
    assert await ReminderStore(storage).mark_sent(one.id, clock(), one.claimed_at) is None
    row = await row_of(storage, 1)
    assert row.state == "paused" and row.sent_at == clock()
    # a claim that went stale and was taken again is marked by its new owner only
    clock.advance(400)
    assert await ReminderStore(storage).requeue_stale(clock(), 300) == 1
    (again,) = await ReminderStore(storage).claim_due(clock(), 10)
    assert again.id == two.id and again.attempts == 2
    assert await ReminderStore(storage).mark_sent(two.id, clock(), two.claimed_at) is None
    assert await ReminderStore(storage).retry_later(two.id, clock(), "x", two.claimed_at) is False
    assert await ReminderStore(storage).mark_sent(two.id, clock(), again.claimed_at) is not None
    assert (await row_of(storage, 2)).attempts == 0


# --------------------------------------------------------------------------------------------
# Delivery with a controllable clock


async def scheduled(storage: Storage, clock: Clock, *chats: int, days: int = 7) -> float:
    await add_users(storage, *chats)
    dues = {await ReminderStore(storage).schedule(f"tg:{c}", c, days, clock.dt) for c in chats}
    assert len(dues) == 1
    return dues.pop()


async def test_due_reminders_are_sent_exactly_once(storage):
    clock = Clock(local(2026, 12, 1, 14, 0))
    due = await scheduled(storage, clock, 1, 2, 3)
    send = Recorder()
    dispatcher = ReminderDispatcher(storage, send, clock)
    clock.set(due - 1)
    assert await dispatcher.tick() == TickStats()
    clock.set(due)
    stats = await dispatcher.tick()
    assert (stats.claimed, stats.sent, stats.retried) == (3, 3, 0)
    for _ in range(5):
        clock.advance(60)
        assert (await dispatcher.tick()).claimed == 0
    assert sorted(send.sent) == [1, 2, 3]
    row = await row_of(storage, 1)
    assert row.state == "scheduled" and row.sent_at == due and row.attempts == 0
    assert row.due == next_send_time(datetime.fromtimestamp(due, UTC), 7, STOCKHOLM).timestamp()
    # recurring: the next week, once more
    clock.set(row.due)
    assert (await dispatcher.tick()).sent == 3
    assert Counter(send.sent) == {1: 2, 2: 2, 3: 2}


async def test_reminder_due_while_the_bot_was_down_is_sent_once(storage):
    clock = Clock(local(2026, 12, 1, 14, 0))
    due = await scheduled(storage, clock, 1)
    clock.set(due + 3 * 86400)  # down for three days
    send = Recorder()
    dispatcher = ReminderDispatcher(storage, send, clock)
    assert (await dispatcher.tick()).sent == 1
    clock.advance(60)
    assert (await dispatcher.tick()).claimed == 0
    assert send.sent == [1]
    # the next one counts from the late send, at 09:30 on a weekday
    assert (await row_of(storage, 1)).due == next_send_time(clock.dt, 7, STOCKHOLM).timestamp()


async def test_restart_between_claim_and_send(storage):
    clock = Clock(local(2026, 12, 1, 14, 0))
    due = await scheduled(storage, clock, 1, 2)
    clock.set(due + 5)
    # the first process claims, then dies before sending: its dispatcher is simply dropped
    crashed = ReminderDispatcher(storage, Recorder(), clock)
    claimed = await crashed.rows.claim_due(clock(), crashed.batch)
    assert len(claimed) == 2
    del crashed
    send = Recorder()
    restarted = ReminderDispatcher(storage, send, clock)
    clock.advance(30)  # a fresh claim may still be in flight elsewhere: left alone
    assert await restarted.tick() == TickStats()
    clock.advance(300)
    stats = await restarted.tick()
    assert (stats.requeued, stats.claimed, stats.sent) == (2, 2, 2)
    for _ in range(3):
        clock.advance(400)
        assert (await restarted.tick()).claimed == 0
    assert sorted(send.sent) == [1, 2]


async def test_blocked_user_is_disabled_without_retries(storage):
    clock = Clock(local(2026, 12, 1, 14, 0))
    due = await scheduled(storage, clock, 1, 2)
    send = Recorder()
    send.fail[2] = [Forbidden("Forbidden: bot was blocked by the user")] * 10
    dispatcher = ReminderDispatcher(storage, send, clock)
    clock.set(due)
    stats = await dispatcher.tick()
    assert (stats.sent, stats.disabled, stats.retried) == (1, 1, 0)
    row = await row_of(storage, 2)
    assert row.state == "blocked" and "blocked" in row.last_error
    assert await ReminderStore(storage).active("tg:2") is None
    for _ in range(4):
        clock.advance(days=7)
        await dispatcher.tick()
    assert send.tried[2] == 1 and send.sent.count(1) == 5
    # talking to the bot again and asking for reminders re-enables them
    await ReminderStore(storage).schedule("tg:2", 2, 7, clock.dt)
    assert (await ReminderStore(storage).active("tg:2")).state == "scheduled"


async def test_disable_for_user_covers_every_active_state(storage):
    clock = Clock(local(2026, 12, 1, 14, 0))
    await scheduled(storage, clock, 1)
    await ReminderStore(storage).pause("tg:1")
    assert await ReminderStore(storage).disable_for_user("tg:1", "kicked") == 1
    assert (await row_of(storage, 1)).state == "blocked"


async def test_retry_after_is_retried_later_not_lost(storage):
    clock = Clock(local(2026, 12, 1, 14, 0))
    due = await scheduled(storage, clock, 1)
    send = Recorder()
    send.fail[1] = [RetryAfter(2)]
    dispatcher = ReminderDispatcher(storage, send, clock)
    clock.set(due)
    stats = await dispatcher.tick()
    assert (stats.sent, stats.retried, stats.rate_limited) == (0, 1, 1)
    row = await row_of(storage, 1)
    assert (row.state, row.due) == ("scheduled", due + 2) and "RetryAfter" in row.last_error
    clock.advance(1)
    assert (await dispatcher.tick()).claimed == 0
    await asyncio.sleep(2)  # the dispatcher's own pause (real time) is over too
    clock.advance(1)
    assert (await dispatcher.tick()).sent == 1
    assert send.sent == [1] and send.tried[1] == 2


async def test_retry_after_pauses_the_rest_of_the_tick(storage):
    clock = Clock(local(2026, 12, 1, 14, 0))
    due = await scheduled(storage, clock, 1, 2, 3)
    stamps: list[float] = []
    loop = asyncio.get_running_loop()

    async def send(row):
        stamps.append(loop.time())
        if len(stamps) == 1:
            raise RetryAfter(1)

    dispatcher = ReminderDispatcher(storage, send, clock, concurrency=1)
    clock.set(due)
    stats = await dispatcher.tick()
    assert (stats.sent, stats.rate_limited) == (2, 1)
    assert stamps[1] - stamps[0] >= 0.95


async def test_flood_wait_longer_than_the_tick_hands_rows_back(storage):
    clock = Clock(local(2026, 12, 1, 14, 0))
    due = await scheduled(storage, clock, 1, 2, 3)
    send = Recorder()
    send.fail[1] = [RetryAfter(600)]
    dispatcher = ReminderDispatcher(storage, send, clock, concurrency=1)
    clock.set(due)
    stats = await dispatcher.tick()
    assert (stats.sent, stats.retried, stats.rate_limited) == (0, 3, 1)
    async with storage.engine.connect() as conn:
        rows = (await conn.execute(sa.select(reminders))).all()
    assert {r.state for r in rows} == {"scheduled"}
    assert [r.due for r in rows] == pytest.approx([due + 600] * 3, abs=1)


@pytest.mark.parametrize(
    "error",
    [
        NetworkError("connection reset"),
        TimedOut(),
        BadRequest("Chat not found"),
        RuntimeError("bug in send"),
    ],
)
async def test_errors_back_off_and_tick_never_raises(storage, error):
    clock = Clock(local(2026, 12, 1, 14, 0))
    due = await scheduled(storage, clock, 1)
    send = Recorder()
    send.fail[1] = [error, error]
    dispatcher = ReminderDispatcher(storage, send, clock)
    clock.set(due)
    assert (await dispatcher.tick()).retried == 1
    row = await row_of(storage, 1)
    assert row.due == due + 60 and row.attempts == 1 and type(error).__name__ in row.last_error
    clock.set(due + 60)
    assert (await dispatcher.tick()).retried == 1
    assert (await row_of(storage, 1)).due == due + 60 + 120  # 60 s × attempts
    clock.set(due + 180)
    assert (await dispatcher.tick()).sent == 1
    assert send.sent == [1]


async def test_backoff_is_capped_at_an_hour(storage):
    clock = Clock(local(2026, 12, 1, 14, 0))
    due = await scheduled(storage, clock, 1)
    async with storage.engine.begin() as conn:
        await conn.execute(reminders.update().values(attempts=200))
    send = Recorder()
    send.fail[1] = [NetworkError("down")]
    clock.set(due)
    await ReminderDispatcher(storage, send, clock).tick()
    assert (await row_of(storage, 1)).due == due + 3600


async def test_a_broken_database_does_not_escape_tick(tmp_path):
    store = await Storage.open(f"sqlite:///{tmp_path / 'db'}")
    async with store.engine.begin() as conn:
        await conn.execute(sa.text("DROP TABLE reminders"))
    dispatcher = ReminderDispatcher(store, Recorder(), Clock(local(2026, 1, 1)))
    assert await dispatcher.tick() == TickStats()
    await store.close()


async def test_ticks_do_not_overlap(storage):
    clock = Clock(local(2026, 12, 1, 14, 0))
    due = await scheduled(storage, clock, 1)
    release = asyncio.Event()
    calls: list[int] = []

    async def slow_send(row):
        calls.append(row.chat_id)
        await release.wait()

    dispatcher = ReminderDispatcher(storage, slow_send, clock)
    clock.set(due)
    first = asyncio.create_task(dispatcher.tick())
    await asyncio.sleep(0.2)
    assert await dispatcher.tick() == TickStats()  # the previous tick is still running
    release.set()
    assert (await first).sent == 1 and calls == [1]


# --------------------------------------------------------------------------------------------
# A batch through the fake Bot API server with flood limits (`bench.reminders` runs 5 000 at
# Telegram's real pace; here the same run, small and at a faster pace)


async def test_a_batch_within_the_flood_limits_all_once_429s_retried(storage):
    """All delivered, none twice, every 429 retried by the pacing layer, the batch no faster
    than the pace allows, and interactive sends answered promptly while it runs."""
    from bench.reminders import INJECTED_429, run_batch

    n, rate = 600, 300.0
    result = await run_batch(storage, n, rate, batch=200, probe_every=0.05)
    assert len(result.delivered) == n and set(result.delivered.values()) == {1}
    assert result.injected_429 >= INJECTED_429 and result.rejected_429 == 0
    assert result.reached_dispatcher == result.probe_429 == 0
    assert result.violations == [] and result.rows_done
    assert result.elapsed >= n / (rate * BULK_SHARE) * 0.9  # reminders keep to their share
    assert result.probe_latencies and max(result.probe_latencies) < 1.0


# --------------------------------------------------------------------------------------------
# PostgreSQL: several replicas (opt-in: TEST_POSTGRES_URL=postgresql://user@host/db, asyncpg)


@pytest.fixture
async def pg_storages(postgres_database):
    first = await Storage.open(postgres_database.url)
    replicas = [first, *(Storage.create(postgres_database.url) for _ in range(3))]
    yield replicas
    for replica in replicas:
        await replica.close()


async def test_postgres_replicas_skip_locked_rows_and_send_each_once(pg_storages):
    first = pg_storages[0]
    clock = Clock(local(2026, 12, 1, 14, 0))
    chats = list(range(1, 301))
    due = await scheduled(first, clock, *chats)
    clock.set(due)
    # a replica holding locks on some due rows (mid-claim) does not block the others
    async with first.engine.begin() as conn:
        held = (
            (
                await conn.execute(
                    sa.select(reminders.c.id)
                    .order_by(reminders.c.due, reminders.c.id)
                    .limit(5)
                    .with_for_update()
                )
            )
            .scalars()
            .all()
        )
        other = await asyncio.wait_for(
            ReminderStore(pg_storages[1]).claim_due(clock(), 10), timeout=5
        )
        assert len(other) == 10 and not set(held) & {r.id for r in other}
        await conn.rollback()
    async with first.engine.begin() as conn:
        await conn.execute(reminders.update().values(state="scheduled", claimed_at=None))
    # four replicas tick at once, each with its own dispatcher: every reminder goes out once
    send = Recorder()
    dispatchers = [ReminderDispatcher(s, send, clock, batch=40) for s in pg_storages]
    for _ in range(5):
        await asyncio.gather(*(d.tick() for d in dispatchers))
    assert sorted(send.sent) == chats


async def test_a_batch_larger_than_the_pace_allows_is_handed_back(storage):
    clock = Clock(local(2026, 12, 1, 14, 0))
    due = await scheduled(storage, clock, *range(1, 11))
    recorder = Recorder()

    async def send(row):  # as the pacing layer would: 10 a second
        await asyncio.sleep(0.1)
        await recorder(row)

    # 10 rows at 10/s need ~1 s; claims count as stale after 0.8 s, so the tick stops at 0.4 s
    dispatcher = ReminderDispatcher(storage, send, clock, stale_after=0.8, concurrency=1)
    clock.set(due)
    stats = await dispatcher.tick()
    assert stats.claimed == 10 and 1 <= stats.sent <= 6 and stats.sent + stats.retried == 10
    async with storage.engine.connect() as conn:
        states = Counter((await conn.execute(sa.select(reminders.c.state))).scalars())
    assert states == {"scheduled": 10}
    for _ in range(50):
        if len(recorder.sent) == 10:
            break
        await asyncio.sleep(0.1)
        await dispatcher.tick()
    assert sorted(recorder.sent) == list(range(1, 11))
