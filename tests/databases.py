"""The databases the storage suites run on: a SQLite file, and a PostgreSQL database of the
test's own when TEST_POSTGRES_URL names a server (`.ci/run` starts one and sets it).

A test that takes the `database` fixture (or one built on it, such as `bot`) runs once per
backend; without PostgreSQL its second run is skipped, and the session's summary says so.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bot.storage.aio import create_async_engine
from bot.storage.database import async_url

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")
BACKENDS = ("sqlite", "postgresql")
NO_POSTGRES = "PostgreSQL: TEST_POSTGRES_URL not set"
_names = itertools.count(1)


@dataclass(frozen=True)
class TestDatabase:
    """One empty database: `url` is what DATABASE_URL would say; `rows` reads it from a test
    (synchronously, whatever loop the test runs)."""

    kind: str
    url: str

    __test__ = False  # not a test class, despite its name

    def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        return _in_thread(self._rows(sql, params))

    def value(self, sql: str, **params: Any) -> Any:
        rows = self.rows(sql, **params)
        return rows[0][0] if rows else None

    async def _rows(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        engine = create_async_engine(async_url(self.url))
        try:
            async with engine.begin() as conn:
                result = await conn.execute(sa.text(sql), params)
                return [tuple(row) for row in result] if result.returns_rows else []
        finally:
            await engine.dispose()

    def execute(self, sql: str, **params: Any) -> None:
        self.rows(sql, **params)


def _in_thread(coroutine: Any) -> Any:
    """Run a coroutine to its end on a loop of its own, off the caller's loop."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = asyncio.run(coroutine)
        except BaseException as exc:  # handed to the caller
            box["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


async def admin(sql: str, server: str | None = None) -> None:
    """Run one statement outside a transaction (CREATE or DROP DATABASE) on the PostgreSQL
    server of `server`, the tests' own by default."""
    server = server or POSTGRES_URL
    assert server
    engine = create_async_engine(async_url(server), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(sa.text(sql))
    finally:
        await engine.dispose()


def open_database(kind: str, folder: Path) -> Iterator[TestDatabase]:
    """Make an empty database of this kind, yield it, and drop it afterwards."""
    if kind == "sqlite":
        yield TestDatabase(kind, f"sqlite:///{folder / 'bot.db'}")
        return
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    name = f"cj_test_{os.getpid()}_{next(_names)}"
    _in_thread(admin(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield TestDatabase(kind, url)
    finally:
        _in_thread(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
