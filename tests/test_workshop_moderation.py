"""Moderation through the router, as a facilitator and participants would meet it (no Telegram):
an insult is held back and let through, a hidden answer leaves the results, the word list and
the projector page and comes back on undo, the CSV marks it, the filter is switched per
workshop, forged and stale buttons change nothing, "Refresh" with nothing new edits nothing,
and the results are hidden from the wall until the facilitator shows them. In sv and en."""

from __future__ import annotations

import pytest

from bot.render.tables import csv_bytes
from flows.i18n import use_language
from flows.router import Router
from flows.workshop.moderation import Moderation, flagged
from flows.workshop.projector import projector_view
from flows.workshop.results import aggregate
from tests.helpers import Engine
from tests.workshop_driver import Person, create_workshop

INSULT = {"sv": "Styrelsen är ett gäng jävla pucko", "en": "The board are fucking idiots"}
PLAIN = {"sv": "Svårt att hitta partner i Tyskland", "en": "Finding partners in Germany"}
HELD = {"sv": "stoppad", "en": "held back"}
LET_THROUGH = {"sv": "Släpp igenom 1", "en": "Let 1 through"}
HIDE = {"sv": "Dölj {n}", "en": "Hide {n}"}
SHOW = {"sv": "Visa {n}", "en": "Show {n}"}
MARK = {"sv": "[dold]", "en": "[hidden]"}


@pytest.fixture
def engine(content):
    return Engine(Router(content))


def answer(person: Person, code: str, step: int, challenge: str, support_from: str = "") -> None:
    person.command("workshop", f"join {code}")
    person.choose(f"ws:step:{step}")
    person.text(challenge)
    person.choose("ws:next")  # done with challenges
    person.choose("ws:next")  # no kinds
    person.choose("ws:next")  # no sources
    if support_from:
        person.text(support_from)


def results(fac: Person, workshop: str) -> str:
    return fac.choose(f"wsf:open:{workshop}")[-1].text


def button(replies, label: str) -> str:
    return next(c.id for r in replies for c in r.choices if c.label == label)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_an_insult_is_held_back_until_the_facilitator_lets_it_through(engine, lang):
    fac = Person(engine, lang, "cli:fac")
    workshop, code = create_workshop(fac, "Skåne")
    answer(Person(engine, lang, "cli:p1"), code, 3, INSULT[lang])
    answer(Person(engine, lang, "cli:p2"), code, 3, PLAIN[lang])
    text = results(fac, workshop)
    assert INSULT[lang] not in text and PLAIN[lang] in text
    assert ("Stoppade av filtret: 1" if lang == "sv" else "Held back by the filter: 1") in text
    # the insult's words are not in the word list either
    assert "pucko" not in text and "idiots" not in text
    listed = fac.choose(f"wsf:mod:{workshop}")
    assert f"1. [{HELD[lang]}] {INSULT[lang]}" in listed[-1].text  # held back ones first
    after = fac.choose(button(listed, LET_THROUGH[lang]))
    assert f"[{HELD[lang]}]" not in after[-1].text
    assert INSULT[lang] in results(fac, workshop)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_a_hidden_answer_leaves_the_results_words_and_wall_and_comes_back(engine, content, lang):
    fac = Person(engine, lang, "cli:fac")
    workshop, code = create_workshop(fac, "Skåne")
    answer(Person(engine, lang, "cli:p1"), code, 2, "Matchmaking matchmaking budget", "Vinnova")
    answer(Person(engine, lang, "cli:p2"), code, 3, "Matchmaking events abroad", "Almi")
    listed = fac.choose(f"wsf:mod:{workshop}")
    # newest first: 1 = p2's "from whom", 2 = p2's challenge, 3 = p1's "from whom", …
    lines = listed[-1].text.splitlines()
    assert any(line.endswith("Matchmaking events abroad") for line in lines)
    number = next(
        line.split(".")[0] for line in lines if line.endswith("Matchmaking events abroad")
    )
    hidden = fac.choose(button(listed, HIDE[lang].format(n=number)))
    assert f"{number}. [{MARK[lang][1:-1]}] Matchmaking events abroad" in hidden[-1].text
    text = results(fac, workshop)
    assert "Matchmaking events abroad" not in text and "abroad" not in text
    # the word list counts only what is shown: "matchmaking" once now, not twice
    store = engine.stores.workshops
    answers = engine._run(store.answers(int(workshop)))
    info = engine._run(store.get(int(workshop)))
    moderation = Moderation(info.filter_on, engine._run(store.decisions(int(workshop))))
    totals = aggregate(content, answers, moderation)
    assert dict(totals.top_words)["matchmaking"] == 1 and "abroad" not in dict(totals.top_words)
    with use_language(lang):
        wall = projector_view(content, "Skåne", code, False, answers, moderation)
    assert all("abroad" not in item for g in wall.challenges for item in g.items)
    assert "abroad" not in {w.text for w in wall.words}
    # the CSV keeps the text for the facilitator, marked
    csv = fac.choose(f"wsf:csv:{workshop}")[-1].attachment.content
    written = csv_bytes(csv).decode("utf-8-sig")
    assert f"{MARK[lang]} Matchmaking events abroad" in written
    assert f"{MARK[lang]} Matchmaking matchmaking budget" not in written
    # undo: back everywhere
    shown = fac.choose(button(hidden, SHOW[lang].format(n=number)))
    assert f"[{MARK[lang][1:-1]}]" not in shown[-1].text
    assert "Matchmaking events abroad" in results(fac, workshop)


def test_the_filter_is_switched_per_workshop(engine):
    fac = Person(engine, "en", "cli:fac")
    first, code = create_workshop(fac, "First")
    second, other = create_workshop(fac, "Second")
    answer(Person(engine, "en", "cli:p1"), code, 3, INSULT["en"])
    answer(Person(engine, "en", "cli:p2"), other, 3, INSULT["en"])
    fac.choose(f"wsf:mod:{first}")
    off = fac.choose(f"wsf:filteroff:{first}")
    assert "Profanity filter: off" in off[-1].text
    assert INSULT["en"] in results(fac, first)
    assert INSULT["en"] not in results(fac, second)  # the other workshop keeps its filter
    fac.choose(f"wsf:filteron:{first}")
    assert INSULT["en"] not in results(fac, first)


def test_forged_and_stale_moderation_buttons_change_nothing(engine):
    fac = Person(engine, "en", "cli:fac")
    workshop, code = create_workshop(fac, "Skåne")
    other_workshop, other_code = create_workshop(fac, "Umeå")
    answer(Person(engine, "en", "cli:p1"), code, 3, PLAIN["en"])
    answer(Person(engine, "en", "cli:p2"), other_code, 3, "Someone else's words")
    hide = button(fac.choose(f"wsf:mod:{workshop}"), HIDE["en"].format(n=1))
    # a participant who forges the facilitator's button
    mallory = Person(engine, "en", "cli:mallory")
    assert "Only the workshop's facilitators" in mallory.choose(hide)[-1].text
    # the right workshop with another workshop's answer, or a text that is not there
    _action, _ws, _workshop_id, answer_key, ref = hide.split(":")
    other_key = engine._run(engine.stores.workshops.answers(int(other_workshop)))[0].key
    for forged in (
        f"wsf:hide:{workshop}:{other_key}:{ref}",
        f"wsf:hide:{workshop}:{answer_key}:c00000000",
        f"wsf:hide:{workshop}:x:{ref}",
    ):
        replies = fac.choose(forged)
        assert replies[0].text == "That answer has changed or is gone." and replies[0].brief
    assert engine._run(engine.stores.workshops.decisions(int(workshop))) == {}
    assert engine._run(engine.stores.workshops.decisions(int(other_workshop))) == {}
    assert PLAIN["en"] in results(fac, workshop)
    # a co-facilitator may hide
    info = engine._run(engine.stores.workshops.get(int(workshop)))
    co = Person(engine, "en", "cli:co")
    co.command("start", f"wf_{info.invite}")
    co.choose(hide)
    assert PLAIN["en"] not in results(fac, workshop)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_refresh_with_nothing_new_edits_nothing(engine, lang):
    fac = Person(engine, lang, "cli:fac")
    workshop, code = create_workshop(fac, "Skåne")
    shown = fac.choose(f"wsf:open:{workshop}")[-1]
    refresh = button([shown], "Uppdatera" if lang == "sv" else "Refresh")
    replies = fac.choose(refresh)
    assert [(r.text, r.brief) for r in replies] == [
        ("Inga nya svar" if lang == "sv" else "No new answers", True)
    ]
    answer(Person(engine, lang, "cli:p1"), code, 3, PLAIN[lang])
    replies = fac.choose(refresh)  # the same button, now behind
    assert not replies[-1].brief and PLAIN[lang] in replies[-1].text


def test_results_hidden_from_the_wall_until_shown(engine, content):
    fac = Person(engine, "sv", "cli:fac")
    workshop, code = create_workshop(fac, "Skåne")
    answer(Person(engine, "sv", "cli:p1"), code, 3, PLAIN["sv"])
    shown = fac.choose(f"wsf:open:{workshop}")[-1]
    hidden = fac.choose(button([shown], "Dölj resultaten"))
    assert hidden[0].text.startswith("Projektorsidan döljer resultaten")
    info = engine._run(engine.stores.workshops.get(int(workshop)))
    assert not info.revealed
    answers = engine._run(engine.stores.workshops.answers(int(workshop)))
    with use_language("sv"):
        wall = projector_view(content, "Skåne", code, False, answers, revealed=info.revealed)
    assert not wall.revealed and wall.participants == 1
    again = fac.choose(button(hidden, "Visa resultaten"))
    assert again[0].text == "Projektorsidan visar resultaten."
    assert engine._run(engine.stores.workshops.get(int(workshop))).revealed


def test_the_word_list_on_its_own():
    assert flagged(INSULT["sv"]) and flagged(INSULT["en"]) and flagged("sh1t happens")
    for ordinary in (
        "Hård konkurrens om partnerna",
        "Vi behöver jämförelse med andra kluster",
        "Att sätta på agendan hos styrelsen",
        "Hard to find a fan of the idea",
        "Sex månader till nästa utlysning",
        PLAIN["sv"],
        PLAIN["en"],
    ):
        assert not flagged(ordinary), ordinary


def test_each_text_is_judged_once_however_often_a_large_room_is_redrawn(content, monkeypatch):
    """A 500-person room redraws its results and wall from all texts at every change; the
    filter (about 4 µs a character) reads each text once, stored and shown forms alike."""
    from flows.workshop import moderation
    from flows.workshop.answers import ParticipantAnswers

    judged: list[str] = []
    real = moderation._filter()

    class Counting:
        def is_profane(self, text: str) -> bool:
            judged.append(text)
            return bool(real.is_profane(text))

    monkeypatch.setattr(moderation, "_filter", Counting)
    monkeypatch.setattr(moderation, "_verdicts", moderation.OrderedDict())
    room = [
        ParticipantAnswers(
            step=i % 10 + 1,
            challenges=(f"Utmaning {i}: hitta partner utomlands ", f" Finansiering nr {i}"),
            support_kinds=("funding",),
            support_sources=("vinnova",),
            support_from=f"Regionen, kontakt {i} ",
            lang="sv",
        )
        for i in range(500)
    ]
    for _ in range(3):
        results = aggregate(content, room)
    assert len(judged) == 1500  # three texts a person, each once
    assert results.participants == 500
