"""Projector pages share one look at their workshop a tick: thirty open pages cost the
database one read of the workshop per tick, not thirty, and every page still shows each
answer; the poller stops with the last page, and a closed workshop ends every stream."""

from __future__ import annotations

import asyncio
import time

import aiohttp
from sqlalchemy import event

from bot.storage import Storage
from bot.storage.workshops import WorkshopStore
from bot.web.access import PageLinks
from bot.web.streams import StreamLimits
from flows.workshop.answers import ParticipantAnswers
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
            await workshops.save_answer(workshop.id, "tg:2", ParticipantAnswers(step=3), 0.0)
            revision = (await workshops.get(workshop.id)).revision
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
