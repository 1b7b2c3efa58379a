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


# --- the privacy text is true about every text a user can type ------------------------------

# Every text column of the personal-data registry, with what the privacy text must say about it
# in each language. Coded columns (ids, codes, languages, JSON of answer ids) are listed as such;
# a new text column fails the test until the text says what it holds.
CODED = {
    "users.id",
    "users.lang",
    "users.timezone",
    "assessments.user_id",
    "assessments.mode",
    "assessments.answers",
    "assessments.percents",
    "reminders.user_id",
    "reminders.state",
    "reminders.last_error",
    "workshop_answers.participant",
    "workshop_answers.lang",
    "workshop_answers.kinds",
    "workshop_answers.sources",
    "join_attempts.user_id",
    "workshops.code",
    "workshops.invite",
    "workshops.owner",
    "workshops.results_lang",
    "workshop_facilitators.user_id",
    "team_members.user_id",
    "teams.invite",
    "teams.owner",
    "regional_consents.user_id",
    "regional_consents.region",
    "regional_clusters.user_id",  # the consenting cluster's latest assessment, coded
    "regional_clusters.region",
    "regional_clusters.field",
    "regional_clusters.answers",
    "regional_clusters.percents",
    "regional_consents.field",
    "web_messages.user_id",
    "web_messages.attachment",
    "web_identities.user_id",
}
FREE_TEXT = {  # column → (English, Swedish) the privacy text says
    "users.state": (
        (
            "the cluster's name you typed",
            "Anna Berg / the board",
            "a workshop answer you have begun",
        ),
        (
            "klustrets namn som du skrev",
            "Anna Berg / styrelsen",
            "börjat skriva i ett workshopsvar",
        ),
    ),
    "workshops.title": (("the title you typed",), ("namnet du skrev",)),
    "workshop_answers.challenges": (("the words you typed yourself",), ("det du skrev själv",)),
    "workshop_answers.support_from": (
        ("from whom you want support",),
        ("från vem ni vill ha stöd",),
    ),
    "teams.cluster": (("with the cluster's name you typed",), ("med klustrets namn som du skrev",)),
    "web_messages.body": (("with everything you typed",), ("med allt du har skrivit",)),
}


def test_every_text_column_a_user_fills_is_named(engine):
    import sqlalchemy as sa

    from bot.storage.privacy import REGISTRY

    texts = {
        f"{h.table.name}.{c.name}"
        for h in REGISTRY
        for c in h.table.columns
        if isinstance(c.type, (sa.String, sa.Text))
    }
    assert texts - CODED == set(FREE_TEXT), texts - CODED ^ set(FREE_TEXT)
    for index, lang in enumerate(("en", "sv")):
        text = Driver(engine, lang).command("privacy")[-1].text
        for column, says in FREE_TEXT.items():
            for words in says[index]:
                assert words in text, (lang, column, words)
        assert "knapparna" not in text and "buttons" not in text


def test_privacy_no_longer_claims_typed_text_is_not_kept(engine):
    text = Driver(engine, "sv").command("privacy")[-1].text
    assert "inte texten i dina meddelanden" not in text
    assert "klustrets namn (för planen och ett team), ansvariga för åtgärder" in text
