"""Telegram's links: deep links that open the bot with `/start <payload>`, a pasted link turned
back into its command, and the channel the flows ask for links, the reminder chat and
Telegram's limits."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from telegram.helpers import create_deep_linked_url

from bot.telegram.limits import MAX_LABEL, MAX_MESSAGE, utf16_length
from flows.messages import Event
from flows.workshop.codes import join_payload

LINK_HOSTS = ("t.me", "telegram.me")


def start_link(bot_username: str, payload: str = "") -> str:
    return create_deep_linked_url(bot_username.strip().lstrip("@"), payload or None)


def join_link(bot_username: str, code: str) -> str:
    """The deep link that starts the bot with the workshop's code."""
    return start_link(bot_username, join_payload(code))


def start_payload(text: str) -> str | None:
    """The `start` payload of a pasted deep link (`https://t.me/<bot>?start=ws_ABC234`)."""
    value = text.strip()
    if " " in value or "start=" not in value:
        return None
    parts = urlsplit(value if "://" in value else "https://" + value)
    if parts.hostname not in LINK_HOSTS:
        return None
    payload = parse_qs(parts.query).get("start", [""])[0]
    return payload or None


def pasted_link_event(text: str) -> Event | None:
    """A pasted deep link means what opening it means: `/start <payload>`."""
    payload = start_payload(text)
    return Event("command", "start", payload) if payload else None


@dataclass(frozen=True)
class TelegramChannel:
    """A private chat with the bot: deep links, reminders to the chat, Telegram's limits, and
    messages that can be edited."""

    bot_username: str | None
    chat_id: int | None

    def start_link(self, payload: str) -> str | None:
        return start_link(self.bot_username, payload) if self.bot_username else None

    @property
    def reminder_chat(self) -> int | None:
        return self.chat_id

    @property
    def longest_message(self) -> int | None:
        return MAX_MESSAGE

    def length(self, text: str) -> int:
        return utf16_length(text)

    @property
    def longest_label(self) -> int | None:
        return MAX_LABEL

    @property
    def edits_in_place(self) -> bool:
        return True
