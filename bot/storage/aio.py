"""Async access to SQLAlchemy Core: a thin engine and connection that run Core's synchronous
calls through SQLAlchemy's greenlet bridge on the async drivers (aiosqlite, asyncpg).

This is what `sqlalchemy.ext.asyncio` does for Core, without it: that extension imports the
ORM, which the project never uses (about 8 MB of memory and 0.1 s of start-up). Rows are
fetched by the drivers' adapted cursors before `execute` returns, so a result is read without
awaiting, as with the extension.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, CursorResult, Engine
from sqlalchemy.util.concurrency import greenlet_spawn

T = TypeVar("T")
log = logging.getLogger(__name__)


INTERACTIVE, LATER = 0, 1  # priorities at the gate: someone waiting for an answer; bulk work
LATER_AFTER = 4  # interactive holders let in ahead of a waiting LATER one, at most, in a row


class PriorityGate:
    """At most `capacity` holders; waiters are let in INTERACTIVE first, each priority in
    arrival order, but never more than LATER_AFTER interactive ones in a row while a LATER one
    waits (so a room's summaries still finish under a steady stream of presses).

    On SQLite the process's one connection is the gate's (`Storage.create`): a press waits
    for the transaction in flight, not for a queue of summaries that arrived before it."""

    def __init__(self, capacity: int = 1) -> None:
        self._free = capacity
        self._waiting: tuple[deque[asyncio.Future[None]], ...] = (deque(), deque())
        self._in_a_row = 0

    async def acquire(self, priority: int = INTERACTIVE) -> None:
        if self._free > 0 and not any(self._waiting):
            self._free -= 1
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting[priority].append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self.release()  # let in, then cancelled: pass the turn on
            else:
                self._waiting[priority].remove(turn)
            raise

    def release(self) -> None:
        interactive, later = self._waiting
        order = (later, interactive) if self._in_a_row >= LATER_AFTER else (interactive, later)
        for queue in order:
            while queue:
                turn = queue.popleft()
                if not turn.done():
                    self._in_a_row = self._in_a_row + 1 if queue is interactive and later else 0
                    turn.set_result(None)
                    return
        self._free += 1


class AsyncConnection:
    """One pooled connection: `execute` a Core statement, `run_sync` a function that takes the
    synchronous connection (migrations, the schema check)."""

    def __init__(self, sync_connection: Connection) -> None:
        self.sync_connection = sync_connection
        self._committed: list[Callable[[], None]] = []

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Call `callback` once the transaction `AsyncEngine.begin` opened is committed (never
        if it is rolled back): word of a change must not reach anyone before the change is
        stored."""
        self._committed.append(callback)

    def _run_committed(self) -> None:
        callbacks, self._committed = self._committed, []
        for callback in callbacks:
            try:
                callback()
            except Exception:  # a listener's fault is not the committed transaction's
                log.exception("after-commit callback failed")

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
        self._run_committed()

    async def rollback(self) -> None:
        self._committed.clear()
        await greenlet_spawn(self.sync_connection.rollback)


class AsyncEngine:
    """The engine: connections from its pool, `begin` for a transaction committed when the
    block ends (rolled back when it raises)."""

    def __init__(self, sync_engine: Engine, gate: PriorityGate | None = None) -> None:
        self.sync_engine = sync_engine
        self.gate = gate  # in front of the pool, when its connections are few (SQLite: one)

    @property
    def dialect(self) -> sa.engine.Dialect:
        return self.sync_engine.dialect

    @property
    def url(self) -> sa.engine.URL:
        return self.sync_engine.url

    def execution_options(self, **options: Any) -> AsyncEngine:
        return AsyncEngine(self.sync_engine.execution_options(**options), self.gate)

    @asynccontextmanager
    async def connect(self, priority: int = INTERACTIVE) -> AsyncIterator[AsyncConnection]:
        if self.gate is not None:
            await self.gate.acquire(priority)
        try:
            sync_connection = await greenlet_spawn(self.sync_engine.connect)
            try:
                yield AsyncConnection(sync_connection)
            finally:
                await greenlet_spawn(sync_connection.close)
        finally:
            if self.gate is not None:
                self.gate.release()

    @asynccontextmanager
    async def begin(self, priority: int = INTERACTIVE) -> AsyncIterator[AsyncConnection]:
        async with self.connect(priority) as conn:
            transaction = await greenlet_spawn(conn.sync_connection.begin)
            try:
                yield conn
            except BaseException:
                if transaction.is_active:
                    await greenlet_spawn(transaction.rollback)
                raise
            if transaction.is_active:  # the block may have ended it (`rollback`)
                await greenlet_spawn(transaction.commit)
                conn._run_committed()

    async def dispose(self) -> None:
        await greenlet_spawn(self.sync_engine.dispose)


def create_async_engine(
    url: str | sa.URL, gate: PriorityGate | None = None, **options: Any
) -> AsyncEngine:
    """An engine on an async driver's URL (`sqlite+aiosqlite://`, `postgresql+asyncpg://`);
    `_is_async` is how SQLAlchemy's own extension asks for the async pool and adapters."""
    return AsyncEngine(sa.create_engine(url, _is_async=True, **options), gate)
