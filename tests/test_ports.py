"""The ports' contract: the same scenarios against the memory ports (`tests/memory_ports.py`)
and the database's (`bot/storage/`, on SQLite and, with TEST_POSTGRES_URL, PostgreSQL),
asserting what a flow would notice. This is what keeps the flow tests' memory honest."""

from __future__ import annotations

import inspect
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pytest

from bot.storage import Storage
from bot.storage.privacy import categories
from bot.storage.stores import stores_for
from flows import ports
from flows.events import AssessmentCompleted as Completed
from flows.journey.port import Journey
from flows.ports import Stores
from flows.regional.port import ConsentInfo, Regional
from flows.reminders.port import ReminderInfo, Reminders
from flows.reminders.timing import next_send_time, zone
from flows.router import Router
from flows.team.port import TeamMember, Teams
from flows.workshop.answers import ParticipantAnswers
from flows.workshop.port import Workshops
from tests.databases import BACKENDS, open_database
from tests.helpers import Driver, Engine
from tests.memory_ports import Memory, memory_stores

STOCKHOLM = "Europe/Stockholm"
NOW = 1_800_000_000.0  # a Friday, 09:00 in Stockholm


@dataclass
class World:
    """The ports, and the event's save (a user's record, with a completed assessment)."""

    stores: Stores
    save: Callable[[str, Completed | None], Awaitable[None]]


@pytest.fixture(params=["memory", *BACKENDS])
async def world(request, tmp_path) -> AsyncIterator[World]:
    if request.param == "memory":
        memory = Memory()
        yield World(memory_stores(memory), memory.save)
        return
    for database in open_database(request.param, tmp_path):  # as the `database` fixture
        storage = Storage.create(database.url)
        await storage.prepare()
        try:
            yield World(stores_for(storage), _saver(storage))
        finally:
            await storage.close()


def _saver(storage: Storage) -> Callable[[str, Completed | None], Awaitable[None]]:
    """The EventRunner's save on the database: the user's row, with a completed assessment."""

    async def save(user_id: str, completed: Completed | None = None) -> None:
        await storage.save(await storage.load(user_id), completed)

    return save


def checked(
    at: float, answer: str = "yes", team: int | None = None, position: int | None = 3
) -> Completed:
    """A completed assessment of two questions, answered `answer`."""
    answers = {"q1": [answer, at - 5], "q2": [answer, at - 1]}
    return Completed("quick", answers, at - 10, at, (100, 50, None), position, team)


# --- the memory ports are the ports ----------------------------------------------------------


@pytest.mark.parametrize(
    "port",
    [Journey, Workshops, Teams, Reminders, Regional, ports.Privacy],
    ids=lambda p: p.__name__,
)
def test_every_memory_port_has_every_method_of_its_protocol(port):
    """mypy checks the types (`memory_stores` builds `Stores` from them); this the names."""
    stores = memory_stores()
    implementation = next(
        getattr(stores, f.name)
        for f in Stores.__dataclass_fields__.values()
        if f.type == port.__name__
    )
    for name, method in inspect.getmembers(port, inspect.isfunction):
        if name.startswith("_"):
            continue
        mine = getattr(implementation, name)
        assert inspect.iscoroutinefunction(mine) == inspect.iscoroutinefunction(method), name
        wanted = list(inspect.signature(method).parameters)[1:]
        assert list(inspect.signature(mine).parameters)[: len(wanted)] == wanted, name


# --- journey -----------------------------------------------------------------------------------


async def test_assessments_oldest_first_with_their_answers_as_codes(world):
    await world.save("tg:1", checked(300.0, "no"))
    await world.save("tg:1", checked(100.0))
    await world.save("tg:2", checked(200.0))
    await world.save("tg:1", None)
    done = await world.stores.journey.assessments("tg:1")
    assert [a.completed for a in done] == [100.0, 300.0]
    assert done[0].id != done[1].id
    assert done[1].answers == {"q1": "no", "q2": "no"} and done[1].mode == "quick"
    assert done[1].percents == (100, 50, None) and done[1].position == 3
    assert await world.stores.journey.assessments("tg:3") == []


# --- workshops ---------------------------------------------------------------------------------


async def test_workshops_found_by_id_code_and_invite_newest_first(world):
    workshops = world.stores.workshops
    first = await workshops.create("tg:1", "Skåne", 1.0)
    second = await workshops.create("tg:1", "Halland", 2.0)
    assert (first.title, first.owner, first.closed) == ("Skåne", "tg:1", False)
    assert (first.revision, first.link_generation, first.lang) == (1, 1, None)
    assert first.code != second.code and first.invite != second.invite
    assert await workshops.get(first.id) == first
    assert await workshops.by_code(second.code) == second
    assert await workshops.by_invite(first.invite) == first
    assert await workshops.get(9999) is None
    assert await workshops.by_code("ZZZZZZ") is None
    assert await workshops.by_invite("nope") is None
    assert [w.id for w in await workshops.of_facilitator("tg:1")] == [second.id, first.id]
    assert await workshops.of_facilitator("tg:2") == []


async def test_join_codes_are_unique_even_when_the_draw_repeats(world):
    workshops = world.stores.workshops
    one = await workshops.create("tg:1", "A", 1.0, rng=random.Random(7))
    two = await workshops.create("tg:1", "B", 2.0, rng=random.Random(7))
    assert one.code != two.code


async def test_facilitators_closing_and_new_links_count_up_the_revision(world):
    workshops = world.stores.workshops
    ws = await workshops.create("tg:1", "Skåne", 1.0)
    assert await workshops.is_facilitator(ws.id, "tg:1")
    assert not await workshops.is_facilitator(ws.id, "tg:2")
    await workshops.add_facilitator(ws.id, "tg:2")
    await workshops.add_facilitator(ws.id, "tg:2")
    assert await workshops.is_facilitator(ws.id, "tg:2")
    assert await workshops.of_facilitator("tg:2") == [ws]  # no change to the workshop
    await workshops.set_closed(ws.id, True)
    closed = await workshops.get(ws.id)
    assert closed is not None and closed.closed and closed.revision == 2
    await workshops.new_page_link(ws.id)
    relinked = await workshops.get(ws.id)
    assert relinked is not None and relinked.link_generation == 2 and relinked.revision == 3
    await workshops.set_closed(ws.id, False)
    reopened = await workshops.get(ws.id)
    assert reopened is not None and not reopened.closed and reopened.revision == 4
    assert await workshops.page_link(reopened) is None  # no web server


async def test_answers_in_order_of_first_answer_and_replaced_in_place(world):
    workshops = world.stores.workshops
    ws = await workshops.create("tg:1", "Skåne", 1.0)
    first = ParticipantAnswers(3, ("Vi saknar tid",), ("funding",), ("vinnova",), "Almi", "sv")
    other = ParticipantAnswers(5, (), ("network",), (), "", "en")
    await workshops.save_answer(ws.id, "tg:5", first, 10.0)
    await workshops.save_answer(ws.id, "tg:6", other, 11.0)
    changed = replace(first, step=4, challenges=("Ingen partner", "Tid"))
    await workshops.save_answer(ws.id, "tg:5", changed, 12.0)
    assert await workshops.answers(ws.id) == [
        replace(changed, updated=12.0),
        replace(other, updated=11.0),
    ]
    assert await workshops.answer_of(ws.id, "tg:5") == replace(changed, updated=12.0)
    assert await workshops.answer_of(ws.id, "tg:7") is None
    assert await workshops.answers(ws.id + 1) == []
    latest = await workshops.get(ws.id)
    assert latest is not None and latest.revision == 4  # one for each save


async def test_moderation_decisions_switches_and_their_revisions(world):
    """A decision is kept per answer and text, replaced by the next, refused for an answer of
    another workshop (a forged button); every change counts the revision up."""
    workshops = world.stores.workshops
    ws = await workshops.create("tg:1", "Skåne", 1.0)
    other = await workshops.create("tg:1", "Umeå", 1.0)
    assert ws.filter_on and ws.revealed  # the filter on, the results shown, by default
    await workshops.save_answer(ws.id, "tg:5", ParticipantAnswers(3, ("Ord",)), 10.0)
    await workshops.save_answer(other.id, "tg:5", ParticipantAnswers(4, ("Annat",)), 10.0)
    mine, theirs = (await workshops.answers(ws.id))[0], (await workshops.answers(other.id))[0]
    assert mine.key is not None and theirs.key is not None and mine.key != theirs.key
    assert await workshops.decisions(ws.id) == {}
    assert await workshops.decide(ws.id, mine.key, "cabc12345", "hidden", 11.0)
    assert await workshops.decide(ws.id, mine.key, "cabc12345", "shown", 12.0)
    assert await workshops.decide(ws.id, mine.key, "f00000000", "hidden", 12.0)
    assert not await workshops.decide(ws.id, theirs.key, "c11111111", "hidden", 13.0)
    assert await workshops.decisions(ws.id) == {
        (mine.key, "cabc12345"): "shown",
        (mine.key, "f00000000"): "hidden",
    }
    assert await workshops.decisions(other.id) == {}
    await workshops.set_filter(ws.id, False)
    await workshops.set_revealed(ws.id, False)
    latest = await workshops.get(ws.id)
    assert latest is not None and not latest.filter_on and not latest.revealed
    assert latest.revision == 1 + 1 + 3 + 2  # the answer, three decisions, two switches
    # the participant erases their data: the decisions on their words go with the words
    await world.stores.privacy.erase("tg:5")
    assert await workshops.decisions(ws.id) == {}


async def test_wrong_codes_counted_since(world):
    workshops = world.stores.workshops
    for at in (10.0, 20.0, 30.0):
        await workshops.record_wrong_code("tg:7", at)
    await workshops.record_wrong_code("tg:8", 25.0)
    assert await workshops.wrong_codes_since("tg:7", 20.0) == 2
    assert await workshops.wrong_codes_since("tg:7", 31.0) == 0
    assert await workshops.wrong_codes_since("tg:8", 0.0) == 1


# --- teams -------------------------------------------------------------------------------------


async def test_teams_members_in_order_of_joining_and_teams_latest_joined_first(world):
    teams = world.stores.teams
    team = await teams.create("tg:1", "Skog och trä", 1.0)
    assert (team.owner, team.cluster, team.members_see_team, team.closed) == (
        "tg:1",
        "Skog och trä",
        False,
        False,
    )
    assert team.created == 1.0
    assert await teams.get(team.id) == team
    assert await teams.by_invite(team.invite) == team
    assert await teams.get(team.id + 100) is None and await teams.by_invite("nope") is None
    await teams.join(team.id, "tg:3", 3.0)
    await teams.join(team.id, "tg:2", 2.0)
    await teams.join(team.id, "tg:2", 9.0)  # a member already: the date stays
    assert await teams.members(team.id) == [
        TeamMember("tg:1", 1.0),
        TeamMember("tg:2", 2.0),
        TeamMember("tg:3", 3.0),
    ]
    later = await teams.create("tg:4", "Fordon", 4.0)
    await teams.join(later.id, "tg:2", 5.0)
    assert [t.id for t in await teams.of_member("tg:2")] == [later.id, team.id]
    assert await teams.of_member("tg:9") == []
    assert await teams.remove(team.id, "tg:3")
    assert not await teams.remove(team.id, "tg:3")
    assert [m.user_id for m in await teams.members(team.id)] == ["tg:1", "tg:2"]


async def test_team_switches(world):
    teams = world.stores.teams
    team = await teams.create("tg:1", "Skog och trä", 1.0)
    await teams.set_owner(team.id, "tg:2")
    await teams.set_closed(team.id, True)
    await teams.set_members_see(team.id, True)
    assert await teams.get(team.id) == replace(
        team, owner="tg:2", closed=True, members_see_team=True
    )


async def test_team_answers_are_current_members_latest_made_for_the_team(world):
    teams = world.stores.teams
    team = await teams.create("tg:1", "Skog och trä", 1.0)
    other = await teams.create("tg:9", "Fordon", 1.0)
    for user in ("tg:2", "tg:3"):
        await teams.join(team.id, user, 2.0)
        await world.save(user, None)
    await world.save("tg:1", checked(15.0, "no", team.id))
    await world.save("tg:2", checked(20.0, "partly", team.id))
    await world.save("tg:2", checked(10.0, "yes", team.id))
    await world.save("tg:2", checked(30.0, "no"))  # their own: not the team's
    await world.save("tg:2", checked(40.0, "no", other.id))  # another team's
    await world.save("tg:3", checked(12.0, "yes", team.id))
    await teams.remove(team.id, "tg:3")  # a removed member's answers no longer count
    answers = await teams.answers(team.id)
    assert [(a.user_id, a.completed, a.mode) for a in answers] == [
        ("tg:1", 15.0, "quick"),
        ("tg:2", 20.0, "quick"),
    ]
    assert answers[1].answers == {"q1": "partly", "q2": "partly"}
    assert await teams.answers(other.id) == []  # tg:2 is no member there


# --- reminders ---------------------------------------------------------------------------------


def due(after: float, days: int, zone_name: str = STOCKHOLM) -> float:
    return next_send_time(datetime.fromtimestamp(after, UTC), days, zone(zone_name)).timestamp()


async def test_a_reminder_scheduled_paused_resumed_snoozed_and_stopped(world):
    reminders = world.stores.reminders
    await world.save("tg:1", None)
    assert await reminders.get("tg:1") is None
    first = await reminders.schedule("tg:1", 42, 7, NOW, STOCKHOLM)
    assert first == due(NOW, 7)
    assert await reminders.get("tg:1") == ReminderInfo(False, 7, first)
    assert await reminders.pause("tg:1")
    assert not await reminders.pause("tg:1")
    assert await reminders.get("tg:1") == ReminderInfo(True, 7, first)
    assert await reminders.resume("tg:1", NOW + 2 * 86400, STOCKHOLM) == first  # still ahead
    assert await reminders.resume("tg:1", NOW + 60, STOCKHOLM) is None  # nothing paused
    await reminders.pause("tg:1")
    late = first + 86400
    assert await reminders.resume("tg:1", late, STOCKHOLM) == due(late, 7)  # one interval on
    snoozed = await reminders.snooze("tg:1", NOW, STOCKHOLM)
    assert snoozed == due(NOW, 7)
    await reminders.pause("tg:1")
    assert await reminders.snooze("tg:1", NOW + 3600, STOCKHOLM) == due(NOW + 3600, 7)
    assert await reminders.get("tg:1") == ReminderInfo(False, 7, due(NOW + 3600, 7))
    again = await reminders.schedule("tg:1", 42, 14, NOW, STOCKHOLM)  # replaces it
    assert await reminders.get("tg:1") == ReminderInfo(False, 14, again)
    assert await reminders.stop("tg:1")
    assert not await reminders.stop("tg:1")
    assert await reminders.get("tg:1") is None
    assert await reminders.snooze("tg:1", NOW, STOCKHOLM) is None
    assert await reminders.move_to_zone("tg:1", STOCKHOLM, "America/New_York", NOW) is None


async def test_a_reminder_keeps_its_day_in_a_new_zone(world):
    reminders = world.stores.reminders
    await world.save("tg:1", None)
    first = await reminders.schedule("tg:1", 42, 7, NOW, STOCKHOLM)
    moved = await reminders.move_to_zone("tg:1", STOCKHOLM, "America/New_York", NOW)
    told = datetime.fromtimestamp(first, UTC).astimezone(zone(STOCKHOLM)).date()
    assert moved is not None
    local = datetime.fromtimestamp(moved, UTC).astimezone(zone("America/New_York"))
    assert (local.date(), local.hour, local.minute) == (told, 9, 30)
    assert await reminders.get("tg:1") == ReminderInfo(False, 7, moved)
    await reminders.pause("tg:1")  # a paused one moves too, and stays paused
    back = await reminders.move_to_zone("tg:1", "America/New_York", STOCKHOLM, NOW)
    assert await reminders.get("tg:1") == ReminderInfo(True, 7, back)
    assert back == first


# --- regional ----------------------------------------------------------------------------------


async def test_consent_given_changed_and_withdrawn(world):
    regional = world.stores.regional
    await world.save("tg:1", None)
    assert await regional.consent("tg:1") is None
    await regional.give("tg:1", "SE-O", "forest", 5.0)
    assert await regional.consent("tg:1") == ConsentInfo("SE-O", "forest", 5.0)
    await regional.give("tg:1", "SE-M", "food", 6.0)
    assert await regional.consent("tg:1") == ConsentInfo("SE-M", "food", 6.0)
    assert await regional.withdraw("tg:1")
    assert not await regional.withdraw("tg:1")
    assert await regional.consent("tg:1") is None


async def test_peers_are_consenting_clusters_latest_own_assessment_but_the_askers(world):
    regional = world.stores.regional
    for user, region in (("tg:1", "SE-O"), ("tg:2", "SE-M"), ("tg:3", "SE-AB"), ("tg:4", "SE-O")):
        await world.save(user, None)
        await regional.give(user, region, "forest", 1.0)
    await world.save("tg:1", checked(20.0, "no", position=2))
    await world.save("tg:1", checked(10.0, "yes", position=1))
    await world.save("tg:1", checked(30.0, "partly", team=7))  # a team's: stays out
    await world.save("tg:2", checked(40.0, "yes", team=7))  # only a team's: no peer
    await world.save("tg:3", checked(15.0, "yes", position=4))
    await world.save("tg:5", checked(50.0))  # did not consent
    peers = await regional.peers("tg:4")
    assert [(p.region, p.field) for p in peers] == [("SE-AB", "forest"), ("SE-O", "forest")]
    assert [len(p.assessments) for p in peers] == [1, 1]
    latest = peers[1].assessments[0]
    assert (latest.completed, latest.position, latest.percents) == (20.0, 2, (100, 50, None))
    assert latest.answers == {"q1": "no", "q2": "no"}
    assert [p.region for p in await regional.peers("tg:1")] == ["SE-AB"]
    await regional.withdraw("tg:3")
    assert await regional.peers("tg:1") == []


# --- privacy -----------------------------------------------------------------------------------


def test_the_kinds_of_data_are_the_registrys(world):
    assert world.stores.privacy.categories() == categories()


async def test_erase_counts_every_kind_and_leaves_the_rest(world):
    stores, user = world.stores, "tg:1"
    await world.save(user, checked(10.0))
    await world.save(user, checked(20.0))
    await world.save("tg:2", checked(15.0))
    await stores.reminders.schedule(user, 42, 7, NOW, STOCKHOLM)
    await stores.regional.give(user, "SE-O", "forest", 5.0)
    ws = await stores.workshops.create("tg:2", "Skåne", 1.0)
    mine = ParticipantAnswers(3, ("Vi saknar tid",), ("funding",), ("vinnova",), "Almi", "sv")
    await stores.workshops.save_answer(ws.id, user, mine, 2.0)
    await stores.workshops.save_answer(ws.id, "tg:3", replace(mine, step=5), 3.0)
    own_ws = await stores.workshops.create(user, "Halland", 4.0)
    await stores.workshops.record_wrong_code(user, 5.0)
    await stores.workshops.record_wrong_code(user, 6.0)
    owned = await stores.teams.create(user, "Skog", 1.0)
    await stores.teams.join(owned.id, "tg:3", 3.0)
    await stores.teams.join(owned.id, "tg:2", 2.0)
    alone = await stores.teams.create(user, "Fordon", 1.0)
    theirs = await stores.teams.create("tg:2", "Mat", 1.0)
    await stores.teams.join(theirs.id, user, 2.0)
    before = await stores.workshops.get(ws.id)
    assert before is not None

    assert await stores.privacy.erase(user) == {
        "assessments": 2,
        "reminders": 1,
        "workshop_answers": 1,
        "join_attempts": 2,
        "workshops_run": 1,  # the one they ran, closed under a `gone:` owner
        "regional_consent": 1,
        "teams": 5,  # three memberships, two teams handed over or closed
        "browser_chat": 0,
        "profile": 1,
    }
    assert await stores.journey.assessments(user) == []
    assert len(await stores.journey.assessments("tg:2")) == 1
    assert await stores.reminders.get(user) is None
    assert await stores.regional.consent(user) is None
    assert await stores.workshops.wrong_codes_since(user, 0.0) == 0
    kept = await stores.workshops.answers(ws.id)
    assert [a.step for a in kept] == [3, 5]  # the coded choices stay in the totals
    assert kept[0].challenges == () and kept[0].support_from == ""
    assert kept[0].support_kinds == ("funding",) and kept[1].challenges == ("Vi saknar tid",)
    assert await stores.workshops.answer_of(ws.id, user) is None  # no longer linked to them
    after = await stores.workshops.get(ws.id)
    assert after is not None and after.revision == before.revision + 1
    kept_ws = await stores.workshops.get(own_ws.id)  # kept, under no one's name, closed
    assert kept_ws is not None and kept_ws.owner.startswith("gone:") and kept_ws.closed
    assert await stores.workshops.of_facilitator(user) == []
    handed = await stores.teams.get(owned.id)
    assert handed is not None and (handed.owner, handed.closed) == ("tg:2", False)
    closed = await stores.teams.get(alone.id)
    assert closed is not None and (closed.owner, closed.closed) == ("", True)
    assert await stores.teams.of_member(user) == []
    assert [m.user_id for m in await stores.teams.members(theirs.id)] == ["tg:2"]

    again = await stores.privacy.erase(user)
    assert set(again.values()) == {0} and set(again) == set(categories())


# --- the flow tests' engine saves as the EventRunner does -------------------------------------


def test_the_engine_keeps_what_the_event_runner_would(content):
    engine = Engine(Router(content))
    Driver(engine, "en").command("privacy")  # only a text shown: a new user gets no row
    assert "cli:test" not in engine.memory.users
    driver = Driver(engine, "en")
    driver.run_check("quick", "yes")
    done = engine._run(engine.stores.journey.assessments("cli:test"))
    assert [(a.mode, a.completed) for a in done] == [("quick", driver.completed[0].completed)]
    assert "cli:test" in engine.memory.users
    driver.command("delete")
    driver.choose("privacy:confirm")
    assert engine._run(engine.stores.journey.assessments("cli:test")) == []
    assert "cli:test" not in engine.memory.users
