"""Guidance on demand (`flows/guide.py`): the glossary finds what people type, templates come as
files (in the chat and the terminal), and the tools page says where a fact comes from."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.render import render
from flows.guide import find_terms
from flows.messages import Table
from flows.router import Router
from tests.cli_driver import chat
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
    assert "tpl:member-survey:1" in [c.id for c in tools.choices]
    survey = content.template("member-survey")
    assert survey is not None
    replies = d.choose("tpl:member-survey:1")
    file = replies[0].attachment
    assert file is not None and file.filename.endswith(f"-{lang}.csv")
    assert isinstance(file.content, Table)
    data = render(file).decode("utf-8-sig")
    for item in survey.items:
        assert item.text.get(lang).split(",")[0] in data
    assert survey.intro.get(lang) in replies[1].text
    assert "menu:home" in [c.id for c in replies[1].choices]
    # no dead end: the first button leads back to the step it was downloaded from
    back = replies[1].choices[0]
    assert back.id == "guide:1" and back.label == {"sv": "← Steg 1", "en": "← Step 1"}[lang]
    assert content.step(1).title.get(lang) in d.choose(back.id)[0].text


def test_a_template_from_the_funding_page_leads_back_to_it(engine, content):
    d = Driver(engine, "sv")
    page = d.choose("guide:funding")[-1]
    download = next(c.id for c in page.choices if c.id.startswith("tpl:"))
    assert download.endswith(":0")
    back = d.choose(download)[1].choices[0]
    assert back.id == "guide:funding" and back.label == f"← {content.funding.title.sv}"
    for forged in ("tpl:member-survey:99", "tpl:member-survey:x", "tpl:nope:1"):
        assert d.choose(forged)[0].text == "Den knappen är inte längre aktiv."


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_template_list_keeps_step_numbers_and_the_funding_track_apart(engine, content, lang):
    text = Driver(engine, lang).choose("guide:templates")[0].text
    funding = content.funding.title.get(lang)
    assert not re.search(rf"(step|steg) {funding}", text)
    both = [t for t in content.templates if 0 in t.steps and any(t.steps)]
    for t in content.templates:
        line = next(x for x in text.splitlines() if x.startswith(f"• {t.title.get(lang)} –"))
        numbers = ", ".join(str(n) for n in t.steps if n)
        if numbers:
            assert re.search(rf"(steps?|steg) {numbers}\b", line), line
        assert (funding in line) == (0 in t.steps), line
    assert both or all(t.steps for t in content.templates)


def test_the_action_that_names_a_template_offers_it_in_the_summary(engine):
    d = Driver(engine, "en")
    d.command("assess")
    d.choose("mode:full")
    for _ in range(200):  # answer "No" to everything: every action becomes a next action
        replies = d.choose("ans:no")
        if any("sum:more" in [c.id for c in r.choices] for r in replies):
            break
    summary = replies[0]
    assert "Send members the member survey" in summary.text
    more = d.choose("sum:more")[0]
    assert "tpl:member-survey:1" in [c.id for c in more.choices]
    assert "That button" not in d.choose("tpl:member-survey:1")[0].text


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


# --- sources -------------------------------------------------------------------------------


def test_tools_page_shows_where_a_fact_comes_from(engine, content):
    replies = Driver(engine, "sv").choose("guide:3:tools")
    assert "Källa: https://clustercollaboration.eu/ (kontrollerad " in replies[-1].text


# --- current support first, history as background ------------------------------------------


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_step_tools_list_only_what_a_cluster_can_use_now(engine, content, lang):
    text = Driver(engine, lang).choose("guide:7:tools")[-1].text
    assert "Innovation Express" not in text and "StarDust" not in text
    assert content.step(7).tools[0].name.get(lang) in text
    assert ("Bakgrund" if lang == "sv" else "Background") in text


def test_funding_page_lists_current_support_first_dated(engine, content):
    reply = Driver(engine, "sv").choose("guide:funding")[-1]
    text = reply.text
    assert "Stöd som ni kan söka eller använda 2026–2027 (kontrollerat 2026-12-05)" in text
    for name in ("Eurostars", "Svenska institutet", "Business Sweden", "Enterprise Europe"):
        assert name in text, name
    assert "Återkommande utlysningar" in text and "Öppet nu" in text
    for gone in ("Innovation Express", "S3-pilot", "Driv kluster", "FP10"):
        assert gone not in text, gone
    assert {"guide:watch", "guide:background"} <= {c.id for c in reply.choices}


def test_closed_calls_and_proposals_are_one_tap_away(engine):
    text = Driver(engine, "en").choose("guide:watch")[-1].text
    assert "Driv kluster för samverkan" in text and "20 March 2024" in text
    assert "Closed – watch for the next call" in text
    assert "FP10" in text and "Proposal, not yet adopted" in text
    assert "Innovation Express" not in text


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_background_holds_the_programmes_that_ended(engine, lang):
    reply = Driver(engine, lang).choose("guide:background")[-1]
    for name in ("BSR Stars", "StarDust", "Innovation Express", "ESCP-4i", "Cluster Observatory"):
        assert name in reply.text, name
    assert "https://www.bsrstars.se/" in reply.text and "http://" not in reply.text
    assert "guide:funding" in {c.id for c in reply.choices}


def test_the_summary_offers_only_current_tools(engine):
    d = Driver(engine, "en")
    replies = d.run_check("quick", "yes")
    text = "\n".join(r.text for r in replies)
    assert "BSR Stars" not in text and "Innovation Express" not in text
