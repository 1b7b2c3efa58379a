"""Interactive first: while a room's last answers (each bringing a summary) queue for SQLite's
one connection, a press of someone in the middle of a check goes ahead of them; the queued
summaries still all finish, and a steady stream of presses cannot hold them back for ever."""

from __future__ import annotations

import asyncio

from bot.events import EventRunner
from bot.storage import Storage
from bot.storage.aio import INTERACTIVE, LATER, LATER_AFTER, PriorityGate
from flows.messages import Event
from flows.router import Router


async def test_the_gate_lets_people_waiting_for_an_answer_in_first():
    gate = PriorityGate(1)
    order: list[str] = []

    async def holder(name: str, priority: int) -> None:
        await gate.acquire(priority)
        order.append(name)
        await asyncio.sleep(0)
        gate.release()

    await gate.acquire()  # a transaction in flight
    tasks = [asyncio.create_task(holder(f"summary{i}", LATER)) for i in range(3)]
    await asyncio.sleep(0)
    tasks.append(asyncio.create_task(holder("press", INTERACTIVE)))
    await asyncio.sleep(0)
    gate.release()
    await asyncio.gather(*tasks)
    assert order == ["press", "summary0", "summary1", "summary2"]


async def test_a_stream_of_presses_lets_a_waiting_summary_through():
    gate = PriorityGate(1)
    order: list[str] = []

    async def holder(name: str, priority: int) -> None:
        await gate.acquire(priority)
        order.append(name)
        await asyncio.sleep(0)
        gate.release()

    await gate.acquire()
    tasks = [asyncio.create_task(holder("summary", LATER))]
    await asyncio.sleep(0)
    tasks += [asyncio.create_task(holder(f"press{i}", INTERACTIVE)) for i in range(10)]
    await asyncio.sleep(0)
    gate.release()
    await asyncio.gather(*tasks)
    assert order.index("summary") == LATER_AFTER


async def test_a_cancelled_waiter_does_not_keep_the_connection():
    gate = PriorityGate(1)
    await gate.acquire()
    waiting = asyncio.create_task(gate.acquire(LATER))
    await asyncio.sleep(0)
    waiting.cancel()
    gate.release()
    await asyncio.wait_for(gate.acquire(), timeout=1)  # free again, not lost to the cancelled


async def quick_check_until_last(events: EventRunner, user: str, start: int) -> int:
    """The user answers all but the last question; returns the next update id."""
    update = start
    await events.handle(user, Event("command", "assess"), update_id=update)
    await events.handle(user, Event("choice", "mode:quick"), update_id=update + 1)
    update += 2
    for _ in range(9):
        await events.handle(user, Event("choice", "ans:yes"), update_id=update)
        update += 1
    return update


async def test_a_press_goes_ahead_of_a_room_finishing_on_sqlite(content, tmp_path):
    storage = await Storage.open(f"sqlite:///{tmp_path / 'db'}")
    try:
        events = EventRunner(Router(content), storage)
        update = 1
        room = [f"room:{i}" for i in range(30)]
        for user in room:
            update = await quick_check_until_last(events, user, update)
        await events.handle("other", Event("command", "assess"), update_id=update)
        await events.handle("other", Event("choice", "mode:quick"), update_id=update + 1)
        update += 2
        done: list[str] = []

        async def answer(user: str, update_id: int) -> None:
            handled = await events.handle(user, Event("choice", "ans:yes"), update_id=update_id)
            done.append("summary" if handled.completed else "press")

        room_tasks = [asyncio.create_task(answer(user, update + i)) for i, user in enumerate(room)]
        await asyncio.sleep(0)  # the room's last answers are queued first
        press = asyncio.create_task(answer("other", update + len(room)))
        await asyncio.gather(*room_tasks, press)
    finally:
        await storage.close()
    assert done.count("summary") == 30 and done.count("press") == 1
    # ahead of the queue: at most the summary in flight and one let in before it arrived
    assert done.index("press") <= 2, done
