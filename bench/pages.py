"""The projector page under a room's load: many open pages (Server-Sent Events) on one web
server while participants answer. Prints how long an answer takes to reach every open page
(issue 29 asks for a p99 of one second with 1 000 pages), what the server's process spends,
the page's size and how often the pages read the workshop.

    .venv/bin/python -m bench.pages [--pages 50] [--answers 40] [--interval 0.25]
                                    [--readers 2] [--writer here|replica] [--postgres URL]

The pages are read by `--readers` processes of their own (aiohttp, each holding a share of
the pages), as browsers would be, so that the figures are the server's event loop and not the
readers': they note when each revision first arrives with `time.monotonic()`, which on Linux
is the system-wide CLOCK_MONOTONIC, comparable with the server's. `--readers 0` reads them in
the server's own process and event loop instead (how this benchmark measured before).

Answers are written straight to the database (as the bot's event would, with the revision
counted up): `--writer here` through the server's own storage, as the bot in the same process
does (the pages hear of it after the commit, `bot.storage.changes`); `--writer replica`
through another engine on the same database, as another replica would (on SQLite the pages
find it at their next look, once a second; on PostgreSQL, `--postgres URL`, its NOTIFY
reaches them, `bot.storage.notify`). The pages read the workshop through one shared poller
(`bot.web.poller`, counted) and render once per change and language.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import sqlalchemy as sa

from bench.page_readers import Seen, cpu_seconds, read_pages, reader
from bot.storage import Storage
from bot.storage.workshops import WorkshopStore
from bot.web.access import PageLinks
from bot.web.streams import StreamLimits
from flows.content_loader import load_content
from flows.workshop.answers import ParticipantAnswers
from tests.databases import admin
from tests.web_harness import WebPages


async def _connected(web: WebPages, workshop_id: int, pages: int, readers: list[Any]) -> None:
    """Wait until every page's stream watches the workshop."""
    for _ in range(1200):
        poll = web.pages.poller._polls.get(workshop_id)
        if poll is not None and poll.watchers == pages:
            return
        if not all(process.is_alive() for process in readers):
            raise RuntimeError("a reader process ended before its pages were open")
        await asyncio.sleep(0.05)
    raise RuntimeError("the pages did not all connect within a minute")


@asynccontextmanager
async def _database(postgres: str | None) -> AsyncIterator[str]:
    """A SQLite file in a folder of its own, or a database of its own on the PostgreSQL server
    of `postgres`, dropped afterwards."""
    if postgres is None:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'pages.db'}"
        return
    name = f"cj_bench_pages_{os.getpid()}"
    await admin(f'CREATE DATABASE "{name}"', postgres)
    try:
        yield sa.make_url(postgres).set(database=name).render_as_string(hide_password=False)
    finally:
        await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', postgres)


async def run(
    pages: int,
    answers: int,
    interval: float,
    readers: int = 2,
    writer: str = "here",
    postgres: str | None = None,
) -> dict[str, Any]:
    content = load_content()
    async with _database(postgres) as url:
        storage = Storage.create(url)
        await storage.prepare()
        workshop = await WorkshopStore(storage).create("bench:owner", "Bench workshop", time.time())
        link = await PageLinks("").workshop_page(workshop, storage)
        token = link.rsplit("/", 1)[1]
        # one link, one address: the bench lifts the caps a real server puts on that
        limits = StreamLimits(per_link=pages, per_address=pages, total=pages)
        web = await WebPages(storage, content, poll=1.0, streams=limits).start()
        other = Storage.create(url) if writer == "replica" else storage
        store = WorkshopStore(other)
        reads, read = [0], web.pages.poller._read

        async def counted(workshop_id: int) -> Any:  # the pages' looks at the workshop
            reads[0] += 1
            return await read(workshop_id)

        web.pages.poller._read = counted
        events = f"{web.base_url}/w/{token}/events"
        async with aiohttp.ClientSession() as session:
            page = await (await session.get(f"{web.base_url}/w/{token}")).read()
        context = multiprocessing.get_context("spawn")
        done, results = context.Event(), context.Queue()
        shares = [pages // readers + (n < pages % readers) for n in range(readers)]
        processes = [
            context.Process(target=reader, args=(events, share, done, results), daemon=True)
            for share in shares
        ]
        for process in processes:
            process.start()
        local = None
        if not readers:
            local_done = asyncio.Event()
            local = asyncio.create_task(read_pages(events, pages, local_done))
        await _connected(web, workshop.id, pages, processes)
        if web.pages.poller.listener is not None:  # PostgreSQL: hearing the other replicas
            await asyncio.wait_for(web.pages.poller.listener.listening.wait(), 30)
        await asyncio.sleep(1.5)  # every page shown the start
        cpu_before, wall_before, reads_before = cpu_seconds(), time.monotonic(), reads[0]
        written: dict[int, float] = {}
        for number in range(answers):
            answer = ParticipantAnswers(
                step=1 + number % 10, challenges=(f"Challenge number {number} with partners",)
            )
            await store.save_answer(workshop.id, f"bench:{number}", answer, 0.0)
            at = time.monotonic()  # committed
            found = await store.get(workshop.id)
            assert found is not None
            written[found.revision] = at
            await asyncio.sleep(interval)
        await asyncio.sleep(2.5)  # the last answer reaches every page
        cpu, wall = cpu_seconds() - cpu_before, time.monotonic() - wall_before
        workshop_reads = reads[0] - reads_before
        streams: list[Seen] = []
        reader_cpu = 0.0
        if local is not None:
            local_done.set()
            streams, reader_cpu = await local
        else:
            done.set()
            for _process in processes:
                seen, spent = await asyncio.to_thread(results.get)
                streams += seen
                reader_cpu += spent
            for process in processes:
                await asyncio.to_thread(process.join)
        await web.stop()
        if other is not storage:
            await other.close()
        await storage.close()
    # an answer has reached a page when the page shows its revision or a later one
    delays = []
    missed = 0
    for seen in streams:
        for revision, at in written.items():
            shown = [t for r, t in seen.items() if r >= revision]
            if shown:
                delays.append(min(shown) - at)
            else:
                missed += 1
    delays.sort()
    return {
        "pages": pages,
        "answers": answers,
        "readers": readers,
        "writer": writer,
        "database": "PostgreSQL" if postgres else "SQLite",
        "delay_p50": statistics.median(delays),
        "delay_p99": delays[int(0.99 * (len(delays) - 1))],
        "delay_max": delays[-1],
        "missed": missed,
        "cpu_share": cpu / wall,
        "cpu_ms_per_page_second": cpu / wall / pages * 1000,
        "reader_cpu_share": reader_cpu / wall if readers else None,
        "page_kb": len(page) / 1024,
        "workshop_reads_per_s": workshop_reads / wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=50, help="open pages (default 50)")
    parser.add_argument("--answers", type=int, default=40, help="answers written (default 40)")
    parser.add_argument(
        "--interval", type=float, default=0.25, help="seconds between answers (default 0.25)"
    )
    parser.add_argument(
        "--readers",
        type=int,
        default=2,
        help="processes reading the pages (default 2; 0: in the server's own event loop)",
    )
    parser.add_argument(
        "--writer",
        choices=("here", "replica"),
        default="here",
        help="answers written by the server's process (default) or by another replica",
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="a PostgreSQL server to run on (a database of the bench's own); default SQLite",
    )
    args = parser.parse_args()
    figures = asyncio.run(
        run(args.pages, args.answers, args.interval, args.readers, args.writer, args.postgres)
    )
    where = (
        f"read by {args.readers} processes of their own"
        if args.readers
        else "read in the server's event loop"
    )
    print(
        f"{figures['pages']} open pages ({where}) on {figures['database']}, "
        f"{figures['answers']} answers written by "
        + ("the server's process" if args.writer == "here" else "another replica")
    )
    print(
        f"answer → every open page: p50 {figures['delay_p50']:.2f} s, "
        f"p99 {figures['delay_p99']:.2f} s, max {figures['delay_max']:.2f} s "
        f"(target p99 ≤ 1 s); never shown: {figures['missed']}"
    )
    readers = (
        f"; the readers {figures['reader_cpu_share']:.0%}"
        if figures["reader_cpu_share"] is not None
        else " (with the readers)"
    )
    print(
        f"server CPU while answers arrive: {figures['cpu_share']:.0%} of a core "
        f"({figures['cpu_ms_per_page_second']:.2f} ms a second per open page){readers}"
    )
    print(f"page: {figures['page_kb']:.0f} KB of HTML (with its QR code)")
    print(
        f"reads of the workshop: {figures['workshop_reads_per_s']:.1f} a second "
        "(one shared poller; the target is at most one a second however many pages)"
    )


if __name__ == "__main__":
    main()
