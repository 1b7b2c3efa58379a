"""UI strings (buttons, menus, prompts, errors) from the gettext catalogues in `locales/`.

The language is chosen once per update with `use_language`, held in a context variable so that
concurrent conversations never mix languages, and read by `_` and `ngettext`. The languages are the
registry's (`flows.locales`). Content text is not here: it lives in `content/` and is picked with
`Text.get(lang)`.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from flows.locales import DEFAULT, ENGLISH, codes, language

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
SOURCE_LANG = ENGLISH.code  # the msgids' language: its catalogue needs no translations
_language: ContextVar[str] = ContextVar("language", default=DEFAULT.code)
_PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


def normalise_language(code: str | None) -> str:
    """The registry's language for a code or Telegram's language_code ("sv-SE" gives Swedish),
    the default language for anything else."""
    return language(code).code


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


@cache
def _plural_table(lang: str) -> dict[str, tuple[str, ...]]:
    return {
        str(m.id[0]): tuple(str(form) for form in m.string)
        for m in _catalog(lang)
        if isinstance(m.id, tuple) and isinstance(m.string, tuple) and all(m.string) and not m.fuzzy
    }


@cache
def _plural_index(lang: str) -> Callable[[int], int]:
    return gettext.c2py(_catalog(lang).plural_expr)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a UI message for the count `n` in the current language: "{count} step" /
    "{count} steps" (the caller still formats `{count}` in)."""
    lang = _language.get()
    forms = _plural_table(lang).get(singular)
    if forms is None:
        return singular if n == 1 else plural
    return forms[min(_plural_index(lang)(n), len(forms) - 1)]


def N_(message: str) -> str:
    """Mark a message for extraction without translating it yet."""
    return message


def check_catalogs() -> list[str]:
    """Catalogue problems: a message without a translation (or one of its plural forms), fuzzy,
    or with other placeholders."""
    problems = []
    for lang in codes():
        path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        try:
            catalog = _catalog(lang)
        except (OSError, ValueError) as exc:
            problems.append(f"{path}: cannot be read: {exc}")
            continue
        for m in catalog:
            if not m.id:
                continue
            msgid = m.id if isinstance(m.id, str) else str(m.id[0])
            where = f"locales/{lang}/LC_MESSAGES/{DOMAIN}.po (line {m.lineno}): msgid {msgid!r}"
            forms = (m.string,) if isinstance(m.string, str) else tuple(m.string or ())
            wanted = set(_PLACEHOLDER.findall(msgid))
            if m.fuzzy:
                problems.append(f"{where}: marked fuzzy")
            elif lang != SOURCE_LANG and not (forms and all(forms)):
                problems.append(f"{where}: no translation")
            elif any(f and set(_PLACEHOLDER.findall(str(f))) != wanted for f in forms):
                problems.append(f"{where}: placeholders differ from the original")
    return problems
