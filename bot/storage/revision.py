"""Which schema revision this code runs on, known without loading Alembic.

Starting the bot against a database already at the newest revision, the usual case, is one
small query here; only a database that needs creating or upgrading loads Alembic
(`bot.storage.migrate`, about a third of a second of start-up). A test keeps HEAD equal to the
newest script in `migrations/versions/`.
"""

from __future__ import annotations

import sqlalchemy as sa

HEAD = "0011"  # the newest revision in migrations/versions/


class SchemaError(Exception):
    """The database's schema is one this version cannot run on or upgrade."""


def at_head(connection: sa.Connection) -> bool:
    """True when the database records the newest revision: nothing to create or upgrade."""
    if not sa.inspect(connection).has_table("alembic_version"):
        return False
    versions = connection.execute(sa.text("SELECT version_num FROM alembic_version")).all()
    return [v for (v,) in versions] == [HEAD]
