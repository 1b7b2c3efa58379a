"""UI strings (buttons, menus, prompts, errors) from the gettext catalogues in `locales/`.

The language is chosen once per update with `use_language`, held in a context variable so that
concurrent conversations never mix languages, and read by `_`. Content text is not here: it lives
in `content/` and is picked with `Text.get(lang)`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
UI_LANGS = ("en", "sv")
_language: ContextVar[str] = ContextVar("language", default="en")
_PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


def normalise_language(code: str | None) -> str:
    """Telegram's language_code starting with 'sv' gives Swedish, anything else English."""
    return "sv" if code and code.lower().startswith("sv") else "en"


@contextmanager
def use_language(lang: str) -> Iterator[None]:
    token = _language.set(normalise_language(lang))
    try:
        yield
    finally:
        _language.reset(token)


def current_language() -> str:
    return _language.get()


@cache
def _catalog(lang: str) -> Catalog:
    with open(LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po", "rb") as handle:
        return read_po(handle, locale=lang)


@cache
def _table(lang: str) -> dict[str, str]:
    return {
        str(m.id): str(m.string)
        for m in _catalog(lang)
        if m.id and isinstance(m.id, str) and m.string and not m.fuzzy
    }


def _(message: str) -> str:
    """Translate a UI message into the current language (English is the source language)."""
    return _table(_language.get()).get(message, message)


def N_(message: str) -> str:
    """Mark a message for extraction without translating it yet."""
    return message


def check_catalogs() -> list[str]:
    """Catalogue problems: a message without Swedish, fuzzy, or with other placeholders."""
    problems = []
    for lang in UI_LANGS:
        path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        try:
            catalog = _catalog(lang)
        except (OSError, ValueError) as exc:
            problems.append(f"{path}: cannot be read: {exc}")
            continue
        for m in catalog:
            if not m.id or not isinstance(m.id, str):
                continue
            where = f"locales/{lang}/LC_MESSAGES/{DOMAIN}.po (line {m.lineno}): msgid {m.id!r}"
            if m.fuzzy:
                problems.append(f"{where}: marked fuzzy")
            elif lang != "en" and not m.string:
                problems.append(f"{where}: no translation")
            elif m.string and set(_PLACEHOLDER.findall(m.id)) != set(
                _PLACEHOLDER.findall(str(m.string))
            ):
                problems.append(f"{where}: placeholders differ from the original")
    return problems
