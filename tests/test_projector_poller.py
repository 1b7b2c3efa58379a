"""Projector pages share one look at their workshop a tick: thirty open pages cost the
database one read of the workshop per tick, not thirty, and every page still shows each
answer another replica takes; the poller stops with the last page, and a closed workshop ends
every stream. An answer this process stores reaches the pages at once, without a read and
without waiting for the tick, once it is committed (never before, never if rolled back); a
room answering at once wakes the pages a few times a second, not once per answer. On PostgreSQL
another replica's answer comes at once too (NOTIFY), also after the listener's connection was
lost; without notifications the pages still follow by their look a tick."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
from sqlalchemy import event

from bot.storage import Storage, notify
from bot.storage.workshops import WorkshopStore
from bot.web.access import PageLinks
from bot.web.streams import StreamLimits
from flows.workshop.answers import ParticipantAnswers
from flows.workshop.port import WorkshopInfo
from tests.web_harness import WebPages

POLL = 0.1
PAGES = 30


async def listen(session: aiohttp.ClientSession, url: str, seen: list[str]) -> None:
    async with session.get(url) as response:
        async for raw in response.content:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                seen.append(line[7:])
            elif 'data-revision="' in line:
                seen.append("revision " + line.split('data-revision="')[1].split('"')[0])


async def test_open_pages_share_one_read_a_tick_and_all_see_each_answer(content, database):
    storage = await Storage.open(database.url)
    reads: list[float] = []

    def counted(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM workshops" in statement:
            reads.append(time.monotonic())

    workshops = WorkshopStore(storage)
    workshop = await workshops.create("tg:1", "Room", time.time())
    token = (await PageLinks("").workshop_page(workshop, storage)).rsplit("/", 1)[1]
    limits = StreamLimits(per_link=PAGES, per_address=PAGES)  # one room's wall, many pages
    web = await WebPages(storage, content, poll=POLL, streams=limits).start()
    seen: list[list[str]] = [[] for _ in range(PAGES)]
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            url = f"{web.base_url}/w/{token}/events"
            tasks = [asyncio.create_task(listen(session, url, s)) for s in seen]
            for _ in range(600):  # every page connected (each read the workshop to open)
                polls = web.pages.poller._polls
                if workshop.id in polls and polls[workshop.id].watchers == PAGES:
                    break
                await asyncio.sleep(0.05)
            # from now on every read of the workshop is the pages' (the test's own come after)
            event.listen(storage.engine.sync_engine, "before_cursor_execute", counted)
            start = time.monotonic()
            await asyncio.sleep(20 * POLL)
            window = time.monotonic() - start
            ticks = len(reads)
            # taken by another replica: the pages find it at their next look
            replica = await Storage.open(database.url)
            try:
                elsewhere = WorkshopStore(replica)
                await elsewhere.save_answer(workshop.id, "tg:2", ParticipantAnswers(step=3), 0.0)
                revision = (await elsewhere.get(workshop.id)).revision
            finally:
                await replica.close()
            for _ in range(600):  # within a tick or two; generous for a loaded machine
                if all(f"revision {revision}" in s for s in seen):
                    break
                await asyncio.sleep(0.05)
            await workshops.set_closed(workshop.id, True)
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)  # "closed" ends each
    finally:
        await web.stop()
        await storage.close()
    # one read a tick (the answer's own reads are outside the window), not one per page
    assert ticks <= window / POLL + 2, (ticks, window)
    assert ticks >= 2  # and it does read: the pages follow the database
    assert all(f"revision {revision}" in s and s[-1] == "closed" for s in seen)
    assert web.pages.poller._polls == {}  # the last page gone, the poller stopped


SLOW = 30.0  # a tick the tests below never wait for: what reaches the pages comes without it


async def open_pages(web: WebPages, workshop_id: int, count: int) -> None:
    """Wait until `count` pages watch the workshop and the poller has made its first read."""
    for _ in range(600):
        poll = web.pages.poller._polls.get(workshop_id)
        if poll is not None and poll.watchers == count and poll.latest is not None:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the pages did not open")


async def room(storage: Storage) -> tuple[WorkshopStore, WorkshopInfo, str]:
    workshops = WorkshopStore(storage)
    workshop = await workshops.create("tg:1", "Room", time.time())
    token = (await PageLinks("").workshop_page(workshop, storage)).rsplit("/", 1)[1]
    return workshops, workshop, token


async def test_an_answer_stored_here_reaches_the_pages_at_once_without_a_read(content, database):
    storage = await Storage.open(database.url)
    workshops, workshop, token = await room(storage)
    limits = StreamLimits(per_link=10, per_address=10)
    web = await WebPages(storage, content, poll=SLOW, streams=limits).start()
    reads, read = [0], web.pages.poller._read

    async def counted(workshop_id: int) -> WorkshopInfo | None:
        reads[0] += 1
        return await read(workshop_id)

    web.pages.poller._read = counted
    seen: list[list[str]] = [[] for _ in range(10)]
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            url = f"{web.base_url}/w/{token}/events"
            tasks = [asyncio.create_task(listen(session, url, s)) for s in seen]
            await open_pages(web, workshop.id, 10)
            before = reads[0]
            start = time.monotonic()
            await workshops.save_answer(workshop.id, "tg:2", ParticipantAnswers(step=3), 0.0)
            revision = workshop.revision + 1
            while not all(f"revision {revision}" in s for s in seen):
                assert time.monotonic() - start < 5.0, "the answer waited for the next tick"
                await asyncio.sleep(0.01)
            took = time.monotonic() - start
            pages_reads = reads[0] - before
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        await web.stop()
        await storage.close()
    assert took < 2.0  # a tick is thirty seconds: the answer did not wait for it
    assert pages_reads == 0  # the row came with the word of the change, not from a read


async def test_word_of_a_change_comes_after_its_commit_and_never_for_a_rollback(database):
    storage = await Storage.open(database.url)
    heard: list[WorkshopInfo] = []
    storage.workshop_changes.listen(heard.append)
    try:
        workshops, workshop, _token = await room(storage)
        async with storage.transaction() as conn:  # an event's transaction, as the bot runs it
            await WorkshopStore(storage.bound(conn)).save_answer(
                workshop.id, "tg:2", ParticipantAnswers(step=3), 0.0
            )
            assert heard == []  # not stored yet: no page may show what could still be undone
        assert [w.revision for w in heard] == [workshop.revision + 1]
        with pytest.raises(RuntimeError):
            async with storage.transaction() as conn:
                await WorkshopStore(storage.bound(conn)).save_answer(
                    workshop.id, "tg:3", ParticipantAnswers(step=4), 0.0
                )
                raise RuntimeError("the event failed")
        assert len(heard) == 1  # the rolled-back answer was never announced
        await workshops.set_closed(workshop.id, True)
        assert heard[-1].closed and heard[-1].revision == workshop.revision + 2
        assert (await workshops.get(workshop.id)) == heard[-1]
    finally:
        await storage.close()


async def test_a_room_answering_at_once_wakes_the_pages_a_few_times_not_per_answer(
    content, tmp_path
):
    storage = await Storage.open(f"sqlite:///{tmp_path / 'room.db'}")
    workshops, workshop, token = await room(storage)
    web = await WebPages(storage, content, poll=SLOW).start()
    seen: list[list[str]] = [[] for _ in range(3)]
    answers = 40
    try:
        async with aiohttp.ClientSession() as session:
            url = f"{web.base_url}/w/{token}/events"
            tasks = [asyncio.create_task(listen(session, url, s)) for s in seen]
            await open_pages(web, workshop.id, 3)
            start = time.monotonic()
            for number in range(answers):
                await workshops.save_answer(
                    workshop.id, f"tg:{number + 2}", ParticipantAnswers(step=3), 0.0
                )
            written = time.monotonic() - start
            last = workshop.revision + answers
            while not all(f"revision {last}" in s for s in seen):
                assert time.monotonic() - start < 10.0, "the last answer did not arrive"
                await asyncio.sleep(0.01)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        await web.stop()
        await storage.close()
    # the pages were woken at once by the first answer, at most once per gap while the others
    # came, and once more after (with a wake-up late on a busy machine, one more gap's worth)
    shown = [sum(1 for line in s if line == "results") for s in seen]
    assert all(count <= written / web.pages.poller.gap + 3 for count in shown), (shown, written)
    assert all(count < answers / 2 for count in shown), shown


async def test_a_quiet_page_gets_a_keep_alive_and_nothing_else(content, database):
    storage = await Storage.open(database.url)
    _workshops, workshop, token = await room(storage)
    web = await WebPages(storage, content, poll=POLL).start()
    web.pages.poller.beat = 3 * POLL
    lines: list[str] = []
    try:
        async with aiohttp.ClientSession() as session:
            url = f"{web.base_url}/w/{token}/events?since={workshop.revision}"
            async with asyncio.timeout(10), session.get(url) as response:
                async for raw in response.content:
                    lines.append(raw.decode().rstrip("\n"))
                    if lines.count(": keep-alive") >= 3:
                        break
    finally:
        await web.stop()
        await storage.close()
    assert not any(line.startswith("event: ") for line in lines)  # nothing new: no results


async def follow_from_another_replica(
    content, url: str, poll: float, before_answer=None
) -> tuple[float, int]:
    """Five pages open on one replica, an answer taken by another: how long it took to reach
    every page, and how many reads the pages made meanwhile."""
    storage = await Storage.open(url)
    _workshops, workshop, token = await room(storage)
    web = await WebPages(storage, content, poll=poll).start()
    reads, read = [0], web.pages.poller._read

    async def counted(workshop_id: int) -> WorkshopInfo | None:
        reads[0] += 1
        return await read(workshop_id)

    web.pages.poller._read = counted
    replica = await Storage.open(url)
    seen: list[list[str]] = [[] for _ in range(5)]
    try:
        async with aiohttp.ClientSession() as session:
            events = f"{web.base_url}/w/{token}/events"
            tasks = [asyncio.create_task(listen(session, events, s)) for s in seen]
            await open_pages(web, workshop.id, 5)
            if before_answer is not None:
                await before_answer(web)
            before = reads[0]
            start = time.monotonic()
            await WorkshopStore(replica).save_answer(
                workshop.id, "tg:2", ParticipantAnswers(step=3), 0.0
            )
            revision = workshop.revision + 1
            while not all(f"revision {revision}" in s for s in seen):
                assert time.monotonic() - start < 5.0, "the answer did not arrive"
                await asyncio.sleep(0.01)
            took, pages_reads = time.monotonic() - start, reads[0] - before
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        await web.stop()
        await replica.close()
        await storage.close()
    return took, pages_reads


async def listening(web: WebPages) -> None:
    listener = web.pages.poller.listener
    assert listener is not None  # PostgreSQL: the pages listen for the other replicas' changes
    await asyncio.wait_for(listener.listening.wait(), 10)


async def test_on_postgres_another_replicas_answer_reaches_the_pages_at_once(
    content, postgres_database
):
    took, reads = await follow_from_another_replica(content, postgres_database.url, SLOW, listening)
    assert took < 2.0  # NOTIFY at the commit: no waiting for the thirty-second tick
    assert reads == 0  # the row came with the notification


async def test_on_postgres_a_lost_listener_connects_again(content, postgres_database, monkeypatch):
    monkeypatch.setattr(notify, "RETRY", 0.1)

    async def cut(web: WebPages) -> None:
        await listening(web)
        postgres_database.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE query LIKE 'LISTEN %' AND pid <> pg_backend_pid()"
        )
        listener = web.pages.poller.listener
        for _ in range(200):  # the loss noticed …
            if not listener.listening.is_set():
                break
            await asyncio.sleep(0.02)
        else:
            raise AssertionError("the listener did not notice its connection was cut")
        await listening(web)  # … and the LISTEN back in place

    took, reads = await follow_from_another_replica(content, postgres_database.url, SLOW, cut)
    assert took < 2.0 and reads == 0


async def test_without_notifications_the_pages_still_follow_by_their_look(
    content, postgres_database, monkeypatch, caplog
):
    async def refused(_storage: Storage) -> None:
        raise OSError("connection refused")

    monkeypatch.setattr(Storage, "driver_connection", refused)
    took, reads = await follow_from_another_replica(content, postgres_database.url, POLL)
    assert took < 2.0 and reads >= 1  # found by the look a tick
    assert "workshop notifications: OSError: connection refused" in caplog.text
