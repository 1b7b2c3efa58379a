"""Turning Replies into Telegram messages: HTML-escaped text split to fit, inline keyboards."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callback_data import encode
from flows.messages import Reply

MAX_MESSAGE = 4096
MAX_CAPTION = 1024


def split_text(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split at paragraph boundaries (then lines, then spaces) into parts of at most `limit`."""
    parts: list[str] = []
    rest = text.strip() or "…"
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), 0) or max(window.rfind("\n"), 0) or \
            max(window.rfind(" "), 0) or limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    parts.append(rest)
    return [p for p in parts if p]


def escape(text: str) -> str:
    """All text is sent as HTML; escape it so content can never break the markup."""
    return html.escape(text, quote=False)


def keyboard(reply: Reply, flow: str, token: str) -> InlineKeyboardMarkup | None:
    if not reply.choices:
        return None
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(c.label[:64], callback_data=encode(flow, token, c.id)) for c in row]
        for row in reply.choice_rows()
    ])
