"""Small drivers for the engine in tests."""

from __future__ import annotations

from flows.conversation import Engine, Outcome
from flows.messages import Event, Reply
from flows.state import ConversationState


class Driver:
    """Feeds events to the engine like an adapter would, keeping the record between them."""

    def __init__(self, engine: Engine, lang: str = "en") -> None:
        self.engine = engine
        self.record = ConversationState(lang=lang)
        self.now = 1_700_000_000.0
        self.completed: list = []

    def send(self, kind: str, value: str, arg: str = "") -> list[Reply]:
        self.now += 10
        outcome: Outcome = self.engine.handle(self.record, Event(kind, value, arg), self.now)  # type: ignore[arg-type]
        if outcome.completed:
            self.completed.append(outcome.completed)
        assert outcome.replies, "every event gets an answer"
        return outcome.replies

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
