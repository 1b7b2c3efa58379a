"""Workshops through the router, without Telegram: a facilitator and participants as people
sharing one engine (`tests/helpers.py`), and a workshop the facilitator creates."""

from __future__ import annotations

import re

from flows.messages import Event, Reply
from tests.helpers import Driver, Engine


class Person(Driver):
    """One user of a shared engine: the facilitator and participants of the same workshop."""

    def __init__(self, engine: Engine, lang: str, user_id: str) -> None:
        super().__init__(engine, lang)
        self.user_id = user_id

    def send(self, kind: str, value: str, arg: str = "") -> list[Reply]:
        self.now += 10
        turn = self.engine.handle(self.record, Event(kind, value, arg), self.now, self.user_id)  # type: ignore[arg-type]
        if turn.completed:
            self.completed.append(turn.completed)
        assert turn.replies, "every event gets an answer"
        return turn.replies


def create_workshop(facilitator: Person, title: str = "Skåne") -> tuple[str, str]:
    """(workshop id, join code) of a new workshop."""
    facilitator.command("workshop")
    facilitator.choose("wsf:new")
    replies = facilitator.text(title)
    results = replies[-1]
    code = re.search(r"\b([A-Z0-9]{6})\b", replies[0].text.split("\n")[2]).group(1)
    shown = results.shows
    assert shown is not None
    return str(shown.workshop_id), code
