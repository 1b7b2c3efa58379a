"""Several replicas on one PostgreSQL: each event is one transaction that locks the user's row,
so events of one user sent to two replicas at once run one after the other (opt-in:
TEST_POSTGRES_URL, see tests/databases.py)."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

from bot.events import EventRunner
from bot.storage import Storage
from flows.messages import Event
from flows.router import Router


@pytest.fixture
async def replicas(content, postgres_database):
    first = await Storage.open(postgres_database.url)
    second = Storage.create(postgres_database.url)
    runners = [EventRunner(Router(content), first), EventRunner(Router(content), second)]
    yield runners
    for storage in (first, second):
        await storage.close()


async def at_last_question(runner: EventRunner, user: str) -> str:
    """A quick check answered up to its last question; returns the position token shown."""
    handled = await runner.handle(user, Event("command", "assess"))
    handled = await runner.handle(user, Event("choice", "mode:quick"), token=handled.token)
    for _ in range(9):
        handled = await runner.handle(user, Event("choice", "ans:yes"), token=handled.token)
    assert "Question 10 of 10" in handled.replies[-1].text
    return handled.token


async def test_a_double_tap_split_across_replicas_completes_once(replicas):
    a, b = replicas
    ids = iter(range(1000, 2000))
    for n in range(10):
        user = f"tg:{n + 1}"
        token = await at_last_question(a, user)
        first, second = await asyncio.gather(
            a.handle(user, Event("choice", "ans:no"), token=token, update_id=next(ids)),
            b.handle(user, Event("choice", "ans:no"), token=token, update_id=next(ids)),
        )
        assert sorted([first.status, second.status]) == ["ok", "stale"]
        assert [first.completed, second.completed].count(True) == 1
    async with a.storage.engine.connect() as conn:
        counts = (
            await conn.execute(sa.text("select user_id, count(*) from assessments group by 1"))
        ).all()
    assert len(counts) == 10 and {c for _user, c in counts} == {1}


async def test_an_answer_and_a_language_choice_at_once_both_persist(replicas):
    a, b = replicas
    for n in range(10):
        user = f"tg:{100 + n}"
        handled = await a.handle(user, Event("command", "assess"), lang="en")
        handled = await a.handle(user, Event("choice", "mode:quick"), token=handled.token)
        await asyncio.gather(
            a.handle(user, Event("choice", "ans:no"), token=handled.token),
            b.handle(user, Event("choice", "lang:sv")),
        )
        record = await a.storage.load(user)
        assert record.conversation.lang == "sv"
        assert [v[0] for v in record.conversation.journey.answers.values()] == ["no"]


async def test_a_new_users_first_two_updates_on_two_replicas_are_both_answered(replicas):
    """Neither finds a row to lock; both insert one; the later is run again, after the other."""
    a, b = replicas
    for n in range(10):
        user = f"tg:{300 + n}"
        first, second = await asyncio.gather(
            a.handle(user, Event("command", "start"), update_id=5000 + 2 * n),
            b.handle(user, Event("command", "assess"), update_id=5001 + 2 * n),
        )
        assert (first.status, second.status) == ("ok", "ok")
        assert first.replies and second.replies
    async with a.storage.engine.connect() as conn:
        count = (await conn.execute(sa.text("select count(*) from users"))).scalar()
    assert count == 10
