"""A disk that fills up mid-chat and a damaged database file: one clear line each, no
traceback, and nothing saved before lost. The full disk is real: the chat process may write
files no larger than a limit (RLIMIT_FSIZE), so SQLite's writes fail as on a full disk."""

from __future__ import annotations

import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.storage import Storage
from bot.web.asgi import Health
from tests.cli_driver import chat, home, one_line, run


def limited_chat(tmp_path: Path, lines: list[str], limit: int) -> subprocess.CompletedProcess[str]:
    """The terminal chat in a process that cannot write past `limit` bytes into any file."""

    def cap() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write fails instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, **home(tmp_path)}
    env.pop("CLUSTER_JOURNEY_CONTENT_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", "--lang", "en"],
        input="".join(f"{line}\n" for line in lines),
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
        preexec_fn=cap,
    )  # fmt: skip


def saved_answers(tmp_path: Path) -> int:
    with sqlite3.connect(tmp_path / "journey.db") as db:
        (state,) = db.execute("select state from users where id = 'cli:local'").fetchone()
    return len(json.loads(state)["journey"]["answers"])


def test_a_full_disk_mid_chat_loses_nothing_saved(tmp_path):
    chat(tmp_path, ["1", "1", "1", "2", "/quit"], "--lang", "en")  # two answers saved
    assert saved_answers(tmp_path) == 2
    limit = 48 * 1024  # the write-ahead log may grow this far: a few answers, then "full"
    full = limited_chat(tmp_path, ["1"] * 8, limit)
    assert full.returncode == 0, full.stderr
    assert "Traceback" not in full.stderr
    failures = [line for line in full.stderr.splitlines() if line.strip()]
    assert failures and all(
        line.startswith("The database could not be written: ") for line in failures
    ), failures
    assert "Sorry, something went wrong on my side. Your answers so far are saved" in full.stdout
    # with space again: every answer that was confirmed is there, and the chat goes on from
    # the first one that was not
    kept = saved_answers(tmp_path)
    assert 2 <= kept < 10
    out = chat(tmp_path, [], "--lang", "en")
    assert f"Question {kept + 1} of 10" in out
    with sqlite3.connect(tmp_path / "journey.db") as db:
        assert db.execute("pragma integrity_check").fetchone() == ("ok",)


def damage(path: Path, page: int) -> None:
    with path.open("r+b") as file:
        file.seek(4096 * page)
        file.write(os.urandom(4096))


def test_a_damaged_database_file_is_one_line(tmp_path):
    chat(tmp_path, ["1", "1", "1", "2", "/quit"], "--lang", "en")
    database = tmp_path / "journey.db"
    pages = database.stat().st_size // 4096
    damage(database, pages - 2)
    line = one_line(run(tmp_path, ["chat"]))
    assert line.startswith(f"Cannot use the database: the database file {database} is damaged")
    assert "restore it from a backup" in line
    database.write_bytes(os.urandom(8192))  # not a database at all
    line = one_line(run(tmp_path, ["chat"]))
    assert line.startswith("Cannot open the database sqlite") and "not a database" in line


@pytest.mark.parametrize("how", ["garbage", "truncated"])
async def test_health_reads_a_table_and_sees_a_file_replaced_under_it(tmp_path, how):
    path = tmp_path / "live.db"
    storage = Storage.create(f"sqlite:///{path}")
    await storage.prepare()
    health = Health(None, storage)
    try:
        assert (await health.respond(None)).status_code == 200  # type: ignore[arg-type]
        async with storage.engine.connect() as conn:  # all in the file, as after a while
            await conn.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))
        if how == "garbage":
            path.write_bytes(os.urandom(path.stat().st_size))
        else:
            with path.open("r+b") as file:
                file.truncate(0)
        response = await health.respond(None)  # type: ignore[arg-type]
        assert response.status_code == 503
        assert b'"database":"error: ' in response.body
    finally:
        await storage.close()


async def test_a_database_error_behind_a_page_is_a_503_and_one_line(tmp_path, content, caplog):
    import httpx

    from bot.web import asgi
    from bot.web.pages import Pages

    path = tmp_path / "web.db"
    storage = Storage.create(f"sqlite:///{path}")
    await storage.prepare()
    app = asgi.build(storage, Pages(storage, content))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            assert (await client.get("/chat")).status_code == 200
            async with storage.engine.begin() as conn:  # the data gone from under the pages
                await conn.execute(sa.text("DROP TABLE web_messages"))
            response = await client.get("/chat")
            assert response.status_code == 503 and response.headers["retry-after"] == "10"
            assert response.text == "Service Unavailable"
    finally:
        await storage.close()
    lines = [r for r in caplog.records if r.name == "bot.web.asgi"]
    assert [r.getMessage() for r in lines] == [
        "web: the database could not be used: no such table: web_messages"
    ]
    assert all(r.exc_info is None for r in lines)
