"""Every path of the journey diagnostic machine, through the engine."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.render import render
from flows.i18n import use_language
from flows.journey.diagnostic import PAUSED, SUMMARY
from flows.router import Router
from flows.state import ConversationState
from tests.helpers import Driver, Engine

DOCS = Path(__file__).resolve().parent.parent / "docs" / "diagnostic-states.md"


@pytest.fixture(scope="module")
def engine(content):
    return Engine(Router(content))


def question_ids(engine, mode):
    return [q.id for q in engine.diagnostic.sequence(mode)]


def test_quick_check_asks_the_ten_key_questions_and_summarises(engine, content):
    d = Driver(engine)
    d.command("assess")
    replies = d.choose("mode:quick")
    asked = []
    for step in content.steps:
        text = replies[-1].text
        assert step.key_question.text.en in text
        assert step.intro.en in text  # a one-line intro when a step begins
        asked.append(step.key_question.id)
        replies = d.choose("ans:yes")
    assert asked == question_ids(engine, "quick")
    assert d.record.journey.state == SUMMARY
    assert len(d.completed) == 1 and d.completed[0].mode == "quick"
    summary, chart, consent = replies  # the text first, the chart after it, then (once):
    assert consent.text.startswith("Share your result anonymously for the regional picture?")
    assert chart.attachment is not None and render(chart.attachment)[:4] == b"\x89PNG"
    assert "Your readiness summary (quick check)" in summary.text
    assert "Every step is above the readiness threshold" in summary.text


def test_full_check_covers_every_question_and_funding(engine, content):
    d = Driver(engine, "sv")
    replies = d.run_check("full", "partly")
    assert len(d.completed[0].answers) == content.question_count
    assert d.completed[0].mode == "full"
    summary = replies[0].text
    assert "50 %" in summary and "Steg 1" not in summary
    assert d.record.journey.answers == {} and d.record.journey.last is not None


def test_intro_only_when_a_step_begins(engine, content):
    d = Driver(engine)
    d.command("assess")
    replies = d.choose("mode:full")
    step1 = content.step(1)
    assert step1.intro.en in replies[-1].text
    replies = d.choose("ans:no")
    assert step1.intro.en not in replies[-1].text
    assert step1.questions[1].text.en in replies[-1].text


def test_back_at_the_first_question_changes_nothing(engine, content):
    d = Driver(engine)
    d.command("assess")
    d.choose("mode:quick")
    before = d.record.to_dict()
    replies = d.choose("nav:back")
    assert "This is the first question." in replies[0].text
    assert content.step(1).key_question.text.en in replies[-1].text
    assert d.record.to_dict() == before


def test_back_undoes_the_last_answer_across_a_step_boundary(engine, content):
    d = Driver(engine)
    d.command("assess")
    d.choose("mode:full")
    for _ in content.step(1).questions:
        d.choose("ans:yes")
    assert d.record.journey.state == "step_02"
    last_of_step1 = content.step(1).questions[-1].id
    assert last_of_step1 in d.record.journey.answers
    replies = d.choose("nav:back")
    assert d.record.journey.state == "step_01"
    assert last_of_step1 not in d.record.journey.answers
    assert content.step(1).questions[-1].text.en in replies[-1].text
    d.choose("ans:no")
    assert (
        d.record.journey.answers[last_of_step1][0] == "no" and d.record.journey.state == "step_02"
    )


def test_pause_and_resume(engine, content):
    d = Driver(engine)
    d.command("assess")
    d.choose("mode:quick")
    d.choose("ans:yes")
    d.choose("ans:no")
    replies = d.choose("nav:pause")
    assert d.record.journey.state == PAUSED and "Paused" in replies[0].text
    assert d.choose("ans:yes")[0].text == "That button is no longer active."
    assert len(d.record.journey.answers) == 2
    replies = d.command("assess")
    assert d.record.journey.state == "step_03"
    assert content.step(3).key_question.text.en in replies[-1].text


def test_restart_clears_the_round(engine):
    d = Driver(engine)
    d.command("assess")
    d.choose("mode:quick")
    d.choose("ans:yes")
    d.choose("nav:pause")
    replies = d.choose("nav:restart")
    assert d.record.journey.answers == {} and d.record.journey.state == "mode"
    assert [c.id for c in replies[-1].choices] == ["mode:quick", "mode:full"]


def test_restored_record_continues_mid_step(engine, content):
    d = Driver(engine)
    d.command("assess")
    d.choose("mode:full")
    d.choose("ans:yes")
    d.choose("ans:partly")
    saved = d.record.to_dict()
    restored = Driver(engine)
    restored.record = ConversationState.from_dict(saved)
    assert restored.record == d.record
    replies = restored.command("assess")
    assert content.step(1).questions[2].text.en in replies[-1].text
    restored.choose("ans:no")
    assert restored.record.journey.index == 3


def test_finishing_twice_shows_the_change(engine, content):
    d = Driver(engine)
    d.run_check("quick", "no")
    replies = d.run_check("quick", ["yes", "yes", "no", "no", "no", "no", "no", "no", "no", "no"])
    summary = replies[0].text
    assert "moved forward 2 steps." in summary
    assert "+100" in summary
    assert d.record.journey.prior is not None and d.record.journey.prior.percents[0] == 0


def test_free_text_answer_and_bad_input(engine, content):
    d = Driver(engine, "sv")
    d.command("assess")
    d.choose("mode:quick")
    replies = d.text("Ja")
    assert content.step(2).key_question.text.sv in replies[-1].text
    before = d.record.to_dict()
    for bad in ["kanske", "", "x" * 10_000, "99"]:
        replies = d.text(bad)
        assert replies[0].text.startswith("Svara med en av knapparna") or "knapp" in replies[0].text
        assert content.step(2).key_question.text.sv in replies[-1].text
        assert d.record.to_dict() == before
    replies = d.command("nonsense")
    assert content.step(2).key_question.text.sv in replies[-1].text
    assert d.record.to_dict() == before


def test_commands_mid_question_keep_the_place(engine, content):
    d = Driver(engine)
    d.command("assess")
    d.choose("mode:quick")
    d.choose("ans:yes")
    d.command("steps")
    d.command("glossary", "cluster")
    replies = d.command("assess")
    assert content.step(2).key_question.text.en in replies[-1].text


def test_language_switch_mid_question(engine, content):
    d = Driver(engine)
    d.command("assess")
    d.choose("mode:quick")
    replies = d.choose("lang:sv")
    assert d.record.lang == "sv"
    assert content.step(1).key_question.text.sv in replies[-1].text


def test_stale_choice_ids_change_nothing(engine):
    d = Driver(engine)
    d.command("start")
    before = d.record.to_dict()
    for forged in ["ans:yes", "mode:quick", "guide:99", "term:nope", "nav:back", "zzz", "lang:de"]:
        replies = d.choose(forged)
        assert replies[0].text == "That button is no longer active."
        assert d.record.to_dict() == before


def test_state_diagram_in_docs_is_current(engine):
    assert DOCS.exists(), "run: python -m flows.diagram > docs/diagnostic-states.md"
    assert DOCS.read_text(encoding="utf-8") == engine_diagram_doc(engine)


def engine_diagram_doc(engine) -> str:
    from flows.diagram import diagram_doc

    return diagram_doc(engine.diagnostic)


def test_summary_text_in_both_languages_is_short(engine):
    for lang in ("en", "sv"):
        for answers in ("no", "unsure", "partly"):
            d = Driver(engine, lang)
            replies = d.run_check("full", answers)
            with use_language(lang):
                assert len(replies[0].text) <= 1500


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


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_a_full_check_after_a_quick_one_is_compared_like_with_like(engine, content, lang):
    """Issue 26: a quick check at step 2, then a full check at step 1 (its other questions of
    step 1 are "no"), must not read as a step back with "-60": only the questions both checks
    asked are compared, and the summary says so."""
    d = Driver(engine, lang)
    quick = [q.id for q in engine.diagnostic.sequence("quick")]
    d.run_check("quick", ["yes" if q == content.step(1).key_question.id else "no" for q in quick])
    full = [q.id for q in engine.diagnostic.sequence("full")]
    key = content.step(1).key_question.id
    replies = d.run_check("full", ["yes" if q == key else "no" for q in full])
    summary = replies[0].text
    assert d.record.journey.last is not None
    assert "1." in summary and not re.search(r"[-−]\d", summary)
    if lang == "en":
        assert "You are at step 1" in summary  # the full check places it at step 1 …
        assert "moved back" not in summary and "position is unchanged" in summary
        assert f"Compared on the {len(quick)} questions both asked" in summary
        assert "quick check then, full check now." in summary
    else:
        assert "steg bakåt" not in summary and "står ni kvar på samma steg" in summary
        assert f"de {len(quick)} frågor som ställdes i båda: snabbkoll då," in summary
    # a second full check is compared with the first in full, and says with what
    replies = d.run_check("full", ["yes" if q == key else "no" for q in full])
    if lang == "en":
        assert "Compared with last time, also a full check." in replies[0].text


def test_time_estimates_are_measured_from_what_the_check_shows(content):
    """Issue 26: "61 questions, about fifteen minutes" was a guess. The estimate reads every
    question as shown at 200 words a minute, plus a tap per answer, so longer texts give a
    longer estimate and the mode question says it in both languages."""
    from dataclasses import replace

    from flows.content_model import Text
    from flows.journey.assessment import SECONDS_PER_TAP, WORDS_PER_MINUTE, Assessment

    assessment = Assessment(content)
    full = assessment.diagnostic.sequence("full")
    with use_language("en"):
        quick_minutes, full_minutes = assessment.minutes("quick"), assessment.minutes("full")
        text = assessment.mode_reply().text
    words = sum(len(f"{q.text.en} {q.why.en}".split()) for q in full)
    floor = words * 60 / WORDS_PER_MINUTE + len(full) * SECONDS_PER_TAP
    assert floor <= full_minutes * 60 <= floor + 8 * 60
    assert quick_minutes < full_minutes
    assert f"{len(full)} questions, about {full_minutes} minutes" in text
    assert f"about {quick_minutes} minutes" in text and "fifteen" not in text
    with use_language("sv"):
        assert f"cirka {assessment.minutes('full')} minuter" in assessment.mode_reply().text

    def longer(q):
        return replace(q, why=Text(en=q.why.en * 3, sv=q.why.sv * 3))

    wordy = replace(
        content,
        steps=tuple(replace(s, questions=tuple(map(longer, s.questions))) for s in content.steps),
    )
    with use_language("en"):
        assert Assessment(wordy).minutes("full") > full_minutes
