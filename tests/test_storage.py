"""Storage: every answer is committed before its reply; records survive a new process."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from bot.events import EventRunner
from bot.storage import Storage, async_url
from bot.storage.privacy import PrivacyStore
from flows.messages import Event
from flows.router import Router
from flows.state import Awaiting
from tests.helpers import quick_check


@pytest.fixture
async def storage(database):
    store = await Storage.open(database.url)
    yield store
    await store.close()


async def test_each_answer_is_on_disk_before_the_reply(database, content, storage):
    conversations = EventRunner(Router(content), storage)
    await conversations.handle("tg:1", Event("command", "assess"), lang="sv")
    await conversations.handle("tg:1", Event("choice", "mode:quick"))
    for count, answer in enumerate(("yes", "no", "partly"), start=1):
        handled = await conversations.handle("tg:1", Event("choice", f"ans:{answer}"))
        assert handled.status == "ok"
        # a second engine on the same file sees the answer: it was committed
        other = await Storage.open(database.url)
        record = await other.load("tg:1")
        await other.close()
        assert len(record.conversation.journey.answers) == count
    assert [v[0] for v in record.conversation.journey.answers.values()] == ["yes", "no", "partly"]
    assert record.conversation.lang == "sv" and record.conversation.journey.state == "step_04"


async def test_a_duplicate_is_the_same_id_and_the_same_content(content, storage):
    """After a move to another Bot API server ids start again: an old id carrying a new
    message is a new update and is answered; the same update delivered again is not."""
    runner = EventRunner(Router(content), storage)
    start = Event("command", "start")
    first = await runner.handle("tg:3", start, update_id=10, fingerprint="m3:100")
    assert first.status == "ok"
    again = await runner.handle("tg:3", start, update_id=10, fingerprint="m3:100")
    assert again.status == "duplicate" and again.replies == []
    moved = await runner.handle("tg:3", Event("command", "help"), update_id=10, fingerprint="m3:7")
    assert moved.status == "ok" and moved.replies
    redelivered = await runner.handle(
        "tg:3", Event("command", "help"), update_id=10, fingerprint="m3:7"
    )
    assert redelivered.status == "duplicate"
    press = await runner.handle("tg:3", start, update_id=10, fingerprint="c8812")
    assert press.status == "ok"  # a button press under the same number: new too


async def test_completed_assessment_row(content, storage):
    await quick_check(EventRunner(Router(content), storage), "cli:a", "partly")
    rows = (await PrivacyStore(storage).export("cli:a"))["assessments"]["assessments"]
    assert len(rows) == 1
    row = rows[0]
    assert row["mode"] == "quick" and row["position"] == 1
    assert row["percents"] == [50] * 10 and len(row["answers"]) == 10
    assert row["started"] <= row["completed"]
    assert len(json.dumps(row["answers"])) < 1000


async def test_duplicate_updates_and_stale_buttons_are_ignored(content, storage):
    conversations = EventRunner(Router(content), storage)
    first = await conversations.handle("tg:2", Event("command", "assess"), update_id=10)
    assert first.status == "ok" and first.replies
    again = await conversations.handle("tg:2", Event("command", "assess"), update_id=10)
    assert again.status == "duplicate" and again.replies == []
    mode = await conversations.handle(
        "tg:2", Event("choice", "mode:quick"), token=first.token, update_id=11
    )
    assert mode.status == "ok"
    answer = await conversations.handle(
        "tg:2", Event("choice", "ans:yes"), token=mode.token, update_id=12
    )
    assert answer.status == "ok"
    # the same button tapped twice: the second tap carries the old token
    again = await conversations.handle(
        "tg:2", Event("choice", "ans:yes"), token=mode.token, update_id=13
    )
    assert again.status == "stale" and again.replies == []
    record = await storage.load("tg:2")
    assert len(record.conversation.journey.answers) == 1
    again = await conversations.handle(
        "tg:2", Event("choice", "ans:no"), token=answer.token, update_id=13
    )
    assert again.status == "duplicate"  # the stale press's update was recorded as handled
    assert len((await storage.load("tg:2")).conversation.journey.answers) == 1


async def test_an_update_with_a_lower_id_is_handled(content, storage):
    """Update ids are not a clock: after a week without updates Telegram starts them afresh,
    and replicas handle updates out of order. Only the very same update is a duplicate."""
    conversations = EventRunner(Router(content), storage)
    first = await conversations.handle("tg:4", Event("command", "assess"), update_id=900_000)
    mode = await conversations.handle(
        "tg:4", Event("choice", "mode:quick"), token=first.token, update_id=17
    )
    assert mode.status == "ok" and "Question 1 of 10" in mode.replies[-1].text
    answer = await conversations.handle(
        "tg:4", Event("choice", "ans:yes"), token=mode.token, update_id=5
    )
    assert answer.status == "ok" and "Question 2 of 10" in answer.replies[-1].text
    assert len((await storage.load("tg:4")).conversation.journey.answers) == 1


async def test_an_event_that_fails_changes_nothing_and_is_not_a_duplicate(content, storage):
    """One transaction per event: when the flows fail half-way, nothing they did is kept, and
    Telegram's redelivery of the update is handled as new."""
    router = Router(content)
    conversations = EventRunner(router, storage)
    await conversations.handle("tg:5", Event("command", "workshop"), update_id=1)
    original = router.facilitation.title_text

    async def failing(turn, text):
        await original(turn, text)  # the workshop row is written ...
        raise RuntimeError("simulated crash")  # ... and the event fails after it

    router.facilitation.title_text = failing  # type: ignore[method-assign]
    router.routes.texts[Awaiting.WORKSHOP_TITLE] = failing  # type: ignore[index]
    await conversations.handle("tg:5", Event("choice", "wsf:new"), update_id=2)
    with pytest.raises(RuntimeError):
        await conversations.handle("tg:5", Event("text", "Skåne 12 mars"), update_id=3)
    async with storage.engine.connect() as conn:
        assert (await conn.execute(sa.text("select count(*) from workshops"))).scalar() == 0
    router.routes.texts[Awaiting.WORKSHOP_TITLE] = original  # type: ignore[index]
    redelivered = await conversations.handle("tg:5", Event("text", "Skåne 12 mars"), update_id=3)
    assert redelivered.status == "ok" and "Skåne 12 mars" in redelivered.replies[0].text


async def test_delete_user(content, storage):
    await quick_check(EventRunner(Router(content), storage), "tg:3", "yes")
    counts = await PrivacyStore(storage).erase("tg:3")
    assert {k: counts[k] for k in ("profile", "assessments", "reminders", "workshop_answers")} == {
        "profile": 1,
        "assessments": 1,
        "reminders": 0,
        "workshop_answers": 0,
    }
    assert not (await storage.load("tg:3")).exists


def test_async_url():
    assert async_url("sqlite:///x.db") == "sqlite+aiosqlite:///x.db"
    assert async_url("postgresql://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert async_url("sqlite+aiosqlite:///x.db") == "sqlite+aiosqlite:///x.db"
