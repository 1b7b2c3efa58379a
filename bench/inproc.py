"""Measurements inside this process: the engine alone, the engine with its SQLite storage, the
chart's render time, and a database of stored users to start the bot on."""

from __future__ import annotations

import contextlib
import random
import sqlite3
import statistics
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event as sa_event

from bench.workload import ANSWERS, NOW, QUESTIONS
from bot.events import EventRunner
from bot.render.charts import readiness_png
from bot.storage import Storage, UserRecord
from flows.content_model import Content
from flows.events import AssessmentCompleted
from flows.messages import Event, ReadinessChart
from flows.router import Router
from flows.state import ConversationState
from tests.helpers import Engine

PREPOPULATED_ID = 100_000_000  # stored users are tg:100000000…, clear of simulated users


def quick_check_events(rng: random.Random) -> list[Event]:
    return [Event("command", "assess"), Event("choice", "mode:quick")] + [
        Event("choice", f"ans:{rng.choice(ANSWERS)}") for _ in range(QUESTIONS)
    ]


def engine_per_event(content: Content, rounds: int = 300) -> dict[str, float]:
    """The router alone (no Telegram, HTTP or saving), in µs per event: all events of the
    quick check, the answers before the last, and the last answer (scoring and summary)."""
    engine, rng = Engine(Router(content)), random.Random(7)
    times: dict[str, list[float]] = {"all": [], "answer": [], "final": []}
    for n in range(rounds):
        record = ConversationState(lang="sv" if n % 2 else "en")
        for i, event in enumerate(quick_check_events(rng)):
            start = time.perf_counter()
            engine.handle(record, event, NOW + i)
            elapsed = (time.perf_counter() - start) * 1e6
            times["all"].append(elapsed)
            times["final" if i == QUESTIONS + 1 else "answer"].append(elapsed)
    return {k: statistics.fmean(v) for k, v in times.items()}


async def conversation_per_event(content: Content, db: Path, rounds: int = 100) -> dict[str, float]:
    """EventRunner.handle (router + load and save in SQLite): µs per event, and the database
    round trips per event (statements, with BEGIN and COMMIT)."""
    storage = await Storage.open(f"sqlite:///{db}")
    trips = [0]

    def count(*_args: Any) -> None:
        trips[0] += 1

    for name in ("before_cursor_execute", "begin", "commit"):
        sa_event.listen(storage.engine.sync_engine, name, count)
    conversations, rng = EventRunner(Router(content), storage), random.Random(8)
    try:
        events = 0
        start = time.perf_counter()
        for n in range(rounds):
            for i, event in enumerate(quick_check_events(rng)):
                await conversations.handle(f"bench:{n}", event, update_id=n * 100 + i + 1)
                events += 1
        return {
            "us": (time.perf_counter() - start) / events * 1e6,
            "round_trips": trips[0] / events,
        }
    finally:
        await storage.close()


def chart_render(content: Content, repeats: int = 10) -> dict[str, float]:
    """readiness_png in ms: the first call (loads the fonts) and the median of the next."""
    engine, record = Engine(Router(content)), ConversationState()
    replies = []
    for i, event in enumerate(quick_check_events(random.Random(9))):
        replies = engine.handle(record, event, NOW + i).replies
    attachment = next(r.attachment for r in replies if r.attachment is not None)  # the chart
    assert attachment is not None
    data = attachment.content
    assert isinstance(data, ReadinessChart)
    start = time.perf_counter()
    readiness_png(data)
    first = (time.perf_counter() - start) * 1e3
    warm = []
    for _ in range(repeats):
        start = time.perf_counter()
        readiness_png(data)
        warm.append((time.perf_counter() - start) * 1e3)
    return {"first": first, "median": statistics.median(warm)}


def completed_records(
    content: Content, count: int, seed: int = 10
) -> list[tuple[ConversationState, AssessmentCompleted]]:
    """`count` distinct users after one quick check each, as the engine leaves them."""
    engine, rng, out = Engine(Router(content)), random.Random(seed), []
    for n in range(count):
        record, completed = ConversationState(lang="sv" if n % 2 else "en"), None
        for i, event in enumerate(quick_check_events(rng)):
            completed = engine.handle(record, event, NOW + 60 * n + 15 * i).completed or completed
        assert completed is not None
        out.append((record, completed))
    return out


async def populate(content: Content, db: Path, users: int, through_storage: int = 200) -> float:
    """A database of `users` stored users with one completed quick check each; returns the
    seconds it took. The first `through_storage` are written by Storage.save like the bot does;
    the rest are copies of their rows under new ids (whatever columns the schema has)."""
    start = time.perf_counter()
    storage = await Storage.open(f"sqlite:///{db}")
    try:
        samples = completed_records(content, min(users, through_storage))
        for n, (state, completed) in enumerate(samples):
            record = UserRecord(
                f"tg:{PREPOPULATED_ID + n}", state, storage.default_timezone, exists=False
            )
            await storage.save(record, completed)
    finally:
        await storage.close()
    _clone_users(db, len(samples), users)
    return time.perf_counter() - start


def _clone_users(db: Path, have: int, want: int) -> None:
    with contextlib.closing(sqlite3.connect(db)) as conn, conn:
        for table, key in (("users", "id"), ("assessments", "user_id")):
            cursor = conn.execute(f"select * from {table}")
            names = [d[0] for d in cursor.description]
            rows, at = cursor.fetchall(), names.index(key)
            serial = names.index("id") if table == "assessments" else None
            copies = []
            for n in range(have, want):
                row = list(rows[n % have])
                row[at] = f"tg:{PREPOPULATED_ID + n}"
                if serial is not None:
                    row[serial] = None
                copies.append(row)
            marks = ", ".join("?" * len(names))
            conn.executemany(f"insert into {table} values ({marks})", copies)
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("pragma wal_checkpoint(truncate)")  # one file, ready to copy


async def measure_all(content: Content, folder: Path, rounds: int = 300) -> dict[str, Any]:
    """Engine over `rounds` quick checks, the conversation over a third of them, the chart
    `rounds / 30` times (at least twice)."""
    return {
        "engine_us": engine_per_event(content, rounds),
        "conversation": await conversation_per_event(
            content, folder / "conv.db", max(rounds // 3, 1)
        ),
        "chart_ms": chart_render(content, max(rounds // 30, 2)),
    }
