"""Async access to SQLAlchemy Core: a thin engine and connection that run Core's synchronous
calls through SQLAlchemy's greenlet bridge on the async drivers (aiosqlite, asyncpg).

This is what `sqlalchemy.ext.asyncio` does for Core, without it: that extension imports the
ORM, which the project never uses (about 8 MB of memory and 0.1 s of start-up). Rows are
fetched by the drivers' adapted cursors before `execute` returns, so a result is read without
awaiting, as with the extension.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, CursorResult, Engine
from sqlalchemy.util.concurrency import greenlet_spawn

T = TypeVar("T")


class AsyncConnection:
    """One pooled connection: `execute` a Core statement, `run_sync` a function that takes the
    synchronous connection (migrations, the schema check)."""

    def __init__(self, sync_connection: Connection) -> None:
        self.sync_connection = sync_connection

    @property
    def dialect(self) -> sa.engine.Dialect:
        return self.sync_connection.dialect

    async def execute(self, statement: Any, parameters: Any = None) -> CursorResult[Any]:
        result: CursorResult[Any] = await greenlet_spawn(
            self.sync_connection.execute, statement, parameters, _require_await=True
        )
        if result.cursor is not None:
            await result.cursor._async_soft_close()  # as the extension does: rows stay readable
        return result

    async def run_sync(self, fn: Callable[..., T], *args: Any) -> T:
        return await greenlet_spawn(fn, self.sync_connection, *args)

    async def commit(self) -> None:
        await greenlet_spawn(self.sync_connection.commit)

    async def rollback(self) -> None:
        await greenlet_spawn(self.sync_connection.rollback)


class AsyncEngine:
    """The engine: connections from its pool, `begin` for a transaction committed when the
    block ends (rolled back when it raises)."""

    def __init__(self, sync_engine: Engine) -> None:
        self.sync_engine = sync_engine

    @property
    def dialect(self) -> sa.engine.Dialect:
        return self.sync_engine.dialect

    @property
    def url(self) -> sa.engine.URL:
        return self.sync_engine.url

    def execution_options(self, **options: Any) -> AsyncEngine:
        return AsyncEngine(self.sync_engine.execution_options(**options))

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection]:
        sync_connection = await greenlet_spawn(self.sync_engine.connect)
        try:
            yield AsyncConnection(sync_connection)
        finally:
            await greenlet_spawn(sync_connection.close)

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncConnection]:
        async with self.connect() as conn:
            transaction = await greenlet_spawn(conn.sync_connection.begin)
            try:
                yield conn
            except BaseException:
                if transaction.is_active:
                    await greenlet_spawn(transaction.rollback)
                raise
            if transaction.is_active:  # the block may have ended it (`rollback`)
                await greenlet_spawn(transaction.commit)

    async def dispose(self) -> None:
        await greenlet_spawn(self.sync_engine.dispose)


def create_async_engine(url: str, **options: Any) -> AsyncEngine:
    """An engine on an async driver's URL (`sqlite+aiosqlite://`, `postgresql+asyncpg://`);
    `_is_async` is how SQLAlchemy's own extension asks for the async pool and adapters."""
    return AsyncEngine(sa.create_engine(url, _is_async=True, **options))
