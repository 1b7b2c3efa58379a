"""What the user's channel can do, declared by each adapter (Telegram in
`bot/telegram/links.py`, the terminal in `bot/events.py`). The flows ask it instead of
knowing one channel's numbers: whether links open the bot, whether reminders can reach the
user, how long a message or a button's label may be and how that length is counted, whether
a message can change after it is sent."""

from __future__ import annotations

from typing import Protocol


class Channel(Protocol):
    def start_link(self, payload: str) -> str | None:
        """A link that opens the bot with `/start payload`; None where there are no links."""
        ...

    @property
    def reminder_chat(self) -> int | None:
        """Where reminders reach the user; None where the channel cannot deliver them (it
        speaks only when spoken to)."""
        ...

    @property
    def longest_message(self) -> int | None:
        """The longest text one message may hold, as `length` counts; None: no limit."""
        ...

    def length(self, text: str) -> int:
        """A text's length as the channel counts it against `longest_message`."""
        ...

    @property
    def longest_label(self) -> int | None:
        """The most characters a button's label shows; None: no limit."""
        ...

    @property
    def edits_in_place(self) -> bool:
        """A message can change after it is sent (live results follow the answers; a pressed
        button's message becomes the answer)."""
        ...


def fit_label(label: str, channel: Channel) -> str:
    """A button's label cut to what the channel shows."""
    longest = channel.longest_label
    return label if longest is None else label[:longest]
