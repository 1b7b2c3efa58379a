"""Conversation records saved by earlier versions still load and resume.

`tests/data/conversations-74fd1e1.json` holds the records (the `users.state` column) that the
code of commit 74fd1e1 stored in sixteen situations, made by driving that code through its
`EventRunner`, each with the position token that code put on the buttons it sent then. Theirs
is the flat record whose `flow` said what a text meant, whose `mode` doubled as `step:N` and
whose `editing` as `plan:pdf,md`. They must load into the typed records of each feature, and
the conversation must go on where it was."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.events import EventRunner
from bot.storage import Storage
from bot.storage.schema import assessments, users
from flows.journey.assessment import position_token
from flows.journey.diagnostic import FULL, PAUSED, QUICK
from flows.messages import Event, PlanDocument, Reply
from flows.router import Router
from flows.state import Awaiting, ConversationState
from flows.workshop.session import WorkshopSession

STORED = Path(__file__).parent / "data" / "conversations-74fd1e1.json"


def stored() -> dict[str, dict[str, Any]]:
    return {r["user"]: r["state"] for r in json.loads(STORED.read_text())["records"]}


def stored_token(user: str) -> str:
    """The position token 74fd1e1 put on the buttons it sent with the user's record."""
    return next(r["token"] for r in json.loads(STORED.read_text())["records"] if r["user"] == user)


@pytest.fixture(scope="module")
def records() -> dict[str, ConversationState]:
    return {user: ConversationState.from_dict(state) for user, state in stored().items()}


def test_the_fixture_is_the_flat_record_of_74fd1e1():
    for state in stored().values():
        assert "flow" in state and "journey" not in state and len(state) == 22


def test_what_a_text_means_is_typed(records):
    awaiting = {user: record.awaiting for user, record in records.items()}
    assert awaiting == {
        "tg:101": Awaiting.ANSWER,
        "tg:102": Awaiting.NOTHING,
        "tg:103": Awaiting.TEAM_CLUSTER,
        "tg:104": Awaiting.ACTION_OWNER,
        "tg:105": Awaiting.PLAN_CLUSTER,
        "tg:106": Awaiting.PLAN_CLUSTER,
        "tg:107": Awaiting.TERM,
        "tg:200": Awaiting.NOTHING,
        "tg:201": Awaiting.WORKSHOP_ANSWER,
        "tg:202": Awaiting.ANSWER,
        "tg:203": Awaiting.WORKSHOP_TITLE,
        "tg:204": Awaiting.WORKSHOP_CODE,
        "tg:300": Awaiting.NOTHING,
        "tg:301": Awaiting.ANSWER,
        "tg:108": Awaiting.TIME_ZONE,
        "tg:109": Awaiting.ANSWER,
    }
    assert all(type(a) is Awaiting for a in awaiting.values())


def test_the_journey_loads_into_its_record(records):
    quick = records["tg:101"].journey
    assert (quick.state, quick.mode, quick.recheck, quick.index) == ("step_04", QUICK, None, 3)
    assert [answer for answer, _time in quick.answers.values()] == ["yes", "partly", "no"]
    assert all(isinstance(t, float) for _answer, t in quick.answers.values())
    assert quick.last is None and quick.prior is None and quick.check == QUICK
    paused = records["tg:102"]
    assert paused.lang == "sv" and paused.journey.state == PAUSED
    assert (paused.journey.mode, paused.journey.index) == (FULL, 5)
    recheck = records["tg:109"].journey  # mode was "step:2"
    assert (recheck.mode, recheck.recheck, recheck.check) == (None, 2, "step:2")
    assert recheck.last is not None and recheck.last.mode == QUICK and recheck.index == 1
    twice = records["tg:103"].journey
    assert twice.last is not None and twice.prior is not None
    assert twice.last.answers["why-motive"] == "yes" and twice.last.completed > 1_780_000_000
    assert len(twice.prior.percents) == 10 and isinstance(twice.prior.percents, tuple)
    assert twice.prior.completed < twice.last.completed and twice.prior.position == 2


def test_the_plan_loads_into_its_record(records):
    plan = records["tg:103"].plan
    assert plan.cluster == "Compound Valley"
    assert list(plan.owners.values()) == ["Anna Berg / styrelsen"]
    assert plan.due == {"opportunities-targets": "2026-06"}
    assert (plan.done, plan.dropped) == (["strategy-approved"], ["training-gaps"])
    assert (plan.editing, plan.pending) == (None, ())
    owner = records["tg:104"].plan  # editing was the action's id
    assert (owner.editing, owner.pending, owner.cluster) == ("why-motive", (), None)
    both, pdf = records["tg:105"].plan, records["tg:106"].plan  # editing was "plan:pdf,md"
    assert (both.editing, both.pending) == (None, ("pdf", "md"))
    assert (pdf.editing, pdf.pending) == (None, ("pdf",))


def test_workshop_team_and_regional_load_into_their_records(records):
    assert records["tg:201"].workshop == WorkshopSession(1, "Kick-off Skåne", "challenges", 3)
    assert records["tg:202"].workshop == WorkshopSession(1, "Kick-off Skåne", "quick", None)
    assert records["tg:101"].workshop is None
    assert records["tg:301"].team.answering_for == 1
    assert records["tg:300"].team.answering_for is None
    assert records["tg:103"].regional.consent_asked
    assert not records["tg:107"].regional.consent_asked


def test_buttons_sent_before_the_upgrade_are_not_taken_for_stale(records):
    """The position token (on every button) is the one 74fd1e1 computed for the record."""
    tokens = {user: stored_token(user) for user in records}
    assert {user: position_token(record) for user, record in records.items()} == tokens
    assert len(set(tokens.values())) > 5


def test_a_loaded_record_saves_in_the_new_shape_and_loads_the_same(records):
    for record in records.values():
        saved = json.loads(json.dumps(record.to_dict(), ensure_ascii=False))
        assert "flow" not in saved and "journey" in saved
        assert ConversationState.from_dict(saved) == record


def test_unknown_keys_are_ignored_in_both_shapes(records):
    old = {**stored()["tg:104"], "mood": "sunny"}
    assert ConversationState.from_dict(old) == records["tg:104"]
    new = records["tg:103"].to_dict()
    new["mood"] = "sunny"
    new["journey"]["mood"] = "sunny"
    new["plan"]["colour"] = "green"
    new["workshop"] = {"id": 3, "title": "T", "stage": "from", "step": 2, "room": "B"}
    new["team"]["role"] = "owner"
    new["regional"]["region"] = "SE224"
    loaded = ConversationState.from_dict(new)
    assert loaded.journey == records["tg:103"].journey and loaded.plan == records["tg:103"].plan
    assert loaded.workshop == WorkshopSession(3, "T", "from", 2)
    new["awaiting"] = "something-newer"
    assert ConversationState.from_dict(new).awaiting == Awaiting.NOTHING


# --- the conversations go on where they were -----------------------------------------------


class ReminderChannel:
    """A channel that delivers reminders (the time zone is asked only there)."""

    def start_link(self, payload: str) -> str | None:
        return None

    @property
    def reminder_chat(self) -> int | None:
        return 4242


class World:
    """A database whose users' rows hold the stored records, written as 74fd1e1 wrote them."""

    def __init__(self, storage: Storage, content) -> None:
        self.storage = storage
        self.now = 1_780_100_000.0
        self.runner = EventRunner(Router(content), storage, clock=self.clock)

    def clock(self) -> float:
        self.now += 5
        return self.now

    async def put(self, user_id: str) -> None:
        """The user's row with the stored JSON as it is (not through `to_dict`)."""
        state = json.dumps(stored()[user_id], ensure_ascii=False)
        async with self.storage.transaction() as conn:
            updated = await conn.execute(
                users.update().where(users.c.id == user_id).values(state=state)
            )
            if updated.rowcount == 0:
                await conn.execute(
                    users.insert().values(
                        id=user_id, lang="en", timezone="Europe/Stockholm", state=state,
                        created=self.now, updated=self.now,
                    )
                )  # fmt: skip

    async def send(self, user_id: str, kind: str, value: str, channel: Any = None) -> list[Reply]:
        extra = {} if channel is None else {"channel": channel}
        handled = await self.runner.handle(user_id, Event(kind, value), **extra)
        assert handled.status == "ok"
        return handled.replies

    async def load(self, user_id: str) -> ConversationState:
        return (await self.storage.load(user_id)).conversation

    async def assessments_of(self, user_id: str) -> list[Any]:
        async with self.storage.transaction() as conn:
            query = sa.select(assessments).where(assessments.c.user_id == user_id)
            return list((await conn.execute(query)).all())


def text_of(replies: list[Reply]) -> str:
    return "\n".join(r.text for r in replies)


@pytest.fixture
async def world(database, content):
    storage = await Storage.open(database.url)
    yield World(storage, content)
    await storage.close()


async def test_a_check_resumes_where_it_was(world):
    await world.put("tg:101")
    assert "Question 5 of 10" in text_of(await world.send("tg:101", "text", "Yes"))
    await world.put("tg:101")  # a button of the question shown before the upgrade
    handled = await world.runner.handle(
        "tg:101", Event("choice", "ans:no"), token=stored_token("tg:101")
    )
    assert handled.status == "ok" and "Question 5 of 10" in text_of(handled.replies)
    await world.put("tg:102")  # paused: /assess goes on at the sixth question
    replies = await world.send("tg:102", "command", "assess")
    assert re.search(r"Fråga 6 av \d+", text_of(replies))
    await world.put("tg:109")  # re-checking step 2: its other questions, then the summary
    for _answer in range(10):
        replies = await world.send("tg:109", "choice", "ans:yes")
        if (await world.load("tg:109")).journey.last.completed > 1_780_100_000:
            break
    [recheck] = await world.assessments_of("tg:109")
    assert recheck.mode == "step:2" and "Your readiness summary (quick check)" in text_of(replies)


async def test_the_plan_resumes_where_it_was(world):
    await world.put("tg:104")
    replies = await world.send("tg:104", "text", "Eva Lund")
    assert "Owner: Eva Lund" in text_of(replies)
    assert (await world.load("tg:104")).plan.owners == {"why-motive": "Eva Lund"}
    await world.put("tg:105")  # the name, then both documents asked for before it
    replies = await world.send("tg:105", "text", "Klustret Östgöta")
    documents = [r.attachment.content for r in replies if r.attachment]
    assert [d.kind for d in documents if isinstance(d, PlanDocument)] == ["pdf", "markdown"]
    assert all(d.plan.cluster == "Klustret Östgöta" for d in documents)
    await world.put("tg:106")
    replies = await world.send("tg:106", "text", "Klustret Skåne")
    documents = [r.attachment.content for r in replies if r.attachment]
    assert [d.kind for d in documents if isinstance(d, PlanDocument)] == ["pdf"]


async def test_owners_dates_and_the_change_since_survive(world):
    await world.put("tg:103")  # asked for a team's cluster: the plan's name is offered
    replies = await world.send("tg:103", "choice", "team:new")
    assert any(
        c.id == "team:name" and "Compound Valley" in c.label for r in replies for c in r.choices
    )
    replies = await world.send("tg:103", "command", "plan")
    [pdf, _md] = [r.attachment.content for r in replies if r.attachment]
    assert isinstance(pdf, PlanDocument) and pdf.plan.cluster == "Compound Valley"
    actions = {a.owner: a for s in pdf.plan.steps for a in s.actions}
    assert "Anna Berg / styrelsen" in actions and pdf.plan.change
    states = {a.state for s in pdf.plan.steps for a in s.actions}
    assert {"done", "dropped"} <= states
    replies = await world.send("tg:103", "command", "summary")
    assert "Anna Berg / styrelsen" in text_of(replies)


async def test_glossary_time_zone_and_workshop_texts_resume(world, content):
    await world.put("tg:107")
    term = content.glossary[0]
    assert term.term.en in text_of(await world.send("tg:107", "text", term.term.en))
    await world.put("tg:108")
    replies = await world.send("tg:108", "text", "Europe/Helsinki", ReminderChannel())
    assert "Time zone set to Europe/Helsinki" in text_of(replies)
    await world.put("tg:203")
    assert "Workshop “Skåne 12 mars” is open." in text_of(
        await world.send("tg:203", "text", "Skåne 12 mars")
    )  # workshop 1, the one the participants' records name
    await world.put("tg:201")
    replies = await world.send("tg:201", "text", "Hard to find partners abroad")
    assert "Noted (1)" in text_of(replies)
    await world.put("tg:202")  # in the quick check that finds their step
    for _answer in range(8):
        replies = await world.send("tg:202", "choice", "ans:no")
    assert "Your quick check puts you at step" in text_of(replies)
    assert (await world.load("tg:202")).workshop.stage == "quick"
    await world.put("tg:204")
    replies = await world.send("tg:204", "text", "ZZZZZZ")
    assert "I can't find a workshop with that code." in text_of(replies)


async def test_a_team_check_still_counts_for_the_team(world):
    await world.send("tg:300", "choice", "team:new")
    invitation = text_of(await world.send("tg:300", "text", "Mälardalens klimatkluster"))
    invite = re.search(r"/start tm_(\S+)", invitation)
    assert invite is not None
    await world.send("tg:301", "choice", f"team:join:{invite.group(1)}")
    await world.put("tg:301")  # four answers in, for team 1
    for _answer in range(6):
        replies = await world.send("tg:301", "choice", "ans:partly")
    [done] = await world.assessments_of("tg:301")
    assert done.team_id == 1 and "Your readiness summary" in text_of(replies)
    assert (await world.load("tg:301")).team.answering_for is None
