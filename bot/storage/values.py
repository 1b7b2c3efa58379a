"""The installation's own values, kept in the database so that every replica (and the web
server started on its own) uses the same: the secret that signs page links, the bot's username."""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from bot.storage.database import Storage, upsert
from bot.storage.schema import app_values

WEB_SECRET = "web_secret"
BOT_USERNAME = "bot_username"


async def get(storage: Storage, name: str) -> str | None:
    async with storage.transaction() as conn:
        row = (
            await conn.execute(sa.select(app_values.c.value).where(app_values.c.name == name))
        ).first()
    return row.value if row is not None else None


async def put(storage: Storage, name: str, value: str) -> None:
    """Set a value; one statement, so replicas starting at once do not both insert it."""
    async with storage.transaction() as conn:
        statement = upsert(conn, app_values).values(name=name, value=value)
        await conn.execute(
            statement.on_conflict_do_update(
                index_elements=["name"], set_={"value": statement.excluded.value}
            )
        )


async def web_secret(storage: Storage) -> bytes:
    """The secret that signs page links, made on first use. Made inside whatever transaction
    asks (an event's, too): the insert of a second replica at the same moment does nothing,
    and both read the first one's."""
    async with storage.transaction() as conn:
        await conn.execute(
            upsert(conn, app_values)
            .values(name=WEB_SECRET, value=secrets.token_hex(32))
            .on_conflict_do_nothing(index_elements=["name"])
        )
        found = (
            await conn.execute(sa.select(app_values.c.value).where(app_values.c.name == WEB_SECRET))
        ).scalar_one()
    return bytes.fromhex(found)
