"""What a cluster manager meets in the guidance (issue 13): the glossary finds what people type,
templates come as files, sources are dated, questions ask one thing, the quick check does not
promise five questions, and /delete takes the user's own workshop words with it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.render import render
from bot.storage import Storage
from bot.storage.workshops import all_answers, create, save_answer
from flows.guide import find_terms
from flows.i18n import use_language
from flows.messages import Table
from flows.router import Router
from flows.workshop.answers import ParticipantAnswers
from flows.workshop.export import export_table
from tests.cli_driver import chat
from tests.content_edits import content_problems, edit_file
from tests.helpers import Driver, Engine


@pytest.fixture(scope="module")
def engine(content):
    return Engine(Router(content))


# --- the glossary -------------------------------------------------------------------------

LOOKUPS = {  # what people type → the entry they mean
    "ECCP": "eccp",
    "een": "een",
    "kpi": "kpi",
    "värdekedja": "global-value-chain",
    "S3": "smart-specialisation",
    "FDI": "mobile-fdi",
    "mou": "mou",
    "vardekedja": "global-value-chain",
    "Horisont Europa": "horizon-europe",
    "eucles": "eucles",
    "mognad": "readiness",
}


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize(("query", "term_id"), LOOKUPS.items())
def test_glossary_finds_what_people_type(engine, content, lang, query, term_id):
    d = Driver(engine, lang)
    replies = d.command("glossary", query)
    term = next(t for t in content.glossary if t.id == term_id)
    shown = replies[-1]
    assert shown.text.startswith(term.term.get(lang)), shown.text
    assert term.definition.get(lang) in shown.text
    assert "menu:home" in [c.id for c in shown.choices]  # a way back to the menu


def test_glossary_matches_inside_terms(content):
    assert [t.id for t in find_terms(content, "kedja")] == ["global-value-chain"]
    assert "matchmaking-event" in [t.id for t in find_terms(content, "träff")]


def test_glossary_typed_in_the_glossary_flow_and_back_to_the_menu(engine):
    d = Driver(engine, "sv")
    d.choose("menu:glossary")
    replies = d.text("kpi")
    assert replies[-1].text.startswith("Nyckeltal (KPI)")
    replies = d.choose("menu:home")
    assert "menu:assess" in [c.id for c in replies[-1].choices]


def test_glossary_has_the_missing_terms(content):
    ids = {t.id for t in content.glossary}
    assert len(ids) >= 35
    assert {"readiness", "eucles", "euroclusters", "interreg", "vinnvaxt", "bsr-stars"} <= ids


def test_no_match_still_offers_the_menu(engine):
    replies = Driver(engine, "en").command("glossary", "qwertyuiop")
    assert "No term matches" in replies[-1].text
    assert [c.id for c in replies[-1].choices] == ["menu:home"]


# --- templates ----------------------------------------------------------------------------


def test_every_named_template_exists_and_is_offered_in_its_step(content):
    named = {q.template for s in content.steps for q in s.questions if q.template}
    named |= {t.template for s in content.steps for t in s.tools if t.template}
    assert {"member-survey", "skills-self-rating", "outcome-survey"} <= named
    for template in content.templates:
        assert template.steps, template.id
    for step in content.steps:
        for q in step.questions:
            if q.template:
                assert content.template(q.template) in content.templates_of(step.number)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_step_guide_offers_the_survey_as_a_file(engine, content, lang):
    d = Driver(engine, lang)
    tools = d.choose("guide:1:tools")[-1]
    assert "tpl:member-survey" in [c.id for c in tools.choices]
    survey = content.template("member-survey")
    assert survey is not None
    replies = d.choose("tpl:member-survey")
    file = replies[0].attachment
    assert file is not None and file.filename.endswith(f"-{lang}.csv")
    assert isinstance(file.content, Table)
    data = render(file).decode("utf-8-sig")
    for item in survey.items:
        assert item.text.get(lang).split(",")[0] in data
    assert survey.intro.get(lang) in replies[1].text
    assert "menu:home" in [c.id for c in replies[1].choices]


def test_the_action_that_names_a_template_offers_it_in_the_summary(engine):
    d = Driver(engine, "en")
    d.command("assess")
    d.choose("mode:full")
    for _ in range(200):  # answer "No" to everything: every action becomes a next action
        replies = d.choose("ans:no")
        if any("menu:assess" in [c.id for c in r.choices] for r in replies):
            break
    summary = replies[0]
    assert "Send members the member survey" in summary.text
    assert "tpl:member-survey" in [c.id for c in summary.choices]


def test_the_terminal_saves_a_template_as_a_file(tmp_path):
    out = chat(tmp_path, ["/steps", "9", "3"], "--lang", "en")
    number = re.search(r"(\d+)\) Download: Yearly member outcome survey", out)
    assert number, out
    out = chat(tmp_path, ["/steps", "9", "3", number.group(1)], "--lang", "en")
    path = re.search(r"Saved to (\S+outcome-survey-en\.csv)", out)
    assert path, out
    saved = Path(path.group(1)).read_text(encoding="utf-8-sig")
    assert "How valuable were the activities" in saved


def test_templates_list_from_the_steps(engine, content):
    replies = Driver(engine, "sv").choose("guide:templates")
    ids = [c.id for c in replies[-1].choices]
    assert [f"tpl:{t.id}" for t in content.templates] == ids[: len(content.templates)]


# --- sources and dates --------------------------------------------------------------------


def test_every_tool_and_funding_source_is_sourced_and_dated(content):
    items = [t for s in content.steps for t in s.tools] + list(content.funding.sources)
    for item in items:
        assert item.source == "composed" or item.source.startswith(("https://", "http://"))
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", item.checked)


def test_tools_page_shows_where_a_fact_comes_from(engine, content):
    replies = Driver(engine, "sv").choose("guide:3:tools")
    assert "Källa: https://clustercollaboration.eu/ (kontrollerad " in replies[-1].text


def test_a_bad_source_url_is_reported(content_copy):
    edit_file(
        content_copy / "funding.yaml", 'source: "https://interreg-baltic.eu/"', "source: www.x"
    )
    problems = content_problems(content_copy)
    assert any(
        p.startswith("funding.yaml: sources[") and "is not a web address" in p for p in problems
    ), problems


def test_a_missing_checked_date_is_reported(content_copy):
    path = content_copy / "steps" / "03-opportunities.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    checked: ", "    checked_on: ", 1), encoding="utf-8")
    problems = content_problems(content_copy)
    assert any("missing key 'checked'" in p for p in problems), problems


def test_a_future_date_and_an_unknown_template_are_reported(content_copy):
    path = content_copy / "steps" / "01-why.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"checked: \d{4}-\d\d-\d\d", "checked: 2999-01-01", text, count=1)
    path.write_text(text, encoding="utf-8")
    edit_file(
        content_copy / "steps" / "05-training.yaml",
        "template: skills-self-rating",
        "template: no-such-form",
    )
    problems = content_problems(content_copy)
    assert any("is in the future" in p for p in problems), problems
    assert any(
        p.startswith("steps/05-training.yaml: questions[0].template")
        and "no template 'no-such-form'" in p
        for p in problems
    ), problems


def test_no_programme_that_ended_is_offered_to_join(content):
    for step in content.steps:
        for q in step.questions:
            assert "BSR Stars" not in q.text.en + q.action.en, q.id
    ended = next(t for t in content.step(3).tools if t.id == "cluster-observatory")
    assert "Neither runs any more" in ended.description.en


# --- one question, one thing ---------------------------------------------------------------

DOUBLE = [
    re.compile(r", (and|or) (do|did|have|has|is|are|does) ", re.I),
    re.compile(r", (och|eller) (har|är|går|finns|gör|vet) ", re.I),
    re.compile(r"\band review\b|\boch går ni igenom\b", re.I),
]


def test_no_question_asks_two_things(content):
    questions = [q for s in content.steps for q in s.questions] + list(content.funding.questions)
    for q in questions:
        for text in (q.text.en, q.text.sv):
            assert text.count("?") == 1, (q.id, text)
            assert not any(p.search(text) for p in DOUBLE), (q.id, text)
    assert (
        content.question("measure-kpis").text.en == "Do you have KPIs for your international work?"
    )


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_quick_check_does_not_promise_five_questions(engine, lang):
    d = Driver(engine, lang)
    d.command("assess")
    replies = d.choose("mode:quick")
    shown = [r.text for r in replies]
    for _ in range(9):
        shown += [r.text for r in d.choose("ans:partly")]
    assert not [t for t in shown if re.search(r"\b(five|fem) (questions|frågor)", t, re.I)]
    assert not [t for t in shown if "huruvida" in t]


# --- privacy --------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "words"), [("en", "words you typed"), ("sv", "skrev själv")])
def test_privacy_says_workshop_free_text_is_stored(engine, lang, words):
    text = Driver(engine, lang).command("privacy")[-1].text
    assert words in text
    assert "text of your messages" not in text or "Apart from the workshop answers" in text


async def test_delete_erases_own_workshop_words_but_keeps_choices(tmp_path, content):
    storage = await Storage.open(f"sqlite:///{tmp_path / 'db.sqlite'}")
    try:
        ws = await create(storage, "tg:1", "Skåne", 1.0)
        mine = ParticipantAnswers(3, ("Vi saknar tid",), ("funding",), ("vinnova",), "Almi", "sv")
        other = ParticipantAnswers(5, ("Brist på partner",), (), (), "Regionen", "sv")
        await save_answer(storage, ws.id, "tg:2", mine, 2.0)
        await save_answer(storage, ws.id, "tg:3", other, 2.0)
        counts = await storage.delete_user("tg:2")
        assert counts["workshop_answers"] == 1
        kept = await all_answers(storage, ws.id)
        assert sorted(a.step for a in kept) == [3, 5]  # the coded choice stays in the totals
        erased = next(a for a in kept if a.step == 3)
        assert erased.challenges == () and erased.support_from == ""
        assert erased.support_kinds == ("funding",)
        table = export_table(content, "Skåne", kept, "sv")
        cells = " ".join(" ".join(row) for row in table.rows)
        assert "Vi saknar tid" not in cells and "Almi" not in cells
        assert "Brist på partner" in cells  # someone else's words stay
    finally:
        await storage.close()


def test_delete_confirmation_says_the_words_are_erased(engine):
    d = Driver(engine, "sv")
    d.command("assess")
    with use_language("sv"):
        replies = d.choose("privacy:confirm")
    assert "det du skrev själv" in replies[-1].text or "inget sparat" in replies[-1].text.lower()
