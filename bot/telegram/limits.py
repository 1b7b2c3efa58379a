"""Telegram's numbers: how long a message, a caption and a button's label may be, and how
Telegram counts a text's length (UTF-16 code units: an emoji counts two)."""

from __future__ import annotations

MAX_MESSAGE = 4096  # a text message, in UTF-16 code units
MAX_CAPTION = 1024  # a photo's or a document's caption
MAX_LABEL = 64  # the characters of a button's label shown


def utf16_length(text: str) -> int:
    """A text's length as Telegram counts it."""
    return len(text.encode("utf-16-le")) // 2
