"""A participant's three workshop questions, through the pure flow."""

from __future__ import annotations

import pytest

from flows.i18n import use_language
from flows.messages import Event
from flows.workshop.answers import ParticipantAnswers
from flows.workshop.participant import MAX_CHALLENGES, ParticipantFlow


@pytest.fixture
def flow(content):
    return ParticipantFlow(content)


def choose(flow, stage, answers, choice):
    with use_language(answers.lang):
        return flow.handle(stage, answers, Event("choice", choice), "Test")


def write(flow, stage, answers, text):
    with use_language(answers.lang):
        return flow.handle(stage, answers, Event("text", text), "Test")


def test_the_three_questions(flow, content):
    answers = ParticipantAnswers(None, (), (), (), "", "sv")
    turn = choose(flow, "step", answers, "ws:step:4")
    assert (turn.stage, turn.answers.step, turn.changed) == ("challenges", 4, True)
    assert content.workshop.questions.challenges.sv in turn.replies[0].text
    turn = write(flow, turn.stage, turn.answers, "Tid")
    turn = write(flow, turn.stage, turn.answers, "Pengar")
    assert turn.answers.challenges == ("Tid", "Pengar") and turn.stage == "challenges"
    turn = choose(flow, turn.stage, turn.answers, "ws:next")
    assert turn.stage == "kinds"
    kind = content.workshop.support_kinds[1].id
    turn = choose(flow, turn.stage, turn.answers, f"ws:kind:{kind}")
    assert turn.answers.support_kinds == (kind,)
    assert any(c.label.startswith("✓ ") for c in turn.replies[0].choices)
    turn = choose(flow, turn.stage, turn.answers, f"ws:kind:{kind}")  # toggled off again
    assert turn.answers.support_kinds == ()
    turn = choose(flow, turn.stage, turn.answers, f"ws:kind:{kind}")
    turn = choose(flow, turn.stage, turn.answers, "ws:next")
    turn = choose(flow, turn.stage, turn.answers, "ws:src:vinnova")
    turn = choose(flow, turn.stage, turn.answers, "ws:next")
    assert turn.stage == "from"
    turn = write(flow, turn.stage, turn.answers, "Regionen och Almi")
    assert turn.stage == "done" and turn.answers.support_from == "Regionen och Almi"
    assert turn.replies[0].text.startswith("Tack!")
    turn = choose(flow, turn.stage, turn.answers, "ws:change")
    assert turn.stage == "step" and turn.answers.challenges == ("Tid", "Pengar")


def test_bad_input_changes_nothing(flow):
    answers = ParticipantAnswers(None, (), (), (), "", "en")
    for stage, choice in [
        ("step", "ws:step:11"),
        ("step", "ws:next"),
        ("kinds", "ws:kind:zz"),
        ("challenges", "ws:change"),
        ("done", "ws:step:2"),
    ]:
        turn = choose(flow, stage, answers, choice)
        assert turn.stage == stage and turn.answers == answers and not turn.changed
        assert turn.replies[0].text == "That button is no longer active."
    turn = write(flow, "kinds", answers, "funding please")
    assert turn.replies[0].text == "Please use the buttons below." and not turn.changed


def test_challenges_are_capped(flow):
    answers = ParticipantAnswers(2, tuple(f"c{i}" for i in range(MAX_CHALLENGES)), (), (), "", "en")
    turn = write(flow, "challenges", answers, "x" * 5000)
    assert turn.answers == answers and not turn.changed
    shorter = ParticipantAnswers(2, (), (), (), "", "en")
    assert len(write(flow, "challenges", shorter, "x" * 5000).answers.challenges[0]) == 1000


def test_not_sure_leads_to_the_quick_check_and_back(flow):
    answers = ParticipantAnswers(None, (), (), (), "", "en")
    turn = choose(flow, "step", answers, "ws:quick")
    assert turn.stage == "quick" and turn.start_quick_check
    with use_language("en"):
        proposal = flow.quick_check_result(5, "Test")
    assert [c.id for c in proposal.choices] == ["ws:step:5", "ws:pick"]
    turn = choose(flow, "quick", answers, "ws:step:5")
    assert (turn.stage, turn.answers.step) == ("challenges", 5)
    assert choose(flow, "quick", answers, "ws:pick").stage == "step"


def test_resume_shows_the_current_question(flow, content):
    answers = ParticipantAnswers(3, (), (), (), "", "en")
    turn = choose(flow, "kinds", answers, "ws:resume")
    assert turn.stage == "kinds" and content.workshop.questions.support.en in turn.replies[0].text


def test_no_warning_from_transitions(flow, content, caplog):
    """The flows ask the machines only for what their model allows: choosing a step from the
    first question, or any path of the diagnostic, logs nothing from `transitions`."""
    from flows.router import Router
    from tests.helpers import Driver, Engine

    caplog.set_level("DEBUG", logger="transitions")
    answers = ParticipantAnswers(lang="en")
    turn = choose(flow, "step", answers, "ws:step:4")
    turn = choose(flow, "quick", turn.answers, "ws:step:2")
    turn = choose(flow, turn.stage, turn.answers, "ws:change")  # not offered at this stage
    d = Driver(Engine(Router(content)))
    d.command("assess")
    d.choose("nav:resume")  # not paused
    d.choose("mode:quick")
    d.choose("nav:back")  # at the first question
    d.choose("nav:pause")
    d.choose("nav:pause")  # paused already
    d.choose("nav:resume")
    d.run_check("quick", "yes")
    d.choose("nav:back")  # after the summary
    warnings = [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")]
    assert warnings == [], [r.getMessage() for r in warnings]
