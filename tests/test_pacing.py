"""The one pacing layer (`bot.telegram.pacing`): per chat, bulk behind interactive, retries
after a 429; and its budgets shared by two replicas through PostgreSQL."""

from __future__ import annotations

import asyncio
import time

from telegram.error import RetryAfter

from bot.storage import Storage
from bot.storage.budgets import SharedSlots
from bot.telegram.pacing import BULK, Pacing
from tests.replicas import busiest_second


async def test_per_chat_pacing():
    """A burst to one private chat is paced; other chats are not held up by it."""
    limiter = Pacing(chat_interval=0.25, chat_burst=2)
    stamps: dict[int, list[float]] = {1: [], 2: []}

    async def call(chat_id: int) -> bool:
        stamps[chat_id].append(time.monotonic())
        return True

    start = time.monotonic()
    await asyncio.gather(
        *[
            limiter.process_request(call, (chat,), {}, "sendMessage", {"chat_id": chat}, None)
            for chat in [1] * 6 + [2]
        ]
    )
    assert max(stamps[1]) - start >= 0.9  # six messages at two per half second
    assert stamps[2][0] - start < 0.2


async def test_bulk_sends_are_paced_behind_interactive_ones():
    """The one pacing layer: reminders (bulk) go out at most `bulk_rate` a second, to
    different chats alike, while an interactive reply passes at once; a 429 is retried there."""
    limiter = Pacing(bulk_rate=10)
    stamps: dict[str, list[float]] = {"bulk": [], "interactive": []}
    flood = {"left": 1}

    def call(kind: str):
        async def run() -> bool:
            if kind == "bulk" and flood["left"]:
                flood["left"] -= 1
                raise RetryAfter(0.2)
            stamps[kind].append(time.monotonic())
            return True

        return run

    start = time.monotonic()
    bulk = [
        limiter.process_request(call("bulk"), (), {}, "sendMessage", {"chat_id": 100 + i}, BULK)
        for i in range(10)
    ]
    interactive = limiter.process_request(
        call("interactive"), (), {}, "sendMessage", {"chat_id": 7}, None
    )
    await asyncio.gather(*bulk, interactive)
    assert len(stamps["bulk"]) == 10 and flood["left"] == 0  # the 429 was retried, none lost
    assert max(stamps["bulk"]) - start >= 0.8  # ten at ten a second
    assert stamps["interactive"][0] - start < 0.5  # not queued behind the reminders


async def test_two_replicas_share_one_overall_budget(postgres_database):
    """Two processes' limiters on one database send 45 messages together at the pace of one
    bot (20 a second), not 20 a second each; a flood wait one of them meets holds back both."""
    storages = [await Storage.open(postgres_database.url) for _ in range(2)]
    limiters = [Pacing(SharedSlots(s), rate=20) for s in storages]
    stamps: list[float] = []

    async def call() -> bool:
        stamps.append(time.monotonic())
        return True

    try:
        start = time.monotonic()
        await asyncio.gather(
            *(
                limiters[n % 2].process_request(call, (), {}, "sendMessage", {"chat_id": n}, None)
                for n in range(1, 46)
            )
        )
        assert max(stamps) - start >= 44 / 20 - 0.1  # one schedule for both
        assert busiest_second(stamps) <= 23  # 21 by the schedule, give or take wake-up jitter
        flood = {"left": 1}

        async def flooded() -> bool:
            if flood["left"]:
                flood["left"] -= 1
                raise RetryAfter(1)
            return True

        await limiters[0].process_request(flooded, (), {}, "sendMessage", {"chat_id": 90}, None)
        began = time.monotonic()
        await limiters[1].process_request(call, (), {}, "sendMessage", {"chat_id": 91}, None)
        assert time.monotonic() - began < 0.5  # the pause is over once the retry went out
        paused = time.monotonic()
        await SharedSlots(storages[0]).hold("all", 0.6)
        await limiters[1].process_request(call, (), {}, "sendMessage", {"chat_id": 92}, None)
        assert stamps[-1] - paused >= 0.5  # a hold by one replica holds the other back
    finally:
        for storage in storages:
            await storage.close()


async def test_one_chat_and_one_workshop_budget_across_replicas(postgres_database):
    """Per-chat pacing and the live-results throttle are budgets like the overall one: two
    replicas sending to one chat, or refreshing one workshop, take turns."""
    from bot.telegram.pacing import wait_for_slot

    storages = [await Storage.open(postgres_database.url) for _ in range(2)]
    slots = [SharedSlots(s) for s in storages]
    try:
        start = time.monotonic()
        await asyncio.gather(*(wait_for_slot(slots[n % 2], "results:7", 0.3) for n in range(4)))
        assert time.monotonic() - start >= 0.85  # four edits, 0.3 s apart, whoever makes them
        limiters = [Pacing(s, chat_interval=0.2, chat_burst=2) for s in slots]
        stamps: list[float] = []

        async def call() -> bool:
            stamps.append(time.monotonic())
            return True

        start = time.monotonic()
        await asyncio.gather(
            *(
                limiters[n % 2].process_request(call, (), {}, "sendMessage", {"chat_id": 5}, None)
                for n in range(6)
            )
        )
        assert max(stamps) - start >= 0.75  # two at once, then one every 0.2 s
    finally:
        for storage in storages:
            await storage.close()
