"""The workshop report, as the facilitator gets it from the results message: a PDF and a
Markdown file from the action plan's renderers, in sv and en, holding the number who took
part, the step most of the room is at with its tools and next actions, the challenges by step
and the support wanted, with no hidden text and no names (the PDF read back with pypdf).

The pages go to build/report/ as PNGs for people to look at."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from pypdf import PdfReader

from bot.render import render
from flows.router import Router
from tests.helpers import Engine
from tests.workshop_driver import Person, create_workshop

OUT = Path(__file__).resolve().parent.parent / "build" / "report"
HIDDEN = "Hemligt: vår vd är omöjlig att jobba med"


@pytest.fixture
def engine(content):
    return Engine(Router(content))


def answer(person: Person, code: str, step: int, challenge: str, kind: str, text: str) -> None:
    person.command("workshop", f"join {code}")
    person.choose(f"ws:step:{step}")
    person.text(challenge)
    person.choose("ws:next")
    person.choose(f"ws:kind:{kind}")
    person.choose("ws:next")
    person.choose("ws:src:vinnova")
    person.choose("ws:next")
    person.text(text)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_report_from_the_results_message(engine, content, lang):
    fac = Person(engine, lang, "cli:Cecilia Facilitator")
    workshop, code = create_workshop(fac, "Skånes kluster, 12 mars")
    kinds = content.workshop.support_kinds
    room = [
        (3, "Svårt att hitta partner i Tyskland", kinds[0].id, "Region Skåne"),
        (3, "Partner i Tyskland saknas", kinds[0].id, "Vinnova"),
        (3, HIDDEN, kinds[1].id, "Almi"),
        (5, "Finding partners abroad takes long", kinds[0].id, "Business Sweden"),
    ]
    for number, (step, challenge, kind, text) in enumerate(room):
        answer(
            Person(engine, lang, f"cli:Anna Participant {number}"),
            code,
            step,
            challenge,
            kind,
            text,
        )
    listed = fac.choose(f"wsf:mod:{workshop}")
    hide = next(
        c.id
        for c in listed[-1].choices
        if c.id.startswith("wsf:hide:") and f"{c.label.split()[-1]}. {HIDDEN}" in listed[-1].text
    )
    fac.choose(hide)

    replies = fac.choose(f"wsf:report:{workshop}")
    pdf_file, markdown_file = (r.attachment for r in replies)
    assert pdf_file.filename.endswith("-report.pdf") and markdown_file.filename.endswith(".md")
    data = render(pdf_file)
    text = pdf_text(data)
    step = content.step(3)
    sv = lang == "sv"
    assert "Skånes kluster, 12 mars" in text
    assert ("4 deltagare" if sv else "4 participants") in text
    flat = " ".join(text.split())
    position = (
        f"Flest i rummet är på steg 3. {step.title.sv}: 3 av 4."
        if sv
        else f"Most of the room is at step 3. {step.title.en}: 3 of 4."
    )
    assert position in flat  # the top step, with its count
    assert kinds[0].label.get(lang) + ": 3" in text  # the support wanted, counted
    assert "Region Skåne" in text and "Business Sweden" in text  # from whom, in their words
    assert "Svårt att hitta partner i Tyskland" in text
    assert step.tools[0].name.get(lang) in flat
    key = next(q for q in step.questions if q.key)
    assert " ".join(key.action.get(lang).split())[:40] in flat
    # nothing hidden, nobody named
    for absent in (HIDDEN, "omöjlig", "Anna", "Cecilia", "cli:"):
        assert absent not in text, absent
    assert data.startswith(b"%PDF")

    markdown = render(markdown_file).decode("utf-8")
    assert HIDDEN not in markdown and "Anna" not in markdown
    assert "Skånes kluster, 12 mars" in markdown and "Region Skåne" in markdown
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    assert "<table>" in html and "<h1>" in html

    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"report-{lang}.pdf").write_bytes(data)
    (OUT / f"report-{lang}.md").write_text(markdown, encoding="utf-8")
    if shutil.which("qpdf"):
        subprocess.run(
            ["qpdf", "--check", str(OUT / f"report-{lang}.pdf")], check=True, capture_output=True
        )
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                str(OUT / f"report-{lang}.pdf"),
                str(OUT / f"report-{lang}"),
            ],
            check=True,
        )


def test_a_report_of_an_empty_workshop(engine):
    fac = Person(engine, "en", "cli:fac")
    workshop, _code = create_workshop(fac, "Nobody came")
    pdf_file, markdown_file = (r.attachment for r in fac.choose(f"wsf:report:{workshop}"))
    text = pdf_text(render(pdf_file))
    assert "0 participants" in text and "Nobody has given a step yet." in text
    assert "Nobody has given a step yet." in render(markdown_file).decode()
