"""Shared fixtures: the real content, loaded once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flows.content_loader import DEFAULT_DIR, load_content
from flows.content_model import Content


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


@pytest.fixture
async def bot(api, content, tmp_path):
    """The real Application polling the local server, with a SQLite file in tmp_path."""
    from tests.telegram_harness import RunningBot

    running = await RunningBot(api, content, tmp_path / "bot.db").start()
    yield running
    await running.stop()
