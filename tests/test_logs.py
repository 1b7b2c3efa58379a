"""What reaches the logs: an operator who turns on DEBUG gets the bot's own lines, never a
person's name, what they typed, the bot token or SQL parameters; control characters are gone
before anything is stored or printed."""

from __future__ import annotations

import logging

import pytest

from bot import logs
from bot.config import SettingsError
from bot.events import EventRunner
from bot.storage import Storage
from flows.messages import Event, clean_text
from flows.router import Router
from tests.cli_driver import one_line, run
from tests.telegram_harness import RunningBot, command, create_workshop, last_text, press, say

PRIVATE = [
    "Ingrid",  # the Telegram first name
    "Skogsklustret Hemlighult",  # a cluster's name, typed
    "Vi saknar pengar till resor",  # a participant's challenge
    "Regionala Hemlighetsrådet",  # "from whom"
    "Annas workshop i Hemlighult",  # a workshop title
]


@pytest.fixture
def debug_logging(monkeypatch):
    """The process's logging as `cluster-journey run` sets it up, at DEBUG; put back after."""
    monkeypatch.setenv(logs.LEVEL, "debug")
    root = logging.getLogger()
    saved = (root.level, list(root.handlers), {n: logging.getLogger(n).level for n in logs.QUIET})
    logs.configure()
    yield
    root.setLevel(saved[0])
    root.handlers[:] = saved[1]
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)


async def test_a_debug_session_logs_no_name_text_or_token(
    api, content, database, debug_logging, caplog
):
    caplog.set_level(logging.DEBUG)
    running = await RunningBot(api, content, database.url).start()
    try:
        ingrid = api.user(4242, "Ingrid", "en")
        code = await create_workshop(api, ingrid, "Annas workshop i Hemlighult")
        member = api.user(4243, "Ingrid", "sv")
        await command(api, member, "/start", f"ws_{code}")
        await press(api, member, f"2. {content.step(2).short.sv}")
        await say(api, member, "Vi saknar pengar till resor")
        await press(api, member, "Klar →")
        await press(api, member, "Nästa →")
        await press(api, member, "Nästa →")
        await say(api, member, "Regionala Hemlighetsrådet")
        assert "Tack!" in last_text(api, member)
        await command(api, ingrid, "/start", "assess")
        await press(api, ingrid, "Quick check")
        for _ in range(10):
            await press(api, ingrid, "Yes")
        await command(api, ingrid, "/plan")
        await say(api, ingrid, "Skogsklustret Hemlighult")
        await api.wait_for(lambda: any(r["method"] == "sendDocument" for r in api.sent(ingrid.id)))
    finally:
        await running.stop()
    logged = caplog.text
    assert sum(r.levelno == logging.DEBUG for r in caplog.records) > 0 or len(caplog.records) > 3
    for private in [*PRIVATE, api.token, api.token.split(":")[1]]:
        assert private not in logged, private


def test_a_log_level_that_is_not_one_is_one_line(tmp_path):
    line = one_line(
        run(tmp_path, ["run"], TELEGRAM_BOT_TOKEN="1:a", CLUSTER_JOURNEY_LOG_LEVEL="loud")
    )
    assert line.startswith("CLUSTER_JOURNEY_LOG_LEVEL='LOUD' is not one of DEBUG"), line


def test_the_log_level_is_checked(monkeypatch):
    monkeypatch.setenv(logs.LEVEL, "verbose")
    with pytest.raises(SettingsError):
        logs.level()


def test_control_characters_are_taken_out_of_text():
    assert clean_text("Skog\x00 och\x1b[31m trä\x07\r\n\tok\x9b") == "Skog och[31m trä\n\tok"
    assert clean_text("Åsa Öberg – “styrelsen” 🌲") == "Åsa Öberg – “styrelsen” 🌲"


async def test_a_title_with_nul_and_escapes_is_stored_clean(content, database):
    """On PostgreSQL a NUL in a title was an error whose log printed the title and the user's
    id; now the NUL never reaches the database, on either."""
    storage = Storage.create(database.url)
    await storage.prepare()
    try:
        runner = EventRunner(Router(content), storage)
        await runner.handle("77", Event("command", "workshop"), lang="en")
        await runner.handle("77", Event("choice", "wsf:new"), lang="en")
        handled = await runner.handle("77", Event("text", "Skog\x00 och \x1b[2Jträ\x07"), lang="en")
        assert any("Workshop “Skog och [2Jträ” is open." in r.text for r in handled.replies)
        assert database.value("SELECT title FROM workshops") == "Skog och [2Jträ"
    finally:
        await storage.close()


async def test_a_title_over_120_characters_is_asked_again(content, database):
    storage = Storage.create(database.url)
    await storage.prepare()
    try:
        runner = EventRunner(Router(content), storage)
        await runner.handle("78", Event("command", "workshop"), lang="sv")
        await runner.handle("78", Event("choice", "wsf:new"), lang="sv")
        handled = await runner.handle("78", Event("text", "Klusterdag " * 15), lang="sv")
        assert "164 tecken" in handled.replies[0].text and "högst 120" in handled.replies[0].text
        assert database.value("SELECT count(*) FROM workshops") == 0
        handled = await runner.handle("78", Event("text", "Klusterdag i Umeå"), lang="sv")
        assert database.value("SELECT title FROM workshops") == "Klusterdag i Umeå"
    finally:
        await storage.close()


@pytest.mark.parametrize("label", ["x" * 121, "Ö" * 300])
def test_an_observer_label_over_120_characters_is_one_line(tmp_path, database, label):
    line = one_line(
        run(tmp_path, ["admin", "observer", "--all", "--label", label], DATABASE_URL=database.url)
    )
    assert line == f"--label is {len(label)} characters; keep it to 120."


def test_an_observer_label_is_printed_without_escapes(tmp_path, database):
    made = run(
        tmp_path,
        ["admin", "observer", "--all", "--label", "Region\x1b]0;pwned\x07 Jämtland"],
        DATABASE_URL=database.url,
    )
    assert made.returncode == 0, made.stderr
    listed = run(tmp_path, ["admin", "observers"], DATABASE_URL=database.url)
    assert "\x1b" not in made.stdout + listed.stdout and "\x07" not in listed.stdout
    assert "Region]0;pwned Jämtland" in listed.stdout
