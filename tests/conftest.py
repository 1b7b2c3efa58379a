"""Shared fixtures: the real content, loaded once; the databases (`tests/databases.py`); the
local Bot API server and the bot polling it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.content_loader import DEFAULT_DIR, load_content
from flows.content_model import Content
from tests.databases import BACKENDS, NO_POSTGRES, POSTGRES_URL, TestDatabase, open_database


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content()


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A writable copy of the real content tree, to break in a test."""
    target = tmp_path / "content"
    shutil.copytree(DEFAULT_DIR, target)
    return target


@pytest.fixture
async def api():
    """The local Bot API server; every test ends with no call rejected by the spec check."""
    from tests.fake_bot_api import FakeBotApi

    async with FakeBotApi() as server:
        yield server
        assert server.violations == [], server.violations
        assert server.internal_errors == []


@pytest.fixture(params=BACKENDS)
def database(request, tmp_path) -> Iterator[TestDatabase]:
    """An empty database: a SQLite file, then (a second run) PostgreSQL."""
    yield from open_database(request.param, tmp_path)


@pytest.fixture
def postgres_database(tmp_path) -> Iterator[TestDatabase]:
    """An empty PostgreSQL database, for what only PostgreSQL can show (several replicas)."""
    yield from open_database("postgresql", tmp_path)


@pytest.fixture(scope="module", params=BACKENDS)
def module_database(request, tmp_path_factory) -> Iterator[TestDatabase]:
    """The same, shared by a module's tests (the fuzz tests' world)."""
    yield from open_database(request.param, tmp_path_factory.mktemp("db"))


@pytest.fixture
async def bot(api, content, database):
    """The real Application polling the local server, on the test's database."""
    from tests.telegram_harness import RunningBot

    running = await RunningBot(api, content, database.url).start()
    yield running
    await running.stop()


def pytest_terminal_summary(terminalreporter) -> None:
    """Say plainly when the PostgreSQL half of the storage suites did not run."""
    if not POSTGRES_URL:
        skipped = [
            r for r in terminalreporter.stats.get("skipped", []) if NO_POSTGRES in str(r.longrepr)
        ]
        if skipped:
            terminalreporter.write_line(
                f"{NO_POSTGRES}: {len(skipped)} PostgreSQL tests skipped, the storage suites "
                "ran on SQLite only (.ci/run starts a throw-away PostgreSQL for them)."
            )
