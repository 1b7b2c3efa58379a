"""The shape of the personal-data registry: what one storage module declares it holds about a
user, with how to export it and how to erase it.

Each storage module that keeps a user's id lists its `Holding`s in `PERSONAL_DATA`;
`bot.storage.privacy` gathers them in the one registry that `/delete` erases by and that the
privacy text's inventory is built from. `tests/test_personal_data.py` fails when a table with
a user column is in no holding."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from bot.storage.aio import AsyncConnection

Eraser = Callable[[AsyncConnection, str], Awaitable[int]]
Exporter = Callable[[AsyncConnection, str], Awaitable[list[dict[str, Any]]]]


@dataclass(frozen=True)
class Holding:
    """Personal data in one table. `category` names it for the user (`flows.privacy`'s
    inventory); `user_columns` are the columns that hold a user's id; `erase` returns how many
    of the user's rows it erased or unlinked, and is None where the rows are kept on purpose
    (the privacy text says why)."""

    category: str
    table: sa.Table
    user_columns: tuple[str, ...]
    erase: Eraser | None
    export: Exporter


def _plain(value: Any) -> Any:
    """A stored value as the user reads it: JSON columns decoded."""
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def plain_row(row: Any) -> dict[str, Any]:
    """A result row as a dict of plain values (column name → value, JSON decoded)."""
    return {key: _plain(value) for key, value in row._mapping.items()}


def rows_where(table: sa.Table, *columns: str) -> Exporter:
    """An exporter of the table's rows in which any of `columns` is the user, in the order of
    its primary key."""

    async def export(conn: AsyncConnection, user_id: str) -> list[dict[str, Any]]:
        condition = sa.or_(*(table.c[name] == user_id for name in columns))
        query = sa.select(table).where(condition).order_by(*table.primary_key.columns)
        return [plain_row(row) for row in (await conn.execute(query)).all()]

    return export


def delete_where(table: sa.Table, column: str) -> Eraser:
    """An eraser that deletes the user's rows."""

    async def erase(conn: AsyncConnection, user_id: str) -> int:
        return int((await conn.execute(table.delete().where(table.c[column] == user_id))).rowcount)

    return erase
