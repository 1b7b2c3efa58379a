"""One look at a workshop's row a second, however many projector pages are open on it: the
pages' update streams subscribe to a shared poller per workshop instead of each asking the
database (200 open phones were 200 reads a second; now one).

The poller runs while at least one stream watches its workshop and stops with the last. It
reads the row the bot writes (the revision counted up with each change), so a change made by
any replica reaches every page within about a second. A change made by this process comes
sooner: the workshop store tells the poller after the commit, with the row as the change left
it (`bot.storage.changes`), and the streams wake at once without a read; on PostgreSQL so does
a change made by another replica, which NOTIFYs it (`bot.storage.notify`). Wake-ups are at
least `gap` apart (a room answering at once is one fan-out to the pages, not one per answer),
and come only with a newer revision, or every `beat` seconds without one so that a quiet
stream can write its keep-alive. A failed read is logged and tried again at the next tick; the
streams wait meanwhile instead of ending."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Protocol

from bot.storage.changes import WorkshopChanges
from flows.workshop.port import WorkshopInfo

log = logging.getLogger(__name__)
Read = Callable[[int], Awaitable[WorkshopInfo | None]]


class Listening(Protocol):
    """Word of other replicas' changes (`bot.storage.notify`), needed while pages are open."""

    def start(self) -> None: ...
    async def stop(self) -> None: ...


GAP = 0.25  # seconds at least between two wake-ups of a workshop's streams
BEAT = 15.0  # seconds at most between two wake-ups (the streams' keep-alive)


def _ahead(row: WorkshopInfo | None, of: WorkshopInfo | None) -> bool:
    """Whether `row` is news after `of`: a later revision, or the workshop gone (None). A read
    that started before a change this process announced returns an older row: not news."""
    if row is None or of is None:
        return row is not of
    return row.revision > of.revision


class _Poll:
    """One workshop's state: the latest row, a count of the wake-ups, and an event per wake-up."""

    def __init__(self, gap: float) -> None:
        self.watchers = 0
        self.wakes = 0
        self.latest: WorkshopInfo | None = None
        self.woken = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self._gap = gap
        self._loop = asyncio.get_running_loop()
        self.woke_at = float("-inf")
        self._pending: WorkshopInfo | None = None
        self._timer: asyncio.TimerHandle | None = None

    def offer(self, row: WorkshopInfo | None) -> None:
        """A row read or announced: the streams wake with it if it is news, at once or, within
        `gap` of the last wake-up, at its end (with whatever is newest by then)."""
        newest = self._pending if self._timer is not None else self.latest
        if self.wakes and not _ahead(row, newest):
            return
        wait = self.woke_at + self._gap - self._loop.time()
        if wait <= 0 and self._timer is None:
            self.wake(row)
            return
        self._pending = row
        if self._timer is None:
            self._timer = self._loop.call_later(wait, self._flush)

    def _flush(self) -> None:
        self._timer = None
        self.wake(self._pending)

    def wake(self, row: WorkshopInfo | None) -> None:
        self.latest = row
        self.wakes += 1
        self.woke_at = self._loop.time()
        woken, self.woken = self.woken, asyncio.Event()
        woken.set()

    def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


class Watch:
    """A stream's subscription: `next` gives the row of each wake-up after the previous one."""

    def __init__(self, poll: _Poll, stopping: asyncio.Event) -> None:
        self._poll, self._stopping = poll, stopping
        self._seen = 0  # the first call returns what the poller already has, if anything

    async def next(self) -> WorkshopInfo | None:
        """The workshop at the next wake-up (None: it is gone); returns at once with the latest
        if there was one since the last call. Also returns, with the last row, when the server
        is stopping. The row may be older than what the page shows: compare revisions."""
        while self._poll.wakes == self._seen and not self._stopping.is_set():
            await self._poll.woken.wait()
        self._seen = self._poll.wakes
        return self._poll.latest


class WorkshopPoller:
    """The shared pollers of one web server, one per workshop with open pages."""

    def __init__(
        self,
        read: Read,
        interval: float,
        stopping: asyncio.Event,
        changes: WorkshopChanges | None = None,
        gap: float = GAP,
        beat: float = BEAT,
        listener: Listening | None = None,
    ) -> None:
        self._read, self.interval, self._stopping = read, interval, stopping
        self.gap, self.beat = gap, beat
        self._polls: dict[int, _Poll] = {}
        self.listener = listener  # other replicas' changes, while any page is open
        if changes is not None:
            changes.listen(self._changed)

    def _changed(self, workshop: WorkshopInfo) -> None:
        poll = self._polls.get(workshop.id)
        if poll is not None:
            poll.offer(workshop)

    @asynccontextmanager
    async def watch(self, workshop_id: int) -> AsyncIterator[Watch]:
        poll = self._polls.get(workshop_id)
        if poll is None:
            poll = self._polls[workshop_id] = _Poll(self.gap)
        poll.watchers += 1
        if poll.task is None:
            poll.task = asyncio.create_task(self._run(workshop_id, poll))
        if self.listener is not None:
            self.listener.start()
        try:
            yield Watch(poll, self._stopping)
        finally:
            poll.watchers -= 1
            if poll.watchers == 0:
                self._polls.pop(workshop_id, None)
                poll.stop()
                if not self._polls and self.listener is not None:
                    await self.listener.stop()

    async def _run(self, workshop_id: int, poll: _Poll) -> None:
        loop = asyncio.get_running_loop()
        try:
            while not self._stopping.is_set():
                tick = loop.time() + self.interval  # the read's time counts in the interval
                try:
                    row = await self._read(workshop_id)
                except Exception as exc:  # the database away for a moment: the pages wait
                    log.warning(
                        "projector poll of a workshop failed: %s: %s", type(exc).__name__, exc
                    )
                else:
                    poll.offer(row)
                    if loop.time() - poll.woke_at >= self.beat:
                        poll.wake(poll.latest)  # nothing new for a while: the keep-alive
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), tick - loop.time())
        finally:
            poll.woken.set()  # the streams see the server stopping (or their poller gone)
