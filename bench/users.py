"""Simulated users: they press the buttons the bot sent and time each update.

An update's latency runs from the moment it is offered (pushed to the server's update queue) to
the moment the reply the user can act on arrives (the next keyboard message, see
`bench.observed`). Kinds: `command` (/assess), `answer` (every press but the last answer),
`final` (the tenth answer: edit, summary, chart).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bench.observed import BotError, ObservedApi
from bench.workload import ANSWERS, QUESTIONS
from tests.fakebotapi import FakeUser


@dataclass
class Sample:
    kind: str
    offered: float
    done: float
    user: int

    @property
    def latency(self) -> float:
        return self.done - self.offered


@dataclass
class Recorder:
    timeout: float = 60.0
    retries: int = 5
    samples: list[Sample] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    errors: int = 0  # updates the bot answered with its apology; the user tried again

    async def act(
        self, api: ObservedApi, user: FakeUser, kind: str, action: Callable[[], Awaitable[Any]]
    ) -> bool:
        """Offer one update and wait for its last reply; after an apology the user tries again
        (latency counts from the first try). False (and a failure) on timeout."""
        offered = time.perf_counter()
        for _attempt in range(self.retries + 1):
            reply = api.next_keyboard(user.id)
            await action()
            try:
                done = await asyncio.wait_for(reply, self.timeout)
            except BotError:
                self.errors += 1
                continue
            except TimeoutError:
                self.failures.append(f"user {user.id}: no reply to a {kind} in {self.timeout} s")
                return False
            self.samples.append(Sample(kind, offered, done, user.id))
            return True
        self.failures.append(f"user {user.id}: {kind} failed {self.retries + 1} times")
        return False

    async def press(self, api: ObservedApi, user: FakeUser, choice: str, kind: str) -> bool:
        data = api.button(user.id, choice)
        if data is None:
            self.failures.append(f"user {user.id}: no {choice} button in {api.buttons(user.id)}")
            return False
        return await self.act(api, user, kind, lambda: user.press(data))


def new_user(api: ObservedApi, user_id: int) -> FakeUser:
    return api.user(user_id, f"User {user_id}", "sv" if user_id % 2 else "en")


async def start_quick_check(api: ObservedApi, rec: Recorder, user: FakeUser) -> bool:
    return await rec.act(
        api, user, "command", lambda: user.send_command("/assess")
    ) and await rec.press(api, user, "mode:quick", "answer")


async def quick_check(
    api: ObservedApi, rec: Recorder, user: FakeUser, rng: random.Random, answers: int = QUESTIONS
) -> bool:
    """/assess, Quick check, then `answers` answers (all ten: up to the summary)."""
    if not await start_quick_check(api, rec, user):
        return False
    for i in range(answers):
        kind = "final" if i == QUESTIONS - 1 else "answer"
        if not await rec.press(api, user, f"ans:{rng.choice(ANSWERS)}", kind):
            return False
    return True


async def crowd(
    api: ObservedApi,
    rec: Recorder,
    user_ids: range,
    concurrency: int,
    seed: int = 1,
    answers: int = QUESTIONS,
) -> None:
    """Every user does the quick check; at most `concurrency` users are active at a time."""
    gate = asyncio.Semaphore(concurrency)

    async def one(user_id: int) -> None:
        async with gate:
            await quick_check(
                api, rec, new_user(api, user_id), random.Random(seed + user_id), answers
            )

    await asyncio.gather(*(one(u) for u in user_ids))


async def keep_answering(
    api: ObservedApi, rec: Recorder, user: FakeUser, stop: asyncio.Event, think: float
) -> None:
    """Answer, go back, answer… (a press each, never finishing) until `stop`; `think` seconds
    between a reply and the next press."""
    if not await start_quick_check(api, rec, user):
        return
    rng = random.Random(user.id)
    forward = True
    while not stop.is_set():
        choice = f"ans:{rng.choice(ANSWERS)}" if forward else "nav:back"
        if not await rec.press(api, user, choice, "answer"):
            return
        forward = not forward
        if think:
            await asyncio.sleep(think)  # user's think time, not synchronisation
