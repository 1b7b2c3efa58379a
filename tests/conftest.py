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
    from tests.fakebotapi import FakeBotApi

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


# The longest files, started first: with several workers (`make test` runs six) the suite
# then ends when the last short test does, not when a long one started late does.
LONG_FIRST = (
    "test_crash_recovery.py", "test_replicas.py", "test_bench_smoke.py",
    "test_web_chat_browser.py", "test_projector_browser.py", "test_workshop_e2e.py",
    "test_regional_e2e.py", "test_reminders.py", "test_telegram_process.py", "test_quality.py",
    "test_fuzz.py",
)  # fmt: skip


def pytest_collection_modifyitems(items) -> None:
    def rank(item) -> int:
        name = item.path.name
        return LONG_FIRST.index(name) if name in LONG_FIRST else len(LONG_FIRST)

    items.sort(key=rank)  # stable: the order within a file and among the rest stays


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
    browserless = [
        r for r in terminalreporter.stats.get("skipped", []) if NO_BROWSER in str(r.longrepr)
    ]
    if browserless:
        terminalreporter.write_line(
            f"Browser: {len(browserless)} browser tests skipped, {NO_BROWSER}."
        )


CHROMIUM = "/usr/bin/chromium"
NO_BROWSER = "no browser: install Debian's chromium (.ci/run does) for the browser tests"
# as root and on a closed network: no sandbox, and none of Chromium's own connections
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
async def browser():
    """Headless Chromium driven by Playwright; the test is skipped where there is none."""
    if not Path(CHROMIUM).exists():
        pytest.skip(NO_BROWSER)
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


@pytest.fixture
async def web_bot(api, content, database):
    """The bot polling the local server, and its projector pages served on 127.0.0.1 from a
    second connection to the same database (as another replica would)."""
    from bot.storage import Storage
    from tests.telegram_harness import RunningBot
    from tests.web_harness import WebPages

    storage = Storage.create(database.url)
    web = WebPages(storage, content)
    running = await RunningBot(api, content, database.url, public_url=web.base_url).start()
    await web.start()
    yield running, web
    await web.stop()
    await running.stop()
    await storage.close()
