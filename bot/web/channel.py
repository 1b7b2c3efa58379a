"""What the browser chat can do, for the flows (`flows.channel.Channel`): links that open the
chat with `/start <payload>` (as Telegram's deep links do), no way to write to a user later (a
page speaks only when asked: reminders become calendar files), no limit on a message or a
label, and messages that stay as they were sent."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from bot.events import PlainChannel

CHAT_PATH = "/chat"


@dataclass(frozen=True)
class WebChannel(PlainChannel):
    """The terminal's capabilities (no reminders, no limits, no editing), with links."""

    base_url: str  # where people reach the pages, e.g. https://klusterresan.example.se

    def start_link(self, payload: str) -> str | None:
        query = "?" + urlencode({"start": payload}) if payload else ""
        return self.base_url.rstrip("/") + CHAT_PATH + query
