"""Fuzzing the conversations: random event sequences — commands (known, unknown, with odd
arguments), free text (very long, odd Unicode), valid, stale and forged buttons, language
switches, pauses, waits and restarts — fed to the engine alone, and through the adapter's
callback codec to the `EventRunner` on SQLite (every flow it routes to: diagnostic, guidance,
glossary, workshops, reminders).

Asserted after every event: nothing raises; every event gets an answer (a duplicate update or a
stale button gets none from the flows: the adapter answers those itself); every button fits
Telegram's callback data; the state is valid and survives a round trip through its serialised
form; the record restored from storage equals the record the conversation saved.

The default run is derandomised and bounded (CI); `FUZZ_EXAMPLES=2000 pytest tests/test_fuzz.py`
explores further with fresh random seeds.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.events import EventRunner
from bot.storage import Storage, UserRecord
from bot.telegram.callback_data import Callback, decode, encode
from bot.telegram.links import TelegramChannel
from flows.content_model import Content
from flows.journey.assessment import position_token
from flows.journey.diagnostic import FULL, PAUSED, QUICK
from flows.messages import Choice, Event, Reply
from flows.router import Router
from flows.state import ConversationState
from tests.helpers import Engine

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "0"))


def fuzz_settings(default: int) -> settings:
    return settings(
        max_examples=EXAMPLES or default,
        deadline=None,
        derandomize=not EXAMPLES,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# --- what a user may do -----------------------------------------------------------------------

KNOWN_COMMANDS = [
    "start",
    "assess",
    "summary",
    "steps",
    "glossary",
    "language",
    "help",
    "privacy",
    "delete",
    "workshop",
    "remind",
    "plan",
    "team",
]
ODD_TEXTS = [
    "",
    " ",
    "\n\n",
    "Yes",
    "ja",
    " JA. ",
    "Partly!",
    "vet inte",
    "Not sure",
    "no.",
    "Quick check",
    "snabbkoll",
    "FULL CHECK",
    "kluster",
    "cluster",
    "\u200b",
    "\u202eja",
    "<b>x</b> & &amp; <",
    "ﬁ",
    "İ",
    "ß",
    "🇸🇪👩‍👩‍👧",
    "\x00\x1f",
    "a\u0301" * 50,
    "/",
    "/ start",
    "@bot",
]
FORGED_CHOICES = [
    "ans:maybe",
    "ans:",
    "ans:yes:extra",
    "mode:medium",
    "mode:",
    "nav:fly",
    "nav:",
    "menu:nope",
    "guide:0",
    "guide:11",
    "guide:3:nonsense",
    "guide:x:tools",
    "guide:99:tools",
    "term:nope",
    "lang:de",
    "lang:",
    "glossary:x",
    "ws:join",
    "ws:nope",
    "wsf:close",
    "wsf:99",
    "rem:7",
    "rem:nope",
    "rem:tz:Mars/Base",
    ":",
    "x",
    "ans:yes" * 8,
]
NAV = ["nav:pause", "nav:resume", "nav:back", "nav:restart", "mode:quick", "mode:full"]

command_names = st.one_of(
    st.sampled_from(KNOWN_COMMANDS), st.from_regex(r"[A-Za-z0-9_]{1,32}", fullmatch=True)
)
commands = st.tuples(
    st.just("command"),
    st.tuples(
        command_names,
        st.one_of(
            st.just(""),
            st.sampled_from(
                [
                    "assess",
                    "steps",
                    "glossary",
                    "summary",
                    "kluster",
                    "ws_ABCD12",
                    "wf_nope",
                    "ws_",
                    "x" * 64,
                ]
            ),
            st.text(max_size=30),
        ),
    ),
)
long_text = st.builds(
    lambda piece, times: piece * times,
    st.sampled_from(["x", "å", "🇸🇪", "ab\n\n", "\u200f", "word "]),
    st.integers(1000, 6000),
)
texts = st.tuples(
    st.just("text"), st.one_of(st.sampled_from(ODD_TEXTS), st.text(max_size=40), long_text)
)
presses = st.tuples(st.just("press"), st.integers(0, 99))  # a button of the latest keyboard
answers = st.tuples(st.just("answer"), st.integers(0, 99))  # an answer button, to make progress
stale = st.tuples(st.just("stale"), st.integers(0, 9999))  # a button of any earlier keyboard
forged = st.tuples(
    st.just("forged"),
    st.one_of(
        st.sampled_from(FORGED_CHOICES),
        st.sampled_from(NAV),
        st.from_regex(r"[a-z]{1,8}:[A-Za-z0-9_:\-]{0,40}", fullmatch=True),
    ),
)
switches = st.tuples(st.just("choice"), st.sampled_from(["lang:sv", "lang:en", *NAV]))
waits = st.tuples(st.just("wait"), st.integers(1, 40 * 86400))
restarts = st.tuples(st.just("restart"), st.none())
actions = st.lists(
    st.one_of(
        answers,
        answers,
        answers,
        answers,
        answers,
        answers,
        presses,
        presses,
        presses,
        commands,
        texts,
        stale,
        forged,
        switches,
        waits,
        restarts,
    ),
    min_size=20,
    max_size=80,
)


class Screen:
    """What the user can press: the latest keyboard, and every keyboard shown before (with the
    callback data the adapter gave them)."""

    def __init__(self) -> None:
        self.latest: list[tuple[Choice, str]] = []
        self.seen: list[tuple[Choice, str]] = []

    def pick(self, kind: str, index: int) -> tuple[Choice, str] | None:
        """The button an action presses: `press` any of the latest, `answer` an answer (else
        the first button, e.g. the quick check), `stale` any button seen so far."""
        if kind == "stale":
            return self.seen[index % len(self.seen)] if self.seen else None
        buttons = self.latest
        if kind == "answer":
            buttons = [b for b in self.latest if b[0].id.startswith("ans:")] or self.latest[:1]
        return buttons[index % len(buttons)] if buttons else None

    def show(self, replies: list[Reply], token: str) -> None:
        for reply in replies:
            if reply.choices:
                self.latest = [(c, encode(token, c.id)) for c in reply.choices]
                self.seen.extend(self.latest)


# --- invariants -------------------------------------------------------------------------------


def roundtrip(record: ConversationState) -> ConversationState:
    """The record as storage keeps it: JSON text and back."""
    return ConversationState.from_dict(json.loads(json.dumps(record.to_dict(), ensure_ascii=False)))


def check_record(engine: Engine, record: ConversationState) -> None:
    """A state the machine knows, an index inside the mode's questions (pointing at the step
    the state names), answers only to known questions with known answer ids; restorable."""
    diagnostic, content = engine.diagnostic, engine.content
    journey = record.journey
    assert journey.state in diagnostic.machine.states
    assert record.lang in ("sv", "en")
    sequence = diagnostic.sequence(journey.mode, journey.recheck)
    asking = journey.state in diagnostic.question_states or journey.state == PAUSED
    if asking:
        assert journey.mode in (QUICK, FULL)
        assert 0 <= journey.index < len(sequence)
        if journey.state != PAUSED:
            assert diagnostic.state_at(journey.mode, journey.index) == journey.state
    else:
        assert 0 <= journey.index <= len(sequence)
    answer_ids = {a.id for a in content.answers}
    asked = {q.id for q in sequence}
    for question_id, value in journey.answers.items():
        assert question_id in asked, (question_id, journey.mode)
        assert value[0] in answer_ids and isinstance(value[1], int | float)
    every_question = {q.id for q in diagnostic.sequence(FULL)}
    for question_id, answer_id in (journey.last.answers if journey.last else {}).items():
        assert question_id in every_question and answer_id in answer_ids
    assert ConversationState.from_dict(record.to_dict()) == record
    assert roundtrip(record) == record


def check_replies(replies: list[Reply], token: str) -> None:
    """An answer the user can see, and buttons that fit Telegram's callback data."""
    assert any(r.text.strip() or r.attachment is not None for r in replies), replies
    for reply in replies:
        assert isinstance(reply.text, str)
        for choice in reply.choices:
            assert choice.label.strip()
            data = encode(token, choice.id)  # raises if it does not fit in 64 bytes
            assert decode(data) == Callback(token, choice.id)


# --- the engine alone -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def engine(content: Content) -> Engine:
    """One engine for every example: it is shared and stateless, as in the bot."""
    return Engine(Router(content))


def engine_event(kind: str, value: Any, screen: Screen) -> Event | None:
    """The Event an action makes (None: nothing reaches the flows)."""
    if kind == "command":
        return Event("command", value[0].lower(), value[1].strip())
    if kind == "text":
        return Event("text", value)
    if kind in ("press", "answer", "stale"):
        button = screen.pick(kind, value)
        if button is None:
            return Event("command", "assess") if kind == "answer" else None
        return Event("choice", button[0].id)
    if kind in ("forged", "choice"):
        return Event("choice", value)
    return None


@fuzz_settings(150)
@given(lang=st.sampled_from(["sv", "en"]), steps=actions)
def test_engine_survives_any_sequence(engine, lang, steps):
    """The engine alone, the record kept in memory between events (restarts: via JSON)."""
    record, screen, now = ConversationState(lang=lang), Screen(), 1_700_000_000.0
    for kind, value in steps:
        now += value if kind == "wait" else 7.5
        if kind == "restart":  # the process restarts: the record comes back from storage
            record = roundtrip(record)
            continue
        event = engine_event(kind, value, screen)
        if event is None:
            continue
        outcome = engine.handle(record, event, now)
        token = position_token(record)
        check_replies(outcome.replies, token)
        check_record(engine, record)
        if outcome.completed is not None:
            assert set(outcome.completed.answers) == {
                q.id for q in engine.diagnostic.sequence(outcome.completed.mode)
            }
        screen.show(outcome.replies, token)


# --- through the adapter's codec, the EventRunner and SQLite --------------------------------------


class RecordingStorage(Storage):
    """Storage that remembers the in-memory record each save wrote, per user."""

    saved: dict[str, ConversationState]

    async def save(self, record: UserRecord, completed: Any = None) -> None:
        await super().save(record, completed)
        self.saved[record.id] = copy.deepcopy(record.conversation)


class World:
    """One event loop and one database for the whole module; a fresh user per example."""

    def __init__(self, content: Content, url: str) -> None:
        self.runner = asyncio.Runner()
        self.router, self.url = Router(content), url
        self.engine = Engine(self.router)
        self.users = itertools.count(1)
        self.saved: dict[str, ConversationState] = {}
        self.events = self.run(self.open())

    def run(self, coroutine: Any) -> Any:
        return self.runner.run(coroutine)

    async def open(self) -> EventRunner:
        storage = RecordingStorage.create(self.url)
        storage.saved = self.saved
        await storage.prepare()
        return EventRunner(self.router, storage, clock=lambda: self.now)

    async def restart(self) -> None:
        await self.events.storage.close()
        self.events = await self.open()

    now = 1_700_000_000.0


@pytest.fixture(scope="module")
def world(content, module_database):
    world = World(content, module_database.url)
    yield world
    world.run(world.events.storage.close())
    world.runner.close()


async def play(world: World, lang: str, steps: list[tuple[str, Any]]) -> None:
    """Run the actions as the Telegram adapter would: presses carry callback data made by the
    codec; data that does not decode never reaches the flows; /privacy and /delete are left out
    (the one leaves no record to compare for a new user, the other erases it)."""
    user = f"tg:{next(world.users)}"
    # update ids are the bot's, not the user's: each user gets a range of their own
    screen, update_id, token_now = Screen(), int(user.removeprefix("tg:")) * 100_000, ""
    for kind, value in steps:
        world.now += value if kind == "wait" else 7.5
        if kind == "restart":
            await world.restart()
            continue
        data: str | None = None
        button = screen.pick(kind, value) if kind in ("press", "answer", "stale") else None
        if button is not None:
            data = button[1]
        elif kind == "choice":  # a button the flows may or may not be showing now
            data = encode(token_now, value)
        elif kind == "forged":  # arbitrary callback data, some of it shaped like ours
            data = value if update_id % 3 == 0 else f"j.{update_id:06x}.{value}"[:64]
        token, event = None, engine_event(kind, value, screen)
        if data is not None:
            callback = decode(data)
            if callback is None:
                continue
            token, event = callback.token, Event("choice", callback.choice)
        if event is None or (event.kind == "command" and event.value in ("privacy", "delete")):
            continue
        update_id += 1
        if kind == "stale" and update_id % 4 == 0:
            update_id -= 1  # getUpdates delivers the previous update again (after a crash)
        before = world.saved.get(user)
        handled = await world.events.handle(
            user,
            event,
            TelegramChannel("cluster_journey_test_bot", int(user.removeprefix("tg:"))),
            lang=lang,
            token=token,
            update_id=update_id,
        )
        stored = await world.events.storage.load(user)
        saved = world.saved.get(user)
        assert (stored.conversation if stored.exists else None) == saved, "storage differs"
        check_record(world.engine, stored.conversation)
        if handled.status == "ok":
            check_replies(handled.replies, handled.token)
            screen.show(handled.replies, handled.token)
            token_now = handled.token
        else:
            assert handled.replies == []
            if before is not None:  # nothing changed but the update counter
                assert stored.conversation == before


@fuzz_settings(20)
@given(lang=st.sampled_from(["sv", "en"]), steps=actions)
def test_conversations_survive_any_sequence(world, lang, steps):
    """Through the callback codec and the EventRunner, the record stored in the database."""
    world.run(play(world, lang, steps))
