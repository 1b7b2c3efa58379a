"""The languages the bot speaks: the one list of them, and what differs per language besides the
words (those are in the catalogues of `locales/` and in `content/`).

Adding a language is one entry here, its catalogue and its text in the content (see "A language"
in docs/ARCHITECTURE.md). Everything else asks this registry: the content check, the UI
catalogues, the `/language` buttons, the command menus, the pages' language links, dates, numbers
and the list separator of a spreadsheet.
"""

from __future__ import annotations

from dataclasses import dataclass


def N_(message: str) -> str:
    """flows.i18n's extraction marker (which imports this module): the names below go into the
    catalogues and are translated where a sentence names a language."""
    return message


@dataclass(frozen=True)
class Language:
    code: str  # content keys, the catalogue's folder, stored in the conversation: "sv"
    name: str  # in English, for the content check and (translated) in sentences: "Swedish"
    native: str  # its own name, on the language button: "Svenska"
    switch: str  # a page's link to this language, in this language: "På svenska"
    brand: str  # the bot's name in this language
    babel: str  # the Babel locale of dates and month names
    tags: tuple[str, ...]  # a language tag starting with one of these picks it (a chat app's
    # language_code, a browser's Accept-Language)
    list_separator: str  # what Excel in this region splits a CSV on
    decimal_separator: str
    group_separator: str  # between thousands: "1 000" / "1,000"
    due_format: str  # a reminder's due time, a Babel pattern


SWEDISH = Language(
    code="sv",
    name=N_("Swedish"),
    native="Svenska",
    switch="På svenska",
    brand="Klusterresan",
    babel="sv",
    tags=("sv",),
    list_separator=";",  # the comma is the decimal sign
    decimal_separator=",",
    group_separator=" ",
    due_format="EEEE d MMMM 'kl.' HH:mm",  # tisdag 8 december kl. 09:30
)
ENGLISH = Language(
    code="en",
    name=N_("English"),
    native="English",
    switch="In English",
    brand="Cluster Journey",
    babel="en",  # not en_GB: its short September is "Sept"
    tags=("en",),
    list_separator=",",
    decimal_separator=".",
    group_separator=",",
    due_format="EEEE d MMMM 'at' HH:mm",  # Tuesday 8 December at 09:30
)

LANGUAGES = (SWEDISH, ENGLISH)  # in the order of the language buttons
DEFAULT = ENGLISH  # for a Telegram language without an entry, and where nothing was chosen

# The rest of the code asks these functions rather than holding copies of the list, so that the
# list above is the only one (a test adds a language to it and sees everything follow).


def languages() -> tuple[Language, ...]:
    return LANGUAGES


def codes() -> tuple[str, ...]:
    """The languages' codes, e.g. the keys every content text needs."""
    return tuple(candidate.code for candidate in LANGUAGES)


def language(code: str | None) -> Language:
    """The language of one of our codes or of Telegram's `language_code` ("sv-SE" gives
    Swedish); any other or no code gives the default."""
    wanted = (code or "").lower()
    for candidate in LANGUAGES:
        if wanted == candidate.code:
            return candidate
    for candidate in LANGUAGES:
        if wanted and any(wanted.startswith(prefix) for prefix in candidate.tags):
            return candidate
    return DEFAULT


def others(code: str) -> tuple[Language, ...]:
    """The languages other than `code`, e.g. those a page links to."""
    return tuple(candidate for candidate in LANGUAGES if candidate.code != code)


def format_number(value: float, code: str) -> str:
    """A number as the language writes it: "1 000" / "1,000", "1,5" / "1.5" (one decimal at
    most; a whole number has none)."""
    lang = language(code)
    whole = round(value, 1) == round(value)
    text = f"{round(value):,}" if whole else f"{value:,.1f}"
    return text.translate({ord(","): lang.group_separator, ord("."): lang.decimal_separator})
