"""The action plan as a reader gets it: the PDF opened with pypdf (what it says on which page,
its page numbers, links and margins) and the Markdown parsed as a table and by a CommonMark
parser (cells, links, tasks, and user text kept literal whatever it holds)."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token
from pypdf import PdfReader

from bot.render import render
from bot.render.plan_markdown import plan_markdown
from bot.render.plan_pdf import plan_pdf
from flows.messages import ActionPlan, Attachment, PlanAction, PlanDocument, PlanStep
from tests.plan_samples import ECCP, LONG, NO_URL, english_plan, long_plan, swedish_plan

MM = 72 / 25.4  # PDF points per millimetre
PAGE_HEIGHT, PAGE_WIDTH = 297 * MM, 210 * MM
MARGIN, BOTTOM = 18 * MM, 22 * MM
MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def flat(text: str) -> str:
    """Text as extraction gives it back, whatever the line breaks: single spaces."""
    return " ".join(text.split())


def page_texts(pdf: bytes) -> list[str]:
    return [flat(page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def actions_of(plan: ActionPlan) -> Iterator[tuple[PlanStep, PlanAction]]:
    for step in plan.rows:  # the ten steps, then the funding track
        for action in step.actions:
            yield step, action


def with_action(plan: ActionPlan, step_number: int, **changes: object) -> ActionPlan:
    """The plan with its step's first action changed."""
    steps = list(plan.steps)
    step = steps[step_number - 1]
    first = replace(step.actions[0], **changes)
    steps[step_number - 1] = replace(step, actions=(first, *step.actions[1:]))
    return replace(plan, steps=tuple(steps))


@pytest.fixture(scope="module")
def sv_pdf() -> bytes:
    return plan_pdf(swedish_plan())


@pytest.fixture(scope="module")
def en_pdf() -> bytes:
    return plan_pdf(english_plan())


@pytest.fixture(scope="module")
def long_pdf() -> bytes:
    return plan_pdf(long_plan())


# the PDF


def test_swedish_pdf_says_the_plan_in_order_with_letters_intact(sv_pdf: bytes) -> None:
    plan = swedish_plan()
    whole = " ".join(page_texts(sv_pdf))
    for text in ("Handlingsplan", plan.cluster, plan.meta, plan.position):
        assert flat(text) in whole
    # å, ä, ö, Å, Ö, é-less Swedish and the en dash come back out as they went in
    for text in ("Åsa Öberg / styrelsen", "Skånes Livsmedel & Måltid", "2027–2029", "Försenad"):
        assert text in whole
    for step in plan.steps:
        assert f"{step.number}. {step.title}" in whole or f"{step.number}.{step.title}" in whole
        for answer in step.held_back:
            assert flat(answer) in whole
    order = [
        plan.position,
        plan.labels.readiness,
        plan.labels.actions,
        plan.labels.ready_when,
        plan.ready_when,
        plan.labels.unsure,
        plan.unsure[0],
        plan.labels.change,
        plan.change,
    ]
    places = [whole.index(flat(text)) for text in order]
    assert places == sorted(places)


@pytest.mark.parametrize("make", [swedish_plan, english_plan, long_plan])
def test_each_action_is_on_one_page_with_its_step_owner_due_and_state(
    make: Callable[[], ActionPlan],
) -> None:
    plan = make()
    pages = page_texts(plan_pdf(plan))
    nobody = plan.labels.nobody
    for step, action in actions_of(plan):
        text = flat(action.text)
        holding = [page for page in pages if text in page]
        assert len(holding) == 1, f"{text[:30]}… is split or missing"
        page = holding[0]
        heading = page.index(step.name)
        place = page.index(text)
        assert heading < place  # the step's heading, repeated on a page the step goes on to
        tail = page[place:]
        details = f"{action.owner or nobody} {action.due or nobody} {action.state_label}"
        labels = f"{plan.labels.owner} {plan.labels.due} {plan.labels.state}"
        assert f"{labels} {flat(details)}" in tail
        assert flat(action.why) in tail
        if action.template:
            assert f"{plan.labels.template} {action.template}" in tail


def test_states_are_marked_done_ticked_dropped_crossed(sv_pdf: bytes) -> None:
    whole = " ".join(page_texts(sv_pdf))
    assert "☐ Låt medlemmarna rösta" in whole  # open: a box to tick on paper
    assert "☑ Boka ett möte med EEN-kontoret" in whole
    assert "☒ Skriv en internationaliseringsstrategi" in whole


def test_every_page_is_numbered_in_its_footer(sv_pdf: bytes, long_pdf: bytes) -> None:
    for pdf, footer in ((sv_pdf, swedish_plan().footer), (long_pdf, long_plan().footer)):
        pages = page_texts(pdf)
        for number, page in enumerate(pages, 1):
            assert page.endswith(f"Sida {number} av {len(pages)} {footer}")
    assert page_texts(plan_pdf(english_plan()))[0].endswith(f"Page 1 of 2 {english_plan().footer}")


def test_tools_once_per_step_with_numbered_sources_at_the_end(sv_pdf: bytes) -> None:
    """Issue 26: a step's tools are named once above its actions, not under each; each name
    is a link with its source's number, and the addresses are listed, numbered, at the end,
    broken only after a separator, never inside a number."""
    plan = swedish_plan()
    reader = PdfReader(io.BytesIO(sv_pdf))
    found: list[tuple[int, str]] = []
    for number, page in enumerate(reader.pages):
        for annotation in page.get("/Annots", []):
            link = annotation.get_object()
            assert link["/Subtype"] == "/Link"
            left, bottom, right, top = (float(v) for v in link["/Rect"])
            assert MARGIN - 1 <= left < right <= PAGE_WIDTH - MARGIN + 1
            assert BOTTOM <= bottom < top <= PAGE_HEIGHT - MARGIN + 1
            found.append((number, link["/A"]["/URI"]))
    texts = page_texts(sv_pdf)
    whole = " ".join(texts)
    for step in plan.rows:
        for tool in step.tools:
            label = f"{tool.text} [{tool.source}]" if tool.source else tool.text
            assert whole.count(label) == 1, label  # once, however many actions the step has
            if tool.source:
                url = plan.sources[tool.source - 1].url
                page = next(n for n, text in enumerate(texts) if label in text)
                assert (page, url) in found
    assert {uri for _, uri in found} == {source.url for source in plan.sources}
    assert NO_URL.text in whole  # named, though there is nothing to click
    # the list at the end: every source numbered, its address whole once its lines are joined
    raw = [page.extract_text() for page in reader.pages]
    start = next(i for i, text in enumerate(raw) if plan.labels.sources in text)
    listing = "\n".join(raw[start:]).split(plan.labels.sources, 1)[1]
    lines = [line.strip() for line in listing.splitlines()]
    for number, source in enumerate(plan.sources, start=1):
        assert f"{number}. {source.text}" in lines
        parts = [line for line in lines if len(line) > 3 and line in source.url]
        assert "".join(parts) == source.url
        for part, after in pairwise(parts):
            assert part[-1] in "/?&=#._-", f"{part!r} | {after!r}: broken inside a word"
    assert len([line for line in lines if line and line in LONG.url]) >= 2  # it did wrap


def test_metadata_names_the_plan_its_language_and_maker(sv_pdf: bytes, en_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(sv_pdf))
    assert reader.metadata is not None
    assert reader.metadata.title == "Handlingsplan – Klusterföreningen Skånes Livsmedel & Måltid"
    assert reader.metadata["/Creator"] == "Cluster Journey"
    assert reader.trailer["/Root"]["/Lang"] == "sv"
    english = PdfReader(io.BytesIO(en_pdf))
    assert english.trailer["/Root"]["/Lang"] == "en"
    assert english.metadata is not None and english.metadata.title == "Action plan"


def test_a_long_plan_goes_over_pages_and_keeps_headings_with_what_follows(
    long_pdf: bytes,
) -> None:
    plan = long_plan()
    pages = page_texts(long_pdf)
    assert len(pages) >= 8
    whole = " ".join(pages)
    for _, action in actions_of(plan):
        assert whole.count(flat(action.text)) == 1
        assert whole.count(flat(action.owner)) == 1
    first_action = flat(plan.steps[0].actions[0].text)
    assert any(plan.labels.actions in page and first_action in page for page in pages)
    # the readiness table's header is repeated where the table goes on to a new page
    table_pages = [page for page in pages if "Fråga " in page]
    assert len(table_pages) >= 2
    for page in table_pages:
        assert f"{plan.labels.step} {plan.labels.readiness_column}" in page
    assert flat(plan.unsure[-1]) in whole and flat(plan.change) in pages[-1]


@pytest.mark.parametrize("make", [swedish_plan, english_plan, long_plan])
def test_no_text_outside_the_margins(make: Callable[[], ActionPlan]) -> None:
    plan = make()
    reader = PdfReader(io.BytesIO(plan_pdf(plan)))
    pages = len(reader.pages)
    for number, page in enumerate(reader.pages, 1):
        footer = (plan.labels.page.format(page=number, pages=pages), plan.footer)
        fragments: list[tuple[str, float, float]] = []

        def visit(
            text: str, cm: list[float], tm: list[float], *_: object, out: list = fragments
        ) -> None:
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                out.append((text.strip(), x, y))

        page.extract_text(visitor_text=visit)
        assert fragments
        for text, x, y in fragments:
            assert MARGIN - 0.5 <= x < PAGE_WIDTH - MARGIN, text
            if y < BOTTOM:
                assert any(text in part for part in footer), f"{text!r} runs into the footer"
            else:
                assert y <= PAGE_HEIGHT - MARGIN, f"{text!r} above the top margin"


def test_sizes_stay_small_thanks_to_font_subsetting(sv_pdf: bytes, long_pdf: bytes) -> None:
    # the two DejaVu files alone are 1.4 MB; subsets of the glyphs used are a few dozen KB
    assert sv_pdf.startswith(b"%PDF-")
    assert len(sv_pdf) < 150_000
    assert len(long_pdf) < 300_000


def test_sections_with_nothing_to_say_are_left_out(en_pdf: bytes) -> None:
    plan = english_plan()
    whole = " ".join(page_texts(en_pdf))
    assert plan.labels.unsure not in whole and plan.labels.change not in whole
    assert plan.labels.ready_when in whole
    done = replace(
        plan,
        steps=tuple(replace(s, actions=(), held_back=(), ready=True) for s in plan.steps),
        ready_when="",
    )
    text = " ".join(page_texts(plan_pdf(done)))
    assert f"{plan.labels.actions} {plan.labels.no_actions}" in text
    assert plan.labels.ready_when not in text


def test_characters_the_font_lacks_leave_a_mark_not_a_gap(
    caplog: pytest.LogCaptureFixture,
) -> None:
    plan = with_action(swedish_plan(), 3, owner="Åsa 🚀 Öberg\t李")
    with caplog.at_level(logging.WARNING):
        whole = " ".join(page_texts(plan_pdf(plan)))
    assert "Åsa □ Öberg □" in whole
    assert not [r for r in caplog.records if "missing" in r.getMessage()]


def test_render_dispatches_plan_documents() -> None:
    plan = swedish_plan()
    pdf = render(Attachment("handlingsplan.pdf", PlanDocument(plan, "pdf")))
    assert pdf.startswith(b"%PDF-") and flat(plan.position) in " ".join(page_texts(pdf))
    markdown = render(Attachment("handlingsplan.md", PlanDocument(plan, "markdown")))
    assert markdown == plan_markdown(plan)
    assert markdown.decode("utf-8").startswith("# Handlingsplan\n")


# Markdown


def cells(line: str) -> list[str]:
    """A table row's cells, split at the pipes that are not escaped."""
    assert line.startswith("| ") and line.endswith(" |"), line
    out, current, escaped = [], "", False
    for char in line[2:-2]:
        if escaped:
            current, escaped = current + char, False
        elif char == "\\":
            current, escaped = current + char, True
        elif char == "|":
            out.append(current.strip())
            current = ""
        else:
            current += char
    return [*out, current.strip()]


def table_lines(markdown: str, header: str) -> list[str]:
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {header} |"))
    end = next(i for i in range(start, len(lines)) if not lines[i].startswith("|"))
    return lines[start:end]


def inline_tokens(markdown: str) -> list[Token]:
    return [token for token in MARKDOWN.parse(markdown) if token.type == "inline"]


def plain(token: Token) -> str:
    """An inline token's text, and that it has no formatting, link or HTML in it."""
    children = token.children or []
    assert all(child.type in ("text", "softbreak") for child in children), [
        c.type for c in children
    ]
    return "".join(child.content for child in children)


def table_cells(markdown: str) -> list[list[Token]]:
    """The table's rows as a CommonMark parser (with GFM tables) reads them."""
    rows: list[list[Token]] = []
    inside = False
    for token in MARKDOWN.parse(markdown):
        if token.type in ("table_open", "table_close"):
            inside = token.type == "table_open"
        elif inside and token.type == "tr_open":
            rows.append([])
        elif inside and token.type == "inline":
            rows[-1].append(token)
    return rows


def test_readiness_is_a_table_with_a_row_per_step() -> None:
    plan = swedish_plan()
    lines = table_lines(plan_markdown(plan).decode(), plan.labels.step)
    header, separator, *rows = lines
    labels = plan.labels
    assert cells(header) == [labels.step, labels.readiness_column, labels.held_back]
    assert all(re.fullmatch(r":?-{3,}:?", cell) for cell in cells(separator))
    assert len(rows) == len(plan.rows) == 11  # the ten steps, then the funding track's score
    for step, row in zip(plan.rows, rows, strict=True):
        step_cell, readiness, held_back = cells(row)
        bold = "**" if step.current else ""
        assert step_cell == f"{bold}{step.name}{bold}"
        assert readiness == f"{bold}{'✓ ' if step.ready else ''}{step.readiness}{bold}"
        assert held_back == " · ".join(step.held_back)


def test_pipes_in_the_table_do_not_make_new_cells() -> None:
    plan = swedish_plan()
    steps = list(plan.steps)
    steps[3] = replace(steps[3], title="Strategi | plan", held_back=("Budget? — Ja | *Nej*",))
    markdown = plan_markdown(replace(plan, steps=tuple(steps))).decode()
    lines = table_lines(markdown, plan.labels.step)
    assert {len(cells(line)) for line in lines} == {3}
    rows = table_cells(markdown)
    assert len(rows) == 12 and {len(row) for row in rows} == {3}
    assert plain(rows[4][0]) == "4. Strategi | plan"
    assert plain(rows[4][2]) == "Budget? — Ja | *Nej*"


@pytest.mark.parametrize(
    "owner",
    [
        "Anna | styrelsen *x*",
        "_Bo_ & <b>Cecilia</b>",
        "[styrelsen](https://example.org) ![bild](x.png)",
        "# Rubrik",
        "1. först",
        "`kod` ~~struken~~ \\ snedstreck",
        "&amp; &#169; &copy;",
        "Åsa\nÖberg\t(kassör)",
    ],
)
def test_owners_are_written_literally(owner: str) -> None:
    plan = with_action(swedish_plan(), 3, owner=owner)
    lines = plan_markdown(plan).decode().splitlines()
    line = next(line for line in lines if line.startswith(f"  - **{plan.labels.owner}:**"))
    (token,) = inline_tokens(line)
    children = [c for c in token.children or [] if c.type != "text" or c.content]
    assert [c.type for c in children[:4]] == ["strong_open", "text", "strong_close", "text"]
    assert children[3].content == f" {flat(owner)} · "


def test_links_tasks_and_states_in_markdown() -> None:
    plan = swedish_plan()
    markdown = plan_markdown(plan).decode()
    html = MARKDOWN.render(markdown)
    assert f'<a href="{ECCP.url}">{ECCP.text}</a>' in html
    assert f'<a href="{LONG.url}">{LONG.text}</a> [3]' in html
    # three tools with an address at step 3 and 4, each once, and the three sources at the end
    assert html.count("<a href") == 3 + 3  # the tool without an address is named, not linked
    assert f", {NO_URL.text}, " in html
    assert "- [x] **Boka ett möte med EEN-kontoret" in markdown
    assert "- [ ] **Låt medlemmarna rösta" in markdown
    assert "<s><strong>Skriv en internationaliseringsstrategi" in html
    assert "**Status:** **Försenad**" in markdown
    for step in plan.rows:
        if step.actions:
            assert f"<h3>{step.name}</h3>" in html
    assert "<strong>Verktyg:</strong> " in html and html.count("<strong>Verktyg:</strong>") == 2
    awkward = replace(ECCP, url="https://example.org/a plan (2027)")
    odd = replace(plan, sources=(awkward, *plan.sources[1:]))
    rendered = MARKDOWN.render(plan_markdown(odd).decode())
    assert '<a href="https://example.org/a%20plan%20%282027%29">' in rendered
    assert "<h2>Källor</h2>" in rendered and f"<li>{ECCP.text}: <a" in rendered


@pytest.mark.parametrize("make", [swedish_plan, english_plan, long_plan])
def test_markdown_says_what_the_pdf_says(make: Callable[[], ActionPlan]) -> None:
    plan = make()
    markdown = plan_markdown(plan).decode("utf-8")
    text = flat(" ".join(re.sub(r"<[^>]+>", " ", MARKDOWN.render(markdown)).split()))
    text = text.replace("&amp;", "&").replace("&quot;", '"')
    expected = [plan.title, plan.meta, plan.position, plan.labels.readiness, plan.footer]
    expected += [plan.cluster] if plan.cluster else []
    for _, action in actions_of(plan):
        expected += [action.text, action.why, action.state_label]
        expected += [action.owner or plan.labels.nobody, action.due or plan.labels.nobody]
        expected += [action.template] if action.template else []
    for step in plan.rows:
        expected += [tool.text for tool in step.tools] if step.actions else []
    expected += [source.text for source in plan.sources]
    for section, body in (
        (plan.labels.ready_when, plan.ready_when),
        (plan.labels.change, plan.change),
        (plan.labels.unsure, " ".join(plan.unsure)),
    ):
        if body:
            expected += [section, *([body] if section != plan.labels.unsure else plan.unsure)]
        else:
            assert section not in text
    for part in expected:
        assert flat(part) in text, part
    assert "![" not in markdown  # no picture: the table says the same in words


control_free = st.characters(blacklist_categories=("Cs", "Cc"))


@settings(max_examples=150, deadline=None)
@given(
    title=st.text(control_free, max_size=30),
    answer=st.text(control_free, max_size=30),
)
def test_any_text_stays_in_its_cell(title: str, answer: str) -> None:
    plan = swedish_plan()
    steps = list(plan.steps)
    steps[5] = replace(steps[5], title=title, held_back=(answer,))
    rows = table_cells(plan_markdown(replace(plan, steps=tuple(steps))).decode())
    assert len(rows) == 12 and {len(row) for row in rows} == {3}
    assert plain(rows[6][0]) == flat(f"6. {title}")
    assert plain(rows[6][2]) == flat(answer)
