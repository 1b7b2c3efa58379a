"""The schema is versioned with Alembic: the revisions make what the code's tables describe, a
database of the first release (44e7cdf) is upgraded in place and keeps its users, and a database
the code does not know is refused with one clear line."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from bot.storage import migrate
from bot.storage.schema import metadata
from tests.cli_driver import chat, one_line, run


def fresh_interpreter(code: str) -> None:
    """Run `code` in a new Python from the project's folder: what it imports is its own."""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
        cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


OLD_RELEASE = Path(__file__).parent / "data" / "db-44e7cdf.sql"


def test_the_revisions_make_what_the_tables_describe(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'db'}")
    with engine.begin() as connection:
        assert migrate.upgrade(connection) == migrate.head()
        context = MigrationContext.configure(connection, opts={"compare_server_default": True})
        assert compare_metadata(context, metadata) == []
    with engine.begin() as connection:  # again: nothing to do
        assert migrate.upgrade(connection) == migrate.head()


def test_a_database_of_the_first_release_is_upgraded_and_keeps_its_users(tmp_path):
    db = tmp_path / "journey.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(OLD_RELEASE.read_text(encoding="utf-8"))
        assert conn.execute("select count(*) from assessments").fetchone() == (1,)
    returning = chat(tmp_path, ["/summary"], "--user", "maja")
    assert "Sammanfattning – så redo är ni (snabbkoll)" in returning
    new = chat(tmp_path, ["1", "1", *["1"] * 10], "--user", "nils", "--lang", "en")
    assert "Your readiness summary (quick check)" in new
    with sqlite3.connect(db) as conn:
        assert conn.execute("select version_num from alembic_version").fetchall() == [
            (migrate.head(),)
        ]
        users = conn.execute("select id from users order by id").fetchall()
        assert users == [("cli:maja",), ("cli:nils",)]
        assert conn.execute("select count(*) from assessments").fetchone() == (2,)


def _refused(tmp_path: Path, sql: str) -> str:
    with sqlite3.connect(tmp_path / "journey.db") as conn:  # the database `run` points at
        conn.executescript(sql)
    return one_line(run(tmp_path, ["chat"]))


def test_a_database_of_unknown_tables_is_refused_in_one_line(tmp_path):
    # as the development version before the first release left it: users.nonce, no default
    line = _refused(
        tmp_path, "create table users (id varchar(64) primary key, nonce integer not null);"
    )
    assert line.startswith("Cannot use the database: the database holds tables of an unknown")


def test_a_database_of_a_newer_version_is_refused_in_one_line(tmp_path):
    line = _refused(
        tmp_path,
        "create table alembic_version (version_num varchar(32) not null primary key);"
        "insert into alembic_version values ('9999');",
    )
    assert "schema version 9999" in line and "newer version" in line


def test_head_is_known_without_alembic_and_start_up_loads_only_what_it_needs(tmp_path):
    """revision.HEAD is the newest script; a bot starting on a database at it loads neither
    Alembic, nor the web server (polling), nor the PDF library, nor matplotlib, nor
    SQLAlchemy's ORM (about 8 MB the bot never uses), nor the metrics library (off)."""
    from bot.storage.revision import HEAD

    assert migrate.head() == HEAD
    url = f"sqlite:///{tmp_path / 'db'}"
    with sa.create_engine(url).begin() as connection:
        migrate.upgrade(connection)
    code = (
        "import asyncio, sys, bot.cli, bot.telegram.app, bot.terminal, bot.render\n"
        "from bot.storage import Storage\n"
        f"storage = asyncio.run(Storage.open({url!r}))\n"
        "loaded = [m for m in ('alembic', 'uvicorn', 'starlette', 'fpdf', 'matplotlib',\n"
        "                      'sqlalchemy.orm', 'sqlalchemy.ext.asyncio', 'prometheus_client')\n"
        "          if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    fresh_interpreter(code)


def test_the_bot_and_its_web_pages_run_without_sqlalchemys_orm(tmp_path):
    """Everything the bot process loads, its web pages included, and an event handled through
    the storage: SQLAlchemy Core only (`bot.storage.aio`), never `sqlalchemy.orm`."""
    url = f"sqlite:///{tmp_path / 'db'}"
    code = (
        "import asyncio, sys, bot.cli, bot.telegram.app, bot.web.asgi, bot.web.pages\n"
        "import bot.reminders, bot.retention, bot.storage.regional\n"
        "from bot.events import EventRunner\n"
        "from bot.storage import Storage\n"
        "from flows.content_loader import load_content\n"
        "from flows.messages import Event\n"
        "from flows.router import Router\n"
        "async def main():\n"
        f"    storage = await Storage.open({url!r})\n"
        "    events = EventRunner(Router(load_content()), storage)\n"
        "    handled = await events.handle('cli:a', Event('command', 'assess'), update_id=1)\n"
        "    assert handled.replies\n"
        "    await storage.close()\n"
        "asyncio.run(main())\n"
        "unused = ('sqlalchemy.orm', 'sqlalchemy.ext.asyncio')\n"
        "loaded = [m for m in sys.modules if m.startswith(unused)]\n"
        "assert not loaded, loaded\n"
    )
    fresh_interpreter(code)
