"""Every Swedish text the bot can show, for the vocabulary and spelling tests: the content's
texts (glossary aliases left out: what people may type) and the UI catalogue's messages."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from babel.messages.pofile import read_po

from flows.content_model import Text
from flows.i18n import LOCALE_DIR


def swedish_texts(value: object, path: str) -> Iterator[tuple[str, str]]:
    """(where, Swedish text) for every Text inside a content object."""
    if isinstance(value, Text):
        yield path, value.sv
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            if f.name != "aliases":  # what people may type, not what we write
                yield from swedish_texts(getattr(value, f.name), f"{path}.{f.name}")
    elif isinstance(value, tuple):
        for i, item in enumerate(value):
            where = f"{path}[{getattr(item, 'id', i)}]"
            yield from swedish_texts(item, where)


def catalogue_texts() -> Iterator[tuple[str, str]]:
    with open(LOCALE_DIR / "sv" / "LC_MESSAGES" / "messages.po", "rb") as handle:
        for message in read_po(handle):
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for s in strings:
                if message.id and s:
                    yield f"messages.po: {str(message.id)[:50]!r}", s
