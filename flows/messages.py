"""What flows take in (Event) and give out (Reply): plain data that every adapter renders."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

EventKind = Literal["command", "text", "choice"]


@dataclass(frozen=True)
class Event:
    """One thing the user did: a command (`value` without the slash, `arg` its argument),
    free text, or a press of a choice (`value` is the choice id)."""

    kind: EventKind
    value: str
    arg: str = ""


@dataclass(frozen=True)
class Choice:
    """A button: a stable id the flows understand and a label in the user's language."""

    id: str
    label: str


@dataclass(frozen=True)
class Attachment:
    """An image or document made on demand; adapters call `render` off the event loop."""

    kind: Literal["photo", "document"]
    filename: str
    render: Callable[[], bytes] = field(compare=False)
    caption: str = ""


@dataclass(frozen=True)
class Reply:
    """One message: text, optional buttons (`rows` groups them into keyboard rows), attachment."""

    text: str
    choices: tuple[Choice, ...] = ()
    rows: tuple[int, ...] = ()
    attachment: Attachment | None = None
    tag: str = ""  # lets an adapter recognise a message it must keep (e.g. live results)

    def choice_rows(self) -> list[list[Choice]]:
        """The buttons grouped into rows: `rows` gives row sizes; by default one per row."""
        sizes = list(self.rows) or [1] * len(self.choices)
        out, start = [], 0
        for size in sizes:
            if start >= len(self.choices):
                break
            out.append(list(self.choices[start:start + size]))
            start += size
        if start < len(self.choices):
            out.extend([c] for c in self.choices[start:])
        return out


_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@\w+)?(?:\s+(.*))?$", re.DOTALL)


def parse_command(text: str) -> Event | None:
    """'/glossary kluster' → Event('command', 'glossary', 'kluster'); None if not a command."""
    match = _COMMAND.match(text.strip())
    if not match:
        return None
    return Event("command", match.group(1).lower(), (match.group(2) or "").strip())
