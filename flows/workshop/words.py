"""The meaningful words of the participants' challenges: case-folded, without stop words in
Swedish or English, counted once per challenge (one sticky note)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

TOP_WORDS = 10
MIN_WORD = 3


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Compact stop-word lists: function words and fillers that say nothing about a challenge.
# Words shorter than MIN_WORD letters are dropped anyway, so they need not be listed.
STOP_SV = _word_set("""
    alla allt andra annan annat att av bara blev bli blir både bör dag dem den denna denne deras
    dess dessa det detta dig din dina ditt där då efter eftersom egen eget egna eller ens er era
    ert ett fick finns fanns fler flera från får för före genom gick gjort göra gör hade han har
    hela helt hennes hon hos hur här inga ingen inget inom inte jag kan kanske kommer kunde kunna
    man med mellan men mer mest mig min mina mitt mot mycket många måste nog när någon något
    några nån nåt och också oss på redan samma samt sedan sig sin sina sitt själv ska skulle som
    så sådan sådana sätt till tror under upp ut utan vad var vara varför varit varje vart vem
    vet vi vid vilka vilken vilket vill väl vår vårt våra än ännu är även över behöver behövs
    går gå finnas fortfarande lite ganska kring just idag
""")
STOP_EN = _word_set("""
    about above after again against all also among and any are aren't around because been
    before being below between both but can can't cannot could couldn't did didn't does doesn't
    doing don't down during each even every few for from further get gets getting got had hadn't
    has hasn't have haven't having her here hers herself him himself his how i'm i've into isn't
    it's its itself just lot lots many may might more most much must need needs needed not now
    off once one only other our ours ourselves out over own quite really same shall she should
    shouldn't since some still such than that that's the their theirs them themselves then there
    there's these they they're this those through too under until upon very was wasn't way were
    weren't what what's when where which while who whom whose why will with within without won't
    would wouldn't yet you you're your yours yourself yourselves well etc want make makes
""")
STOP_WORDS = STOP_SV | STOP_EN

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
