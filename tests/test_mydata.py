"""/mydata and /delete for a user who did everything, on both databases: the copy holds every
kind of data with the right values and nothing of anyone else's; the erasure leaves no trace of
the user's id in any table, hands their workshops on and locks them out of them."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from bot.events import EventRunner
from bot.render import render
from bot.storage import Storage
from bot.storage.privacy import categories
from bot.storage.regional import RegionalStore
from bot.storage.reminders import ReminderStore
from bot.storage.schema import metadata
from bot.storage.teams import TeamStore
from bot.storage.web_chat import WebChatStore
from bot.storage.workshops import WorkshopStore
from flows.messages import Attachment, DataCopy, Event, Reply
from flows.mydata import FIELDS
from flows.router import Router
from flows.workshop.answers import ParticipantAnswers
from tests.helpers import quick_check

USER, CO, OTHER, COLLEAGUE = "tg:1001", "tg:1002", "tg:1003", "tg:1004"
CHAT = 1001


@pytest.fixture
async def storage(database):
    storage = Storage.create(database.url)
    await storage.prepare()
    yield storage
    await storage.close()


async def _everything(storage: Storage, runner: EventRunner, content) -> dict[str, Any]:
    """The user: two quick checks, a plan with a cluster name, an owner, a due month, one done;
    a workshop they run with a co-facilitator, an answer in someone else's workshop, a wrong
    code; a team they own with a colleague; regional consent; a reminder. Others alongside."""
    await runner.handle(USER, Event("command", "start"), lang="sv")
    await quick_check(runner, USER, "no")
    # the second: step 1 in place, the rest partly, so steps 2 and 3 have next actions
    await runner.handle(USER, Event("command", "assess"))
    await runner.handle(USER, Event("choice", "mode:quick"))
    for answer in ["yes"] + ["partly"] * 9:
        await runner.handle(USER, Event("choice", f"ans:{answer}"))
    await quick_check(runner, OTHER, "yes")
    q2 = content.step(2).key_question.id
    q3 = content.step(3).key_question.id
    for event in (
        Event("command", "plan"),
        Event("choice", "plan:name"),
        Event("text", "Jämtskog | Åre"),
        Event("choice", "own:list"),
        Event("choice", f"own:pick:{q2}"),
        Event("choice", f"own:owner:{q2}"),
        Event("text", "Åsa Öberg"),
        Event("choice", f"own:due:{q2}:2027-03"),
        Event("choice", f"own:done:{q3}"),
    ):
        await runner.handle(USER, event)
    workshops = WorkshopStore(storage)
    mine = await workshops.create(USER, "Annas egen workshop Jämtskog", 10.0)
    await workshops.add_facilitator(mine.id, CO)
    await workshops.set_results_message(mine.id, CHAT, 7, "sv", 1)
    alone = await workshops.create(USER, "Annas andra workshop", 11.0)
    theirs = await workshops.create(OTHER, "Regionens workshop", 12.0)
    answer = ParticipantAnswers(3, ("Vi saknar tid",), ("funding",), (), "Almi", "sv")
    await workshops.save_answer(theirs.id, USER, answer, 13.0)
    other_answer = ParticipantAnswers(5, ("Någon annans ord",), (), (), "Regionen", "sv")
    await workshops.save_answer(mine.id, OTHER, other_answer, 14.0)
    await workshops.record_wrong_code(USER, 15.0)
    await workshops.record_wrong_code(OTHER, 15.0)
    teams = TeamStore(storage)
    team = await teams.create(USER, "Jämtskog", 16.0)
    await teams.join(team.id, COLLEAGUE, 17.0)
    chat = WebChatStore(storage)  # and the browser chat
    await chat.add(USER, [({"who": "user", "text": "Hej"}, None)], 18.0)
    await chat.renew(USER, 18.0)
    await RegionalStore(storage).give(USER, "SE-Z", "forest", 18.0)
    await RegionalStore(storage).give(OTHER, "SE-O", "digital", 18.0)
    await ReminderStore(storage).schedule(USER, CHAT, 14, 1_900_000_000.0, "Europe/Stockholm")
    return {"mine": mine, "alone": alone, "theirs": theirs, "team": team, "q2": q2, "q3": q3}


def _files(replies: list[Reply]) -> dict[str, Attachment]:
    return {r.attachment.filename: r.attachment for r in replies if r.attachment is not None}


async def _ids_in_every_table(storage: Storage, *needles: str) -> list[tuple[str, str, str]]:
    """Every text or number cell of every table that holds one of `needles`."""
    found = []
    async with storage.transaction() as conn:
        for table in metadata.sorted_tables:
            for row in (await conn.execute(sa.select(table))).all():
                for column, value in row._mapping.items():
                    cell = str(value)
                    if any(needle in cell for needle in needles):
                        found.append((table.name, column, cell[:60]))
    return found


async def test_mydata_holds_everything_of_the_user_and_nothing_else(storage, content):
    runner = EventRunner(Router(content), storage)
    made = await _everything(storage, runner, content)
    replies = (await runner.handle(USER, Event("command", "mydata"), lang="sv")).replies
    files = _files(replies)
    assert sorted(name.rsplit(".", 1)[1] for name in files) == ["json", "md"]
    assert "JSON" in replies[0].text
    copy = next(iter(files.values())).content
    assert isinstance(copy, DataCopy)
    document = json.loads(render(next(a for n, a in files.items() if n.endswith(".json"))))
    data = document["data"]
    print(json.dumps(document, ensure_ascii=False, indent=1))

    assert document["format"] == "cluster-journey/mydata" and document["user_id"] == USER
    assert set(data) == set(categories())
    assert all(rows for tables in data.values() for rows in tables.values())  # every table
    assessments = data["assessments"]["assessments"]
    assert len(assessments) == 2
    assert {a["answers"][next(iter(a["answers"]))][0] for a in assessments} == {"no", "yes"}
    assert assessments[0]["completed"].endswith("Z")  # ISO 8601, UTC
    [profile] = data["profile"]["users"]
    plan = profile["state"]["plan"]
    assert plan["cluster"] == "Jämtskog | Åre"
    assert plan["owners"] == {made["q2"]: "Åsa Öberg"} and plan["due"] == {made["q2"]: "2027-03"}
    assert plan["done"] == [made["q3"]]
    [answer] = data["workshop_answers"]["workshop_answers"]
    assert answer["challenges"] == ["Vi saknar tid"] and answer["support_from"] == "Almi"
    assert answer["workshop_title"] == "Regionens workshop"
    assert {w["title"] for w in data["workshops_run"]["workshops"]} == {
        "Annas egen workshop Jämtskog",
        "Annas andra workshop",
    }
    assert data["regional_consent"]["regional_consents"][0]["region"] == "SE-Z"
    assert data["teams"]["teams"][0]["cluster"] == "Jämtskog"
    assert data["reminders"]["reminders"][0]["interval_days"] == 14
    assert len(data["join_attempts"]["join_attempts"]) == 1
    text = json.dumps(document, ensure_ascii=False)
    for other in (CO, OTHER, COLLEAGUE, "Någon annans ord", "SE-O", 'Regionen"'):
        assert other not in text

    markdown = render(next(a for n, a in files.items() if n.endswith(".md"))).decode()
    print(markdown)
    assert markdown.startswith("# Dina uppgifter i Klusterresan")
    for words in (
        "## Dina självskattningar",
        "Jämtskog \\| Åre",  # typed text, escaped
        "Åsa Öberg",
        "mars 2027",
        "Vi saknar tid",
        "Jämtlands län",
        "Skog och trä",
        "Annas egen workshop Jämtskog",
    ):
        assert words in markdown, words
    assert "tg:1002" not in markdown and "Någon annans ord" not in markdown
    assert "{" not in markdown  # no raw JSON for a reader


async def test_delete_leaves_no_trace_and_hands_the_workshops_on(storage, content):
    runner = EventRunner(Router(content), storage)
    made = await _everything(storage, runner, content)
    confirm = (await runner.handle(USER, Event("command", "delete"), lang="sv")).replies[0]
    assert "workshop" in confirm.text and "utan koppling till dig" in confirm.text
    done = (await runner.handle(USER, Event("choice", "privacy:confirm"), lang="sv")).replies
    assert "Annas" not in done[-1].text and "2 workshoppar" in done[-1].text

    assert await _ids_in_every_table(storage, USER, str(CHAT)) == []
    workshops = WorkshopStore(storage)
    mine = await workshops.get(made["mine"].id)
    alone = await workshops.get(made["alone"].id)
    assert mine is not None and mine.owner == CO and not mine.closed  # handed on
    assert alone is not None and alone.owner.startswith("gone:") and alone.closed
    assert await workshops.is_facilitator(mine.id, CO)
    assert [a.step for a in await workshops.answers(made["theirs"].id)] == [3]  # stays, coded
    # the co-facilitator keeps access; the same account, back again, cannot open them
    co = await runner.handle(CO, Event("choice", f"wsf:open:{mine.id}"), lang="sv")
    assert any("Annas egen workshop" in r.text for r in co.replies)
    for workshop in (mine, alone):
        back = await runner.handle(USER, Event("choice", f"wsf:open:{workshop.id}"), lang="sv")
        assert not any("Annas" in r.text for r in back.replies)
        assert not any(c.id.startswith("wsf:") for r in back.replies for c in r.choices)
    listed = await runner.handle(USER, Event("command", "workshop"), lang="sv")
    assert not any("Annas" in r.text for r in listed.replies)


def test_every_column_of_the_registry_has_a_label_and_a_line_in_the_docs():
    from pathlib import Path

    from bot.storage.privacy import REGISTRY

    docs = (Path(__file__).parent.parent / "docs" / "MYDATA.md").read_text()
    for holding in REGISTRY:
        for column in holding.table.columns:
            key = f"{holding.table.name}.{column.name}"
            assert key in FIELDS, f"{key}: no label in flows/mydata.py FIELDS"
            assert f"`{column.name}`" in docs, f"{key}: not described in docs/MYDATA.md"


async def test_retention_erases_an_inactive_user_after_a_notice_and_keeps_an_active_one(
    storage, content
):
    from bot.retention import DAY, MONTH, Retention
    from bot.storage.schema import users

    runner = EventRunner(Router(content), storage)
    await runner.handle("tg:7", Event("command", "start"), lang="sv")
    await quick_check(runner, "tg:7", "no")
    await quick_check(runner, "tg:8", "yes")
    await quick_check(runner, "cli:anna", "yes")
    now = 2_000_000_000.0
    async with storage.transaction() as conn:  # tg:7 and cli:anna idle for 24 months less 3 days
        await conn.execute(
            users.update()
            .where(users.c.id.in_(["tg:7", "cli:anna"]))
            .values(updated=now - 24 * MONTH + 3 * DAY)
        )
        await conn.execute(users.update().where(users.c.id == "tg:8").values(updated=now - DAY))
    sent: list[tuple[str, str]] = []

    async def notify(user, reply):
        if not user.user_id.startswith("tg:"):
            return False
        sent.append((user.user_id, reply.text))
        return True

    clock = [now]
    retention = Retention(storage, 24, notify, clock=lambda: clock[0])
    first = await retention.tick()
    assert (first.noticed, first.delivered, first.erased) == (2, 1, 0)
    [(who, text)] = sent
    assert who == "tg:7" and "24 månader" in text and "/mydata" in text
    assert (await retention.tick()).noticed == 0  # once per pause
    clock[0] = now + 8 * DAY
    assert (await retention.tick()).erased == 2
    assert await _ids_in_every_table(storage, "tg:7", "cli:anna") == []
    assert (await runner.record("tg:8")).exists  # active: kept


async def test_activity_after_the_notice_keeps_the_user(storage, content):
    from bot.retention import DAY, MONTH, Retention
    from bot.storage.schema import users

    runner = EventRunner(Router(content), storage)
    await quick_check(runner, "tg:9", "no")
    now = 2_000_000_000.0
    async with storage.transaction() as conn:
        await conn.execute(users.update().values(updated=now - 24 * MONTH + DAY))
    retention = Retention(storage, 24, clock=lambda: now)
    assert (await retention.tick()).noticed == 1
    async with storage.transaction() as conn:  # they came back the day after the notice
        await conn.execute(users.update().values(updated=now + DAY))
    later = Retention(storage, 24, clock=lambda: now + 30 * DAY)
    assert (await later.tick()).erased == 0
    assert (await runner.record("tg:9")).exists
    assert (await Retention(storage, 0, clock=lambda: now + 9999 * DAY).tick()).erased == 0
