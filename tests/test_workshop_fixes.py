"""Workshop fixes found by trying the product as a new user: the chart's language, long free
texts, free text in the terminal, the participant's confirmation, the quick check inside a
workshop, and the export (the terminal's file line, the date column)."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from datetime import UTC, datetime

import pytest

from bot.render.tables import csv_bytes
from flows.i18n import use_language
from flows.messages import KEEP_TAG, Event, Reply
from flows.router import Router
from flows.workshop.answers import ParticipantAnswers
from flows.workshop.export import export_table
from flows.workshop.facilitator import results_tag
from flows.workshop.participant import MAX_CHALLENGES, ParticipantFlow
from tests.helpers import Driver, Engine
from tests.test_terminal import chat
from tests.test_workshop_flow import choose, write


class Person(Driver):
    """One user of a shared engine: the facilitator and participants of the same workshop."""

    def __init__(self, engine: Engine, lang: str, user_id: str) -> None:
        super().__init__(engine, lang)
        self.user_id = user_id

    def send(self, kind: str, value: str, arg: str = "") -> list[Reply]:
        self.now += 10
        turn = self.engine.handle(self.record, Event(kind, value, arg), self.now, self.user_id)  # type: ignore[arg-type]
        if turn.completed:
            self.completed.append(turn.completed)
        assert turn.replies, "every event gets an answer"
        return turn.replies


@pytest.fixture
def engine(content):
    return Engine(Router(content))


def create_workshop(facilitator: Person, title: str = "Skåne") -> tuple[str, str]:
    """(workshop id, join code) of a new workshop."""
    facilitator.command("workshop")
    facilitator.choose("wsf:new")
    replies = facilitator.text(title)
    results = replies[-1]
    code = re.search(r"\b([A-Z0-9]{6})\b", replies[0].text.split("\n")[2]).group(1)
    shown = results_tag(results.tag)
    assert shown is not None
    return str(shown[0]), code


# --- 1. the chart in the facilitator's language -------------------------------------------


@pytest.mark.parametrize(
    ("lang", "note", "title"),
    [
        ("sv", "Deltagare: 2", "Var deltagarna befinner sig på resan"),
        ("en", "Participants: 2", "Where the participants are on the journey"),
    ],
)
def test_the_chart_button_draws_the_chart_in_the_facilitators_language(
    engine, content, lang, note, title
):
    fac = Person(engine, lang, "cli:fac")
    workshop, code = create_workshop(fac)
    for n, participant_lang in enumerate(("sv", "en")):  # the room speaks both languages
        person = Person(engine, participant_lang, f"cli:p{n}")
        person.command("workshop", f"join {code}")
        person.choose("ws:step:3")
    (reply,) = fac.choose(f"wsf:chart:{workshop}")
    chart = reply.attachment.content
    assert chart.title == title and chart.note == note
    assert chart.labels == tuple(f"{s.number}. {s.short.get(lang)}" for s in content.steps)


# --- 2. challenges ---------------------------------------------------------------------------


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


def test_in_the_terminal_a_challenge_may_be_a_number_or_the_buttons_label(tmp_path):
    chat(tmp_path, ["/workshop", "1", "Skåne"], "--lang", "sv", "--user", "fac")
    db = sqlite3.connect(tmp_path / "journey.db")
    (code,) = db.execute("select code from workshops").fetchone()
    out = chat(
        tmp_path,
        [f"/workshop join {code}", "3", "1", "Klar", "", "/help"],
        "--lang",
        "sv",
        "--user",
        "anna",
    )
    (challenges,) = db.execute("select challenges from workshop_answers").fetchone()
    assert challenges == '["1", "Klar"]'  # typed text is the answer, even "1" or "Klar"
    assert "  Enter) Klar →" in out
    assert "Noterat (2)" in out
    assert "Fråga 3 av 3" in out  # Enter alone pressed Klar
    assert "#2 på den andra" in out  # /help says how to reach the other buttons


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


# --- 3. a participant who is not sure of their step ----------------------------------------


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
    assert all(r.attachment is None and r.tag != KEEP_TAG for r in replies)
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


# --- 4. the export ---------------------------------------------------------------------------


def stockholm_midnight() -> float:
    """00:30 in Stockholm on 12 March 2026, still 11 March in UTC."""
    return datetime(2026, 3, 11, 23, 30, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("lang", "header", "delimiter"), [("sv", "Datum", ";"), ("en", "Date", ",")]
)
def test_the_csv_has_the_day_each_participant_last_changed_their_answers(
    engine, lang, header, delimiter
):
    fac = Person(engine, lang, "cli:fac")
    workshop, code = create_workshop(fac)
    early = Person(engine, "en", "cli:early")
    early.now = datetime(2026, 3, 10, 9, 0, tzinfo=UTC).timestamp()
    early.command("workshop", f"join {code}")
    early.choose("ws:step:2")
    late = Person(engine, "sv", "cli:late")
    late.now = datetime(2026, 3, 9, 9, 0, tzinfo=UTC).timestamp()
    late.command("workshop", f"join {code}")
    late.now = stockholm_midnight() - 10
    late.choose("ws:step:6")  # changed later: the day of the change counts
    (reply,) = fac.choose(f"wsf:csv:{workshop}")
    data = csv_bytes(reply.attachment.content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data, newline=""), delimiter=delimiter))
    assert rows[0][1] == header
    assert [row[1] for row in rows[1:]] == ["2026-03-10", "2026-03-12"]
    assert [row[0] for row in rows[1:]] == ["1", "2"]
    assert [row[3] for row in rows[1:]] == ["2", "6"]  # the other columns as before


def test_the_export_table_writes_dates_in_the_zone_given(content):
    answers = [ParticipantAnswers(step=1, updated=stockholm_midnight()), ParticipantAnswers()]
    rows = export_table(content, "T", answers, "en").rows
    assert [row[1] for row in rows] == ["2026-03-12", ""]  # never saved: no date
    new_york = export_table(content, "T", answers, "en", zone="America/New_York").rows
    assert new_york[0][1] == "2026-03-11"


@pytest.mark.parametrize(
    ("lang", "caption", "saved"),
    [
        ("sv", "1 deltagare, en rad per person.", "Sparad i "),
        ("en", "1 participant, one row each.", "Saved to "),
    ],
)
def test_the_terminal_names_a_saved_file_after_its_caption(tmp_path, lang, caption, saved):
    chat(tmp_path, ["/workshop", "1", "Skåne"], "--lang", lang, "--user", "fac")
    (code,) = (
        sqlite3.connect(tmp_path / "journey.db").execute("select code from workshops").fetchone()
    )
    chat(tmp_path, [f"/workshop join {code}", "3"], "--lang", lang, "--user", "anna")
    # the facilitator's results: 1 Refresh, 2 Chart, 3 Export CSV
    out = chat(tmp_path, ["/workshop", "2", "1", "3", "2"], "--lang", lang, "--user", "fac")
    lines = out.splitlines()
    at = lines.index(caption)
    assert lines[at + 1].startswith(saved) and lines[at + 1].endswith(f"fac-workshop-{code}.csv")
    assert ".:" not in out
    chart = next(line for line in lines if line.endswith(f"fac-workshop-{code}.png"))
    assert chart.startswith(saved)
    assert lines[lines.index(chart) - 1] == "Skåne"  # the chart's caption, the title
