"""What the privacy text says a user's data is, and what /delete takes with it: the words a
participant typed in a workshop go, their coded choices stay in the totals."""

from __future__ import annotations

import pytest

from bot.storage import Storage
from bot.storage.privacy import PrivacyStore
from bot.storage.workshops import WorkshopStore
from flows.i18n import use_language
from flows.router import Router
from flows.workshop.answers import ParticipantAnswers
from flows.workshop.export import export_table
from tests.helpers import Driver, Engine


@pytest.fixture(scope="module")
def engine(content):
    return Engine(Router(content))


@pytest.mark.parametrize(("lang", "words"), [("en", "words you typed"), ("sv", "skrev själv")])
def test_privacy_says_workshop_free_text_is_stored(engine, lang, words):
    text = Driver(engine, lang).command("privacy")[-1].text
    assert words in text
    assert "text of your messages" not in text or "Apart from the workshop answers" in text


async def test_delete_erases_own_workshop_words_but_keeps_choices(tmp_path, content):
    storage = await Storage.open(f"sqlite:///{tmp_path / 'db.sqlite'}")
    try:
        ws = await WorkshopStore(storage).create("tg:1", "Skåne", 1.0)
        mine = ParticipantAnswers(3, ("Vi saknar tid",), ("funding",), ("vinnova",), "Almi", "sv")
        other = ParticipantAnswers(5, ("Brist på partner",), (), (), "Regionen", "sv")
        await WorkshopStore(storage).save_answer(ws.id, "tg:2", mine, 2.0)
        await WorkshopStore(storage).save_answer(ws.id, "tg:3", other, 2.0)
        counts = await PrivacyStore(storage).erase("tg:2")
        assert counts["workshop_answers"] == 1
        kept = await WorkshopStore(storage).answers(ws.id)
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
