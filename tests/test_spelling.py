"""The Swedish text is spelled right: `hunspell -d sv_SE` (Debian's hunspell-sv) reads every
Swedish content text and catalogue message; a word it does not know must be one of the names
and loanwords in `tests/data/sv_words.txt`. Idiom needs reading; this catches typos."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.swedish import catalogue_texts, swedish_texts

KNOWN = Path(__file__).parent / "data" / "sv_words.txt"
DICTIONARY = Path("/usr/share/hunspell/sv_SE.dic")

pytestmark = pytest.mark.skipif(
    shutil.which("hunspell") is None or not DICTIONARY.exists(),
    reason="hunspell with the sv_SE dictionary (Debian: hunspell hunspell-sv) is not installed",
)


def unknown_words(texts: list[str]) -> set[str]:
    """The words hunspell does not know, placeholders, addresses and commands left out."""
    cleaned = [
        re.sub(r"\{[^}]*\}|https?://\S+|/\w+|\S*\d\S*|\S+\.\S+\.\S+", " ", text) for text in texts
    ]
    out = subprocess.run(
        ["hunspell", "-d", "sv_SE", "-l"],
        input="\n".join(cleaned),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {word.strip(".:") for word in out.split()} - {""}


def test_swedish_text_is_spelled_right(content):
    texts = [t for _w, t in swedish_texts(content, "content")] + [t for _w, t in catalogue_texts()]
    known = set(KNOWN.read_text(encoding="utf-8").split())
    assert sorted(unknown_words(texts) - known) == []


def test_a_typo_is_found():
    assert unknown_words(["Medlemarna vill samarbta med klustret."]) == {"Medlemarna", "samarbta"}
