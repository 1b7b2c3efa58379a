"""One Swedish term per concept: no Swedish text, in the content or the UI catalogue, uses a
variant that content/TERMS.md says to avoid."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from flows.content_model import Text
from tests.swedish import catalogue_texts, swedish_texts

TERMS = Path(__file__).resolve().parent.parent / "content" / "TERMS.md"


def avoided() -> list[tuple[str, re.Pattern[str]]]:
    """(concept, pattern) for every pattern in the table's "Avoid" column."""
    found = []
    for line in TERMS.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| ") or line.startswith("| Concept"):
            continue
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        concept, _use, avoid = cells
        for pattern in re.findall(r"`([^`]+)`", avoid):
            found.append((concept, re.compile(pattern, re.IGNORECASE)))
    return found


def test_the_table_has_the_issues_words():
    concepts = {c for c, _p in avoided()}
    assert {"readiness", "whether", "seed funding", "per cent", "Horizon Europe"} <= concepts
    assert len(avoided()) >= 20


@pytest.mark.parametrize("source", ["content", "catalogue"])
def test_no_avoided_swedish(content, source):
    texts = list(swedish_texts(content, "content") if source == "content" else catalogue_texts())
    assert len(texts) > 100
    hits = [
        f"{where}: {match.group(0)!r} (TERMS.md: {concept})"
        for where, text in texts
        for concept, pattern in avoided()
        if (match := pattern.search(text))
    ]
    assert hits == [], "\n".join(hits)


def test_the_check_catches_a_slip(content):
    """The test can fail: a Swedish text with an avoided word is found."""
    slip = dataclasses.replace(
        content.step(2), title=Text(en="Assess readiness", sv="Bedöm er beredskap")
    )
    texts = list(swedish_texts(slip, "step"))
    assert any(p.search(t) for _w, t in texts for _c, p in avoided())


def test_each_step_has_one_name(content):
    """A step's short name is its title with leading words dropped, in both languages, so that
    buttons, charts and the PDF all name the step the same way."""
    for step in content.steps:
        for lang in ("sv", "en"):
            title = step.title.get(lang).replace("&", "and").casefold().split()
            short = step.short.get(lang).replace("&", "and").casefold().split()
            assert title[len(title) - len(short) :] == short, (step.number, lang)


def test_the_modes_have_one_name_each():
    texts = [t for _w, t in catalogue_texts()]
    assert "Fullständig genomgång" in texts and "Snabbkoll" in texts
    assert not any(re.search(r"\bfull genomgång", t, re.I) for t in texts)
