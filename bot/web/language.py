"""The language a page opens in for someone the bot does not know yet: the first language of
the browser's `Accept-Language` (by its weights) that the bot speaks, else the default."""

from __future__ import annotations

from flows.locales import DEFAULT, language, languages


def from_accept_language(header: str | None) -> str:
    """ "sv-SE,sv;q=0.9,en;q=0.8" gives "sv"; a header naming none of our languages, a broken
    one or none at all gives the default language."""
    ranked: list[tuple[float, int, str]] = []
    for order, part in enumerate((header or "")[:500].split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if tag and weight > 0:
            ranked.append((-weight, order, tag.strip().lower()))
    for _weight, _order, tag in sorted(ranked):
        if any(tag.startswith(prefix) for candidate in languages() for prefix in candidate.tags):
            return language(tag).code
    return DEFAULT.code
