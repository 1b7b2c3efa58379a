"""The projector page under a room's load: many open pages (Server-Sent Events) on one web
server while participants answer. Prints how long an answer takes to reach every open page
(the issue asks for two seconds), what the server's process spends per open page, and the
page's size.

    .venv/bin/python -m bench.pages [--pages 50] [--answers 40] [--interval 0.25]

Answers are written straight to the database (as the bot's event would, with the revision
counted up), so the figures are the pages' own: one shared indexed read of the workshop a second
(`bot.web.poller`, counted), and one render per change and language.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from bot.storage import Storage
from bot.storage.workshops import WorkshopStore
from bot.web.access import PageLinks
from bot.web.streams import StreamLimits
from flows.content_loader import load_content
from flows.workshop.answers import ParticipantAnswers
from tests.web_harness import WebPages


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _listen(session: aiohttp.ClientSession, url: str, seen: dict[int, float]) -> None:
    """Record when each revision first arrives on this page's stream."""
    async with session.get(url) as response:
        event, revision = "", None
        async for raw in response.content:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif event == "results" and 'data-revision="' in line:
                revision = int(line.split('data-revision="')[1].split('"')[0])
            elif not line and revision is not None:
                seen.setdefault(revision, time.perf_counter())
                event, revision = "", None


async def run(pages: int, answers: int, interval: float) -> dict[str, float]:
    content = load_content()
    with tempfile.TemporaryDirectory() as folder:
        storage = Storage.create(f"sqlite:///{Path(folder) / 'pages.db'}")
        await storage.prepare()
        workshop = await WorkshopStore(storage).create("bench:owner", "Bench workshop", time.time())
        link = await PageLinks("").workshop_page(workshop, storage)
        token = link.rsplit("/", 1)[1]
        # one link, one address: the bench lifts the caps a real server puts on that
        limits = StreamLimits(per_link=pages, per_address=pages, total=pages)
        web = await WebPages(storage, content, poll=1.0, streams=limits).start()
        reads, read = [0], web.pages.poller._read

        async def counted(workshop_id: int) -> Any:  # the pages' looks at the workshop
            reads[0] += 1
            return await read(workshop_id)

        web.pages.poller._read = counted
        streams: list[dict[int, float]] = [{} for _page in range(pages)]
        connector = aiohttp.TCPConnector(limit=0)  # every page its own connection
        timeout = aiohttp.ClientTimeout(total=None)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            page = await (await session.get(f"{web.base_url}/w/{token}")).read()
            tasks = [
                asyncio.create_task(_listen(session, f"{web.base_url}/w/{token}/events", seen))
                for seen in streams
            ]
            await asyncio.sleep(2.0)  # every page connected and shown the start
            cpu_before, wall_before, reads_before = _cpu(), time.perf_counter(), reads[0]
            written: dict[int, float] = {}
            for number in range(answers):
                answer = ParticipantAnswers(
                    step=1 + number % 10, challenges=(f"Challenge number {number} with partners",)
                )
                await WorkshopStore(storage).save_answer(
                    workshop.id, f"bench:{number}", answer, 0.0
                )
                found = await WorkshopStore(storage).get(workshop.id)
                assert found is not None
                written[found.revision] = time.perf_counter()
                await asyncio.sleep(interval)
            await asyncio.sleep(2.5)  # the last answer reaches every page
            cpu, wall = _cpu() - cpu_before, time.perf_counter() - wall_before
            workshop_reads = reads[0] - reads_before
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        await web.stop()
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
        "delay_p50": statistics.median(delays),
        "delay_p99": delays[int(0.99 * (len(delays) - 1))],
        "delay_max": delays[-1],
        "missed": missed,
        "cpu_share": cpu / wall,
        "cpu_ms_per_page_second": cpu / wall / pages * 1000,
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
    args = parser.parse_args()
    figures = asyncio.run(run(args.pages, args.answers, args.interval))
    print(f"{figures['pages']} open pages, {figures['answers']} answers")
    print(
        f"answer → every open page: p50 {figures['delay_p50']:.2f} s, "
        f"p99 {figures['delay_p99']:.2f} s, max {figures['delay_max']:.2f} s "
        f"(target ≤ 2 s); never shown: {figures['missed']}"
    )
    print(
        f"server CPU while answers arrive: {figures['cpu_share']:.0%} of a core "
        f"({figures['cpu_ms_per_page_second']:.1f} ms a second per open page; this process "
        "also runs the benchmark's readers)"
    )
    print(f"page: {figures['page_kb']:.0f} KB of HTML (with its QR code)")
    print(
        f"reads of the workshop: {figures['workshop_reads_per_s']:.1f} a second "
        "(one shared poller; the target is one a second however many pages)"
    )


if __name__ == "__main__":
    main()
