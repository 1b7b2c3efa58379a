"""The meaningful words of the participants' challenges: case-folded, without stop words in
Swedish or English (a maintained list with this project's additions), counted once per
challenge (one sticky note)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from flows.locales import codes

TOP_WORDS = 10
MIN_WORD = 3


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _maintained(lang: str) -> frozenset[str]:
    """The stop words of the `stop-words` package (python-stop-words, BSD licence, lists
    compiled from open sources, github.com/Alir3z4/stop-words) for `lang`, case-folded."""
    from stop_words import get_stop_words

    return frozenset(w.casefold().replace("’", "'") for w in get_stop_words(lang))


# What the maintained lists lack: the fillers of how a challenge is put ("it takes time to
# find", "svårt att hitta") and a few spoken forms. Words shorter than MIN_WORD letters are
# dropped anyway, so they need not be listed.
FILLERS_SV = _word_set("""
    behöver behövs både bör denne egen eget egna ens fortfarande ganska hela hos just kring
    nån nåt samt sätt tror vet väl går finnas lite idag svårt svår svåra lätt hitta hittar
    saknar saknas brist tid tiden ta tar tagit komma få ofta göra gör får
""")
FILLERS_EN = _word_set("""
    lot lots etc want make makes made take takes taking took time times find finds finding
    found hard difficult easy long lack lacking get gets getting got need needs needed
    really quite enough
""")
# What the maintained English list counts as filler but a cluster's challenge is about.
KEEP = _word_set("""
    information research member members value system systems small large interest interests
    group groups state abroad world
""")
MAINTAINED = frozenset().union(*(_maintained(code) for code in codes()))
STOP_WORDS = (MAINTAINED | FILLERS_SV | FILLERS_EN) - KEEP

# Letters (any script, å ä ö included) with inner apostrophes kept, so "don't" is one word.
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")


def words(text: str) -> list[str]:
    """The meaningful words of a text: case-folded, stop words and short words removed."""
    found = _WORD.findall(text.replace("’", "'").casefold())
    return [w for w in found if len(w) >= MIN_WORD and w not in STOP_WORDS]


def top_words(texts: Iterable[str], limit: int = TOP_WORDS) -> tuple[tuple[str, int], ...]:
    """The most frequent meaningful words; a word counts once per text (one sticky note)."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(set(words(text)))
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return tuple(ranked[:limit])
