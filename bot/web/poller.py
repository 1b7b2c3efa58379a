"""One look at a workshop's row a second, however many projector pages are open on it: the
pages' update streams subscribe to a shared poller per workshop instead of each asking the
database (200 open phones were 200 reads a second; now one).

The poller runs while at least one stream watches its workshop and stops with the last. It
reads the row the bot writes (the revision counted up with each answer), so an answer taken by
any replica reaches every page within about a second. A failed read is logged and tried again
at the next tick; the streams wait meanwhile instead of ending."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from flows.workshop.port import WorkshopInfo

log = logging.getLogger(__name__)
Read = Callable[[int], Awaitable[WorkshopInfo | None]]


class _Poll:
    """One workshop's reads: the latest row, how many reads so far, and a wake-up per read."""

    def __init__(self) -> None:
        self.watchers = 0
        self.reads = 0
        self.latest: WorkshopInfo | None = None
        self.read = asyncio.Event()
        self.task: asyncio.Task[None] | None = None


class Watch:
    """A stream's subscription: `next` gives the row of each read after the previous one."""

    def __init__(self, poll: _Poll, stopping: asyncio.Event) -> None:
        self._poll, self._stopping = poll, stopping
        self._seen = poll.reads  # a read made before the page was served may be older than it

    async def next(self) -> WorkshopInfo | None:
        """The workshop after the next read (None: it is gone); returns at once with the
        latest if a read came since the last call. Also returns, with the last row read,
        when the server is stopping."""
        while self._poll.reads == self._seen and not self._stopping.is_set():
            read = asyncio.ensure_future(self._poll.read.wait())
            stop = asyncio.ensure_future(self._stopping.wait())
            try:
                await asyncio.wait((read, stop), return_when=asyncio.FIRST_COMPLETED)
            finally:
                read.cancel()
                stop.cancel()
        self._seen = self._poll.reads
        return self._poll.latest


class WorkshopPoller:
    """The shared pollers of one web server, one per workshop with open pages."""

    def __init__(self, read: Read, interval: float, stopping: asyncio.Event) -> None:
        self._read, self.interval, self._stopping = read, interval, stopping
        self._polls: dict[int, _Poll] = {}

    @asynccontextmanager
    async def watch(self, workshop_id: int) -> AsyncIterator[Watch]:
        poll = self._polls.get(workshop_id)
        if poll is None:
            poll = self._polls[workshop_id] = _Poll()
        poll.watchers += 1
        if poll.task is None:
            poll.task = asyncio.create_task(self._run(workshop_id, poll))
        try:
            yield Watch(poll, self._stopping)
        finally:
            poll.watchers -= 1
            if poll.watchers == 0:
                self._polls.pop(workshop_id, None)
                if poll.task is not None:
                    poll.task.cancel()

    async def _run(self, workshop_id: int, poll: _Poll) -> None:
        while not self._stopping.is_set():
            try:
                poll.latest = await self._read(workshop_id)
            except Exception as exc:  # the database away for a moment: the pages wait
                log.warning("projector poll of a workshop failed: %s: %s", type(exc).__name__, exc)
            else:
                poll.reads += 1
                poll.read.set()
                poll.read = asyncio.Event()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.interval)
