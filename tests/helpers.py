"""Small drivers for the router in tests: events in, Turns out, without Telegram."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any

from bot.events import PLAIN, EventRunner
from flows.messages import Event, Reply
from flows.router import Router
from flows.state import ConversationState
from flows.turn import Turn
from tests.memory_ports import Memory, memory_stores


class Engine:
    """The router driven synchronously from a loop in a thread of its own (so callers may or
    may not run a loop themselves), for tests and benchmarks of the flows that keep the
    conversation record in memory between events. What the flows keep beyond it is in memory
    too (`tests.memory_ports`, no database): each event is saved as the EventRunner saves it
    (the user's row and a completed assessment); `stores` are the ports, for a test to read
    what the flows kept."""

    def __init__(self, router: Router) -> None:
        self.router = router
        self.content = router.content
        self.diagnostic = router.assessment.diagnostic
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        self.memory = Memory()
        self.stores = memory_stores(self.memory)

    def _run(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def handle(
        self, record: ConversationState, event: Event, now: float, user_id: str = "cli:test"
    ) -> Turn:
        return self._run(self._handle(record, event, now, user_id))

    async def _handle(
        self, record: ConversationState, event: Event, now: float, user_id: str
    ) -> Turn:
        turn = Turn(user_id, record, "Europe/Stockholm", now, self.stores, PLAIN)
        await self.router.handle(turn, event)
        # as the EventRunner saves (a reminder or a consent has written a new user's row)
        if not turn.erased and not (turn.read_only and user_id not in self.memory.users):
            await self.memory.save(user_id, turn.completed)
        return turn


class Driver:
    """Feeds events to the engine like an adapter would, keeping the record between them."""

    def __init__(self, engine: Engine, lang: str = "en") -> None:
        self.engine = engine
        self.record = ConversationState(lang=lang)
        self.now = 1_700_000_000.0
        self.completed: list = []

    def send(self, kind: str, value: str, arg: str = "") -> list[Reply]:
        self.now += 10
        turn = self.engine.handle(self.record, Event(kind, value, arg), self.now)  # type: ignore[arg-type]
        if turn.completed:
            self.completed.append(turn.completed)
        assert turn.replies, "every event gets an answer"
        return turn.replies

    def command(self, name: str, arg: str = "") -> list[Reply]:
        return self.send("command", name, arg)

    def choose(self, choice_id: str) -> list[Reply]:
        return self.send("choice", choice_id)

    def text(self, text: str) -> list[Reply]:
        return self.send("text", text)

    def run_check(self, mode: str, answers: list[str] | str) -> list[Reply]:
        """Start a check and answer every question; returns the last replies (the summary)."""
        self.command("assess")
        replies = self.choose(f"mode:{mode}")
        count = len(self.engine.diagnostic.sequence(mode))
        if isinstance(answers, str):
            answers = [answers] * count
        assert len(answers) == count
        for answer in answers:
            assert any(c.id == f"ans:{answer}" for c in replies[-1].choices)
            replies = self.choose(f"ans:{answer}")
        return replies


async def quick_check(conversations: EventRunner, user_id: str, answer: str) -> None:
    """`user_id` takes the quick check through the event runner, `answer` to every question."""
    await conversations.handle(user_id, Event("command", "assess"))
    await conversations.handle(user_id, Event("choice", "mode:quick"))
    for _ in range(10):
        await conversations.handle(user_id, Event("choice", f"ans:{answer}"))
