"""Word of workshop changes between replicas, on PostgreSQL: each change is NOTIFYed with the
row it left, inside the change's transaction (PostgreSQL delivers it at the commit, never for
a rollback), and a replica with open projector pages LISTENs on one connection of its own and
hands what it hears to its pages (`bot.storage.changes`, as its own changes are). Without it
(SQLite, a lost connection, a row too long to send) the pages still look at the database once
a second (`bot.web.poller`); the listener connects again after a pause."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from bot.storage.aio import AsyncConnection
from bot.storage.changes import WorkshopChanges
from flows.workshop.port import WorkshopInfo

if TYPE_CHECKING:
    from bot.storage.database import Storage

log = logging.getLogger(__name__)
CHANNEL = "cluster_journey_workshops"
MAX_PAYLOAD = 7900  # bytes; PostgreSQL takes up to 8000
RETRY = 5.0  # seconds before a lost listener connects again


async def notify(conn: AsyncConnection, changed: list[WorkshopInfo]) -> None:
    """Tell every listening replica, at the commit, of each changed workshop's row."""
    for workshop in changed:
        payload = json.dumps(dataclasses.asdict(workshop), ensure_ascii=False)
        if len(payload.encode()) <= MAX_PAYLOAD:  # else the replicas' next look finds it
            await conn.execute(sa.select(sa.func.pg_notify(CHANNEL, payload)))


def _workshop(payload: str) -> WorkshopInfo | None:
    try:
        return WorkshopInfo(**json.loads(payload))
    except (ValueError, TypeError) as exc:  # another version's payload: the next look finds it
        log.warning("workshop notification not understood: %s", exc)
        return None


class Listener:
    """LISTEN on a connection of its own from `start` until `stop`, reconnecting after RETRY
    seconds when the connection fails or is lost; what it hears goes to `changes`."""

    def __init__(self, storage: Storage, changes: WorkshopChanges) -> None:
        self._storage, self._changes = storage, changes
        self._task: asyncio.Task[None] | None = None
        self.listening = asyncio.Event()  # set while the LISTEN is in place

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _heard(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        workshop = _workshop(payload)
        if workshop is not None:
            self._changes.send([workshop])

    async def _run(self) -> None:
        while True:
            try:
                await self._listen()
                log.warning("workshop notifications: the connection was lost")
            except Exception as exc:  # the pages fall back on their looks once a second
                log.warning("workshop notifications: %s: %s", type(exc).__name__, exc)
            await asyncio.sleep(RETRY)

    async def _listen(self) -> None:
        """LISTEN until the connection is lost."""
        conn = await self._storage.driver_connection()
        try:
            lost = asyncio.Event()
            conn.add_termination_listener(lambda _conn: lost.set())
            await conn.add_listener(CHANNEL, self._heard)
            self.listening.set()
            await lost.wait()
        finally:
            self.listening.clear()
            if not conn.is_closed():
                with contextlib.suppress(Exception):
                    await conn.close(timeout=2)
