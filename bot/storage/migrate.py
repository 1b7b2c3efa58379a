"""Keeping the database's schema the one this code knows, with Alembic.

The bot upgrades its database to the newest revision when it starts (`upgrade`), under a lock
on PostgreSQL so that replicas starting together run each revision once; `cluster-journey db
upgrade` does the same for an operator who prefers to do it before a deploy. A database of the
first release (tables, but no version recorded) is recognised by its tables and columns and
given revision 0001. A database this code does not know, made by a newer version or by a
development version before 0001, is refused with one clear line (`SchemaError`), never run on.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from bot.storage.revision import SchemaError

SCRIPTS = Path(__file__).resolve().parent / "migrations"
BASELINE = "0001"
LOCK_KEY = 0x434A_0001  # pg_advisory_xact_lock key: "CJ", schema upgrades
__all__ = ["SchemaError", "current", "head", "upgrade"]


def _config(connection: sa.Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    config.attributes["connection"] = connection
    return config


def _columns(connection: sa.Connection) -> dict[str, set[str]]:
    inspector = sa.inspect(connection)
    return {
        table: {c["name"] for c in inspector.get_columns(table)}
        for table in inspector.get_table_names()
        if table != "alembic_version"
    }


@cache
def _baseline_columns() -> dict[str, set[str]]:
    """The tables and columns revision 0001 makes, read off an empty database it was run on."""
    engine = sa.create_engine("sqlite://")
    with engine.begin() as connection:
        command.upgrade(_config(connection), BASELINE)
        return _columns(connection)


def head() -> str:
    revision = ScriptDirectory(str(SCRIPTS)).get_current_head()
    assert revision is not None
    return revision


def current(connection: sa.Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(connection: sa.Connection) -> str:
    """Bring the database to the newest revision (creating it when empty); returns it."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    config = _config(connection)
    known = {s.revision for s in ScriptDirectory(str(SCRIPTS)).walk_revisions()}
    version = current(connection)
    if version is None:
        tables = _columns(connection)
        if tables and tables != _baseline_columns():
            raise SchemaError(
                "the database holds tables of an unknown schema (a development version of "
                "Cluster Journey, or another program); use a new database, or ask for help "
                "moving the data"
            )
        if tables:  # the first release recorded no version
            command.stamp(config, BASELINE)
    elif version not in known:
        raise SchemaError(
            f"the database has schema version {version}, which this version of Cluster "
            "Journey does not know (was it upgraded by a newer version?)"
        )
    command.upgrade(config, "head")
    return head()
