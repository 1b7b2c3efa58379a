"""The readers of `bench.pages`: open pages' update streams, noting when each revision first
arrives whole (`time.monotonic()`: on Linux the system-wide CLOCK_MONOTONIC, comparable between
the server's process and the readers'). A module of its own so that a reader process imports
aiohttp and nothing of the bot.
"""

from __future__ import annotations

import asyncio
import re
import resource
import time
from typing import Any

import aiohttp

REVISION = re.compile(rb'data-revision="(\d+)"')
Seen = dict[int, float]  # revision → when a page first showed it (time.monotonic)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _listen(session: aiohttp.ClientSession, url: str, seen: Seen) -> None:
    """Record when each revision first arrives whole on this page's stream (the events split
    and searched as bytes: a reader in Python line by line costs more than the server)."""
    async with session.get(url) as response:
        rest = b""
        async for chunk in response.content.iter_any():
            events = (rest + chunk).split(b"\n\n")
            rest = events.pop()
            for event in events:
                found = REVISION.search(event)
                if found is not None and event.startswith(b"event: results"):
                    seen.setdefault(int(found[1]), time.monotonic())


async def read_pages(url: str, count: int, done: Any) -> tuple[list[Seen], float]:
    """`count` pages open on `url` until `done` is set; what each saw, and the CPU it took."""
    streams: list[Seen] = [{} for _page in range(count)]
    connector = aiohttp.TCPConnector(limit=0)  # every page its own connection
    timeout = aiohttp.ClientTimeout(total=None)
    cpu = cpu_seconds()
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        tasks = [asyncio.create_task(_listen(session, url, seen)) for seen in streams]
        while not done.is_set():
            await asyncio.sleep(0.05)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return streams, cpu_seconds() - cpu


def reader(url: str, count: int, done: Any, results: Any) -> None:
    """A reader process's work: its share of the pages, reported on `results`."""
    results.put(asyncio.run(read_pages(url, count, done)))
