"""The terminal chat through the real command, in both languages: piped into its process for
the quick check, and the command's `main` in this process for the rest (faster)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from flows.content_loader import load_content
from tests.cli_driver import chat, chat_process

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("lang", "title", "position"),
    [
        ("en", "Your readiness summary (quick check)", "You are at step 1"),
        ("sv", "Sammanfattning – så redo är ni (snabbkoll)", "Ni är på steg 1"),
    ],
)
def test_quick_check_piped(tmp_path, lang, title, position):
    # menu 1 = start, 1 = quick check, then ten answers by number and by text
    answers = ["3", "2", "1", "1", "no" if lang == "en" else "nej", "2", "1", "4", "1", "1"]
    out = chat_process(tmp_path, ["1", "1", *answers], "--lang", lang)  # a real pipe
    assert title in out and position in out
    assert "█" in out and "░" in out
    chart = re.search(r"(?:Saved to|Sparad i) (\S+\.png)", out)
    assert chart and Path(chart.group(1)).read_bytes()[:4] == b"\x89PNG"
    rows = (
        sqlite3.connect(tmp_path / "journey.db")
        .execute("select mode, position from assessments")
        .fetchall()
    )
    assert rows == [("quick", 1)]


def test_quitting_half_way_resumes_at_the_same_question(tmp_path):
    content = load_content()
    first = chat(tmp_path, ["1", "1", "1", "2", "/quit"], "--lang", "en", "--user", "eva")
    assert "Goodbye" in first
    second = chat(tmp_path, [], "--user", "eva")
    assert content.step(3).key_question.text.en in second
    assert "Question 3 of 10" in second
    # another user starts afresh
    other = chat(tmp_path, [], "--user", "olle", "--lang", "sv")
    assert "Välkommen till Klusterresan!" in other


def test_bad_input_gets_a_reprompt_and_changes_nothing(tmp_path):
    content = load_content()
    question = content.step(1).key_question.text.sv
    out = chat(
        tmp_path,
        ["1", "1", "", "kanske", "17", "x" * 10_000, "/nonsense", "/glossary"],
        "--lang",
        "sv",
    )
    assert out.count(question) >= 5
    assert "Välj ett nummer mellan 1 och 6." in out
    assert "Tyvärr känner jag inte till det kommandot." in out
    resumed = chat(tmp_path, ["/assess"], "--lang", "sv")
    assert "Fråga 1 av 10" in resumed


def test_commands_in_the_terminal(tmp_path):
    out = chat(
        tmp_path,
        [
            "/help",
            "/steps",
            "3",
            "/glossary trip",
            "/glossary",
            "ecc",
            "/summary",
            "/language",
            "1",
        ],
        "--lang",
        "en",
    )
    assert "/assess" in out and "Choose a step:" in out
    assert "Step 3 of 10" in out
    assert "Triple helix" in out
    assert "ECCP" in out
    assert "You have no completed self-assessment yet." in out
    assert "Jag skriver på svenska från och med nu." in out


@pytest.mark.parametrize(
    ("lang", "heading", "erased", "kept"),
    [
        (
            "en",
            "What I store about you, and why:",
            "Done. I erased your profile",
            "Nothing was erased.",
        ),
        (
            "sv",
            "Det här sparar jag om dig, och varför:",
            "Klart. Jag har raderat din profil",
            "Inget raderades.",
        ),
    ],
)
def test_privacy_and_delete_in_the_terminal(tmp_path, lang, heading, erased, kept):
    """Every command /help lists works in the terminal: /privacy shows what is stored, /delete
    erases it after a confirmation (and Cancel keeps it)."""
    db = tmp_path / "journey.db"
    out = chat(tmp_path, ["1", "1", "1", "/privacy", "/delete", "2"], "--lang", lang)
    assert heading in out and kept in out
    assert sqlite3.connect(db).execute("select count(*) from users").fetchone() == (1,)
    out = chat(tmp_path, ["/delete", "1"], "--lang", lang)
    assert erased in out
    assert sqlite3.connect(db).execute("select count(*) from users").fetchone() == (0,)


def test_every_command_in_help_is_answered_in_the_terminal(tmp_path):
    out = chat(tmp_path, ["/help"], "--lang", "en")
    commands = sorted(set(re.findall(r"^/(\w+) –|; /(\w+) –", out, re.M)))
    names = {name for pair in commands for name in pair if name}
    assert {"assess", "privacy", "delete", "workshop", "remind"} <= names
    replies = chat(tmp_path, [f"/{name}" for name in sorted(names)], "--lang", "en")
    assert "I don't know that command" not in replies


# --- the first five minutes ---------------------------------------------------------------------


def numbered(out: str) -> dict[str, int]:
    """The last screen's numbered choices, label → number."""
    screen = out.rsplit("\n\n", 1)[-1]
    return {m.group(2): int(m.group(1)) for m in re.finditer(r"^  (\d+)\) (.+)$", screen, re.M)}


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("en", "/quit – end the chat (your answers are kept)"),
        ("sv", "/quit – avsluta chatten (dina svar finns kvar)"),
    ],
)
def test_help_in_the_terminal_names_quit(tmp_path, lang, line):
    out = chat(tmp_path, ["/help"], "--lang", lang)
    assert line in out


@pytest.mark.parametrize(
    ("lang", "bye", "saved"),
    [
        ("en", "Goodbye!", "Your answers are saved"),
        ("sv", "Hej då!", "Dina svar är sparade"),
    ],
)
def test_goodbye_says_answers_are_saved_only_when_there_are_some(tmp_path, lang, bye, saved):
    nothing = chat(tmp_path, [], "--lang", lang)
    assert nothing.rstrip().endswith(bye) and saved not in nothing
    answered = chat(tmp_path, ["1", "1", "1"], "--lang", lang)
    assert saved in answered.rstrip().splitlines()[-1]


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_step_sections_keep_their_numbers_and_the_list_numbers_once(tmp_path, lang):
    content = load_content()
    out = chat(tmp_path, ["/steps"], "--lang", lang)
    first = content.step(1).title.get(lang)
    assert f"  1) {first}" in out and f"1) 1. {first}" not in out
    overview = chat(tmp_path, ["/steps", "1"], "--lang", lang)
    screens = [numbered(overview)]
    for section in (3, 4, 2):  # tools, examples, benefits: pressed by their numbers
        out = chat(tmp_path, ["/steps", "1", str(section)], "--lang", lang)
        screens.append(numbered(out))
    strip = [{label.removeprefix("▸ "): n for label, n in s.items()} for s in screens]
    assert all(s == strip[0] for s in strip), strip  # every section in the same place
    # five sections, the step's templates to download, next step, all steps
    assert len(strip[0]) == 7 + len(content.templates_of(1))


@pytest.mark.parametrize(
    ("lang", "shown"), [("en", "Your answer was: Partly"), ("sv", "Ditt tidigare svar: Delvis")]
)
def test_back_shows_the_answer_given_before(tmp_path, lang, shown):
    content = load_content()
    # start, quick check, answer "Partly" (2), then Back (5)
    out = chat(tmp_path, ["1", "1", "2", "5"], "--lang", lang)
    last = out.rsplit(content.step(1).key_question.text.get(lang), 1)[-1]
    assert shown in last


@pytest.mark.parametrize(
    ("lang", "workshop", "help_"), [("en", "Workshops", "Help"), ("sv", "Workshoppar", "Hjälp")]
)
def test_main_menu_leads_to_workshops_and_help(tmp_path, lang, workshop, help_):
    out = chat(tmp_path, [], "--lang", lang)
    menu = numbered(out)
    assert workshop in menu and help_ in menu
    out = chat(tmp_path, [str(menu[workshop])], "--lang", lang)
    assert "/workshop join" in out
    out = chat(tmp_path, [str(menu[help_])], "--lang", lang)
    assert "/assess" in out and "/quit" in out


@pytest.mark.parametrize(
    ("lang", "skip", "pdf", "position"),
    [
        ("en", "No name", "action-plan", "You are at step 1 of 10"),
        ("sv", "Inget namn", "handlingsplan", "Ni är på steg 1 av 10"),
    ],
)
def test_plan_in_the_terminal_writes_a_pdf_and_a_markdown_file(tmp_path, lang, skip, pdf, position):
    from pypdf import PdfReader

    answers = ["3", "2", "1", "1", "3", "2", "1", "4", "1", "1"]
    out = chat(tmp_path, ["1", "1", *answers, "/plan", "1"], "--lang", lang)
    assert skip in out
    paths = re.findall(r"(?:Saved to|Sparad i) (\S+\.(?:pdf|md))", out)
    assert [Path(p).suffix for p in paths] == [".pdf", ".md"]
    assert all(Path(p).name.startswith(f"local-{pdf}-") for p in paths)
    reader = PdfReader(paths[0])
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert position in text
    markdown = Path(paths[1]).read_text(encoding="utf-8")
    assert position in markdown and markdown.count("\n|") >= 10  # the readiness table


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
