"""The personal-data registry: every table that holds a user's id is in it, `/delete` erases by
it, a copy of a user's data comes from it, and `/privacy` describes every kind it holds."""

from __future__ import annotations

import pytest

from bot.events import EventRunner
from bot.storage import Storage
from bot.storage.privacy import REGISTRY, PrivacyStore, categories
from bot.storage.regional import RegionalStore
from bot.storage.reminders import ReminderStore
from bot.storage.schema import metadata, users
from bot.storage.teams import TeamStore
from bot.storage.web_chat import WebChatStore
from bot.storage.workshops import WorkshopStore
from flows.i18n import _, use_language
from flows.messages import Event
from flows.privacy import INVENTORY
from flows.router import Router
from flows.workshop.answers import ParticipantAnswers
from tests.helpers import Driver, Engine

# Columns that hold a user's id (or their Telegram chat, which is the same person) by name;
# a foreign key to users.id counts too.
USER_COLUMNS = {"user_id", "owner", "participant", "chat_id", "results_chat"}


def _user_columns() -> set[tuple[str, str]]:
    found = {(users.name, "id")}
    for table in metadata.tables.values():
        for column in table.columns:
            refers = any(fk.target_fullname == "users.id" for fk in column.foreign_keys)
            if column.name in USER_COLUMNS or refers:
                found.add((table.name, column.name))
    return found


def test_every_table_with_a_user_column_is_in_the_registry():
    registered = {(h.table.name, c) for h in REGISTRY for c in h.user_columns}
    missing = _user_columns() - registered
    assert not missing, f"personal data outside the registry (bot/storage/privacy.py): {missing}"


def test_every_kind_of_data_is_described_for_the_user_and_nothing_else():
    assert set(categories()) == set(INVENTORY)


@pytest.mark.parametrize("holding", REGISTRY, ids=lambda h: f"{h.table.name}:{h.category}")
def test_every_holding_has_a_sentence_in_both_languages(holding):
    """A holding without a sentence in /privacy (in Swedish too) fails here."""
    lines = INVENTORY.get(holding.category, ())
    assert lines, f"{holding.table.name}: no sentence for {holding.category!r} in INVENTORY"
    with use_language("sv"):
        assert all(_(line) != line for line in lines)


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_privacy_no_longer_denies_that_typed_text_is_stored(content, lang):
    text = Driver(Engine(Router(content)), lang).command("privacy")[-1].text
    assert "text of your messages" not in text and "texten i dina meddelanden" not in text
    for typed in {
        "en": ("owners of actions", "title you typed", "cluster's name you typed"),
        "sv": ("ansvariga för åtgärder", "namnet du skrev", "klustrets namn som du skrev"),
    }[lang]:
        assert typed in text
    assert ("24 months" if lang == "en" else "24 månader") in text  # the retention, stated


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_privacy_lists_every_kind_the_registry_holds(content, lang):
    text = Driver(Engine(Router(content)), lang).command("privacy")[-1].text
    with use_language(lang):
        for kind in categories():
            for line in INVENTORY[kind]:
                assert _(line) in text


@pytest.fixture
async def storage(database):
    storage = Storage.create(database.url)
    await storage.prepare()
    yield storage
    await storage.close()


async def _everything_of(storage: Storage, content, user: str) -> None:
    """The user in every table: an assessment, a reminder, a workshop they run and one they
    answered, a wrong join code, a consent, a team they own with a colleague in it."""
    runner = EventRunner(Router(content), storage)
    await runner.handle(user, Event("command", "assess"))
    await runner.handle(user, Event("choice", "mode:quick"))
    for _question in range(10):
        await runner.handle(user, Event("choice", "ans:partly"))
    await ReminderStore(storage).schedule(user, 42, 7, 1_800_000_000.0, "Europe/Stockholm")
    workshops = WorkshopStore(storage)
    mine = await workshops.create(user, "Annas workshop", 1.0)
    await workshops.set_results_message(mine.id, 42, 7, "sv", 1)
    theirs = await workshops.create("tg:other", "Regionens workshop", 1.0)
    answer = ParticipantAnswers(3, ("Vi saknar tid",), ("funding",), (), "Almi", "sv")
    await workshops.save_answer(theirs.id, user, answer, 2.0)
    await workshops.record_wrong_code(user, 3.0)
    await RegionalStore(storage).give(user, "SE-O", "ict", 4.0)
    teams = TeamStore(storage)
    team = await teams.create(user, "Jämtskog", 5.0)
    await teams.join(team.id, "tg:colleague", 6.0)
    chat = WebChatStore(storage)  # as if they had used the browser chat too
    await chat.add(user, [({"who": "user", "text": "Hej"}, None)], 7.0)
    await chat.renew(user, 7.0)


async def test_erasure_and_export_follow_the_registry(storage, content):
    await _everything_of(storage, content, "tg:1")
    privacy = PrivacyStore(storage)
    held = await privacy.export("tg:1")
    assert {kind for kind, tables in held.items() if any(tables.values())} == set(categories())
    assert held["workshop_answers"]["workshop_answers"][0]["challenges"] == ["Vi saknar tid"]

    counts = await privacy.erase("tg:1")
    assert counts["profile"] == 1 and counts["assessments"] == 1 and counts["reminders"] == 1
    assert counts["workshop_answers"] == 1 and counts["join_attempts"] == 1
    left = await privacy.export("tg:1")
    # nothing is linked to them any more: their workshop passed to no one's name
    assert {kind for kind, tables in left.items() if any(tables.values())} == set()
    team = (await TeamStore(storage).of_member("tg:colleague"))[0]
    assert team.owner == "tg:colleague"  # the team passed to the colleague
    kept = await WorkshopStore(storage).answers(
        (await WorkshopStore(storage).of_facilitator("tg:other"))[0].id
    )
    assert kept[0].challenges == () and kept[0].support_kinds == ("funding",)
