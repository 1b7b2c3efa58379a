"""A participant's three workshop questions, through the pure flow: long free texts cut with a
word to the participant, the confirmation, and the quick check inside a workshop (through the
router)."""

from __future__ import annotations

import pytest

from flows.i18n import use_language
from flows.messages import Event
from flows.router import Router
from flows.workshop.answers import ParticipantAnswers
from flows.workshop.participant import MAX_CHALLENGES, ParticipantFlow
from tests.helpers import Engine
from tests.workshop_driver import Person, create_workshop


@pytest.fixture
def flow(content):
    return ParticipantFlow(content)


@pytest.fixture
def engine(content):
    return Engine(Router(content))


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


@pytest.mark.parametrize(
    ("lang", "kept", "rest"),
    [
        (
            "sv",
            "Bara de första 1 000 tecknen sparades.",
            "Resten kan du skicka som en utmaning till.",
        ),
        (
            "en",
            "Only the first 1,000 characters were kept.",
            "You can send the rest as another challenge.",
        ),
    ],
)
def test_a_long_challenge_is_cut_and_the_participant_told(lang, kept, rest, content):
    flow = ParticipantFlow(content)
    answers = ParticipantAnswers(step=2, lang=lang)
    turn = write(flow, "challenges", answers, "a" * 1500)
    assert turn.answers.challenges == ("a" * 1000,)  # a sticky note's worth
    text = turn.replies[0].text
    assert kept in text and rest in text
    assert text.index(kept) < text.index(rest)
    short = write(flow, "challenges", answers, "Tid")
    assert kept not in short.replies[0].text
    # the last challenge there is room for: nowhere to send the rest
    almost = ParticipantAnswers(2, tuple(f"c{i}" for i in range(MAX_CHALLENGES - 1)), lang=lang)
    last = write(flow, "challenges", almost, "b" * 1001).replies[0].text
    assert kept in last and rest not in last


@pytest.mark.parametrize(
    ("lang", "kept"),
    [("sv", "Bara de första 1 000 tecknen sparades."), ("en", "Only the first 1,000 characters")],
)
def test_a_long_from_whom_is_cut_and_the_participant_told(lang, kept, content):
    flow = ParticipantFlow(content)
    turn = write(flow, "from", ParticipantAnswers(step=2, lang=lang), "Almi " * 300)
    assert turn.stage == "done" and len(turn.answers.support_from) == 1000
    assert kept in turn.replies[0].text
    assert kept not in write(flow, "from", ParticipantAnswers(lang=lang), "Almi").replies[0].text


def test_the_prompts_for_free_text_say_so_and_the_others_do_not(content):
    flow = ParticipantFlow(content)
    answers = ParticipantAnswers(step=2, lang="sv")
    with use_language("sv"):
        assert flow.prompt("challenges", answers, "T").expects_text
        assert flow.prompt("from", answers, "T").expects_text
        assert not flow.prompt("step", answers, "T").expects_text
        assert not flow.prompt("kinds", answers, "T").expects_text
    assert write(flow, "challenges", answers, "Tid").replies[0].expects_text


@pytest.mark.parametrize(
    ("lang", "sources", "words"),
    [
        ("sv", "Från vem: Vinnova, Regionen", "Med egna ord: "),
        ("en", "From whom: Vinnova, The region", "In your own words: "),
    ],
)
def test_the_confirmation_repeats_from_whom(content, lang, sources, words):
    flow = ParticipantFlow(content)
    answers = ParticipantAnswers(step=4, lang=lang)
    turn = choose(flow, "sources", answers, "ws:src:region")
    turn = choose(flow, turn.stage, turn.answers, "ws:src:vinnova")
    turn = choose(flow, turn.stage, turn.answers, "ws:next")
    long = "Regionen Skåne och Almi,\nsom redan hjälper oss " + "mycket " * 40
    turn = write(flow, turn.stage, turn.answers, long)
    lines = turn.replies[-1].text.split("\n")
    assert sources in lines
    free = next(line for line in lines if line.startswith(words))
    assert free.startswith(words + "Regionen Skåne och Almi, som redan") and free.endswith("…")
    assert len(free) < 130
    short = write(flow, "from", answers, "Almi").replies[-1].text
    assert words + "Almi" in short.split("\n")


def test_the_quick_check_in_a_workshop_returns_to_the_workshop(engine, content):
    fac = Person(engine, "sv", "cli:fac")
    _workshop, code = create_workshop(fac, "Skåne")
    anna = Person(engine, "sv", "cli:anna")
    anna.command("workshop", f"join {code}")
    anna.choose("ws:quick")
    for answer in ["yes"] * 4 + ["no"] * 6:
        replies = anna.choose(f"ans:{answer}")
    texts = "\n".join(r.text for r in replies)
    assert "Sammanfattning" not in texts and "påminna" not in texts
    assert all(r.attachment is None and not r.stays for r in replies)
    proposal = replies[-1]
    assert "Enligt snabbkollen är ni på steg 5" in proposal.text
    assert "Er fullständiga sammanfattning finns kvar till senare: skicka /summary." in texts
    assert [c.id for c in proposal.choices] == ["ws:step:5", "ws:pick"]
    assert len(anna.completed) == 1  # stored as completed all the same
    anna.choose("ws:step:5")
    summary = anna.command("summary")
    assert summary[0].text.startswith("Sammanfattning – så redo är ni (snabbkoll)")
    # outside a workshop the quick check still ends with the summary
    solo = Person(engine, "sv", "cli:solo")
    assert "Sammanfattning" in solo.run_check("quick", "yes")[0].text


def test_question_three_is_numbered_once_and_its_second_part_says_so(flow, content):
    """Issue 26: "Fråga 3 av 3" was shown on two screens in a row."""
    answers = ParticipantAnswers(None, (), (), (), "", "sv")
    shown = []
    turn = choose(flow, "step", answers, "ws:step:4")
    shown.append(turn.replies[-1].text)
    for _ in range(3):
        turn = choose(flow, turn.stage, turn.answers, "ws:next")
        shown.append(turn.replies[-1].text)
    assert turn.stage == "from"
    headings = [line for text in shown for line in text.splitlines() if line.startswith("Fråga")]
    assert headings == ["Fråga 2 av 3", "Fråga 3 av 3", "Fråga 3 av 3, fortsättning"]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_not_sure_of_the_step_goes_straight_to_question_one(engine, content, lang):
    """Issue 26: a participant unsure of their step got the Quick / Full buttons, already dead
    because question 1 of the quick check came at once. Now no mode buttons, no stale tap."""
    fac = Person(engine, lang, f"cli:fac-{lang}")
    _workshop, code = create_workshop(fac, "Skåne")
    anna = Person(engine, lang, f"cli:anna-{lang}")
    anna.command("workshop", f"join {code}")
    replies = anna.choose("ws:quick")
    ids = [c.id for r in replies for c in r.choices]
    assert "mode:quick" not in ids and "mode:full" not in ids
    assert content.step(1).key_question.text.get(lang) in replies[-1].text
    minutes = engine.router.assessment.minutes("quick")
    intro = {"sv": f"10 frågor, ungefär {minutes} minuter", "en": f"10 questions, about {minutes}"}
    assert intro[lang] in replies[0].text
    assert "ans:yes" in [c.id for c in replies[-1].choices]
