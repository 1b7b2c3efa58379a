"""Two `cluster-journey run` replicas in webhook mode on one PostgreSQL and the local Bot API
server; the test plays Telegram and the load balancer, POSTing each update to a replica of its
choice. What a national programme needs to hold: a double tap split across the replicas is one
answer, two events of one user on two replicas both persist, an older update that arrives late
is answered, and due reminders go out once each, within the bot's overall budget."""

from __future__ import annotations

import asyncio
import itertools
import json
import time

import pytest

from bench.reminders import add_due
from bot.storage import Storage
from tests.replicas import Replica, busiest_second
from tests.telegram_harness import chat_view

RATE = 100  # TELEGRAM_MESSAGES_PER_SECOND for the replicas: the reminders test runs faster
REMINDERS = 600  # more than one tick's batch for one replica (500): both take a share
SENDS = {"sendMessage", "sendPhoto", "sendDocument", "editMessageText", "editMessageReplyMarkup"}


async def start_replicas(api, database, tmp_path) -> list[Replica]:
    pair = [Replica(api, database.url, tmp_path, name) for name in ("a", "b")]
    # both at once, as after a deploy: the schema upgrade runs once, under its lock
    started = await asyncio.gather(
        *(r.start(TELEGRAM_MESSAGES_PER_SECOND=str(RATE)) for r in pair), return_exceptions=True
    )
    failed = [result for result in started if isinstance(result, BaseException)]
    if failed:
        for replica in pair:
            if replica.process is not None:
                await replica.stop()
        raise failed[0]
    return pair


async def stop_replicas(pair: list[Replica]) -> None:
    codes = [await replica.stop() for replica in pair]
    for replica in pair:
        assert "Traceback" not in replica.log_text(), replica.log_text()[-3000:]
    assert codes == [0, 0]


@pytest.fixture
async def pair(api, postgres_database, tmp_path):
    replicas = await start_replicas(api, postgres_database, tmp_path)
    yield replicas
    await stop_replicas(replicas)


def data_of(api, user, label: str, message_id: int | None = None) -> str:
    data = next((d for t, d in api.buttons(user.id, message_id) if t == label), None)
    assert data is not None, f"no button {label!r} in {api.buttons(user.id, message_id)}"
    return data


async def deliver(replica: Replica, api, user, update: dict) -> None:
    """POST an update to a replica and wait until the user sees the bot's answer."""
    before = chat_view(api, user)
    assert await replica.post(update) == 200
    await api.wait_for(lambda: chat_view(api, user) != before, timeout=20)


async def to_question(api, pair: list[Replica], user, answered: int) -> None:
    """Start the quick check and answer `answered` questions, each update to the next replica."""
    balancer = itertools.cycle(pair)
    await deliver(next(balancer), api, user, await user.send_command("/assess"))
    await deliver(next(balancer), api, user, await user.press(data_of(api, user, "Quick check")))
    for _ in range(answered):
        await deliver(next(balancer), api, user, await user.press(data_of(api, user, "Yes")))


def state_of(database, user) -> dict:
    return json.loads(database.value("select state from users where id = :id", id=f"tg:{user.id}"))


async def test_a_double_tap_split_across_replicas_completes_once(api, pair, postgres_database):
    a, b = pair
    people = [api.user(500 + n, f"Person {n}", "en") for n in range(10)]
    await asyncio.gather(*(to_question(api, pair, p, answered=9) for p in people))
    assert all("Question 10 of 10" in api.texts(p.id)[-1] for p in people)

    async def double_tap(person) -> None:
        data = data_of(api, person, "No")
        first, second = await person.press(data), await person.press(data)
        assert await asyncio.gather(a.post(first), b.post(second)) == [200, 200]

    await asyncio.gather(*(double_tap(p) for p in people))
    await api.wait_for(
        lambda: all(any("Your readiness summary" in t for t in api.texts(p.id)) for p in people),
        timeout=30,
    )
    await api.settle(quiet=1.0)
    per_user = dict(postgres_database.rows("select user_id, count(*) from assessments group by 1"))
    assert per_user == {f"tg:{p.id}": 1 for p in people}
    for p in people:
        summaries = [t for t in api.texts(p.id) if "Your readiness summary" in t]
        assert len(summaries) == 1, api.texts(p.id)
        assert sum(r["method"] == "sendPhoto" for r in api.sent(p.id)) == 1
    assert api.unanswered_callbacks() == []  # the second tap was answered too
    print(f"assessments per double tap: {sorted(set(per_user.values()))}")


async def test_an_answer_and_a_language_choice_at_once_both_persist(api, pair, postgres_database):
    a, b = pair
    people = [api.user(600 + n, f"Person {n}", "en") for n in range(10)]
    await asyncio.gather(*(to_question(api, pair, p, answered=2) for p in people))

    async def at_once(person) -> None:
        question_id = api.last_message(person.id)["message_id"]  # question 3
        await deliver(a, api, person, await person.send_command("/language"))
        language_id = api.last_message(person.id)["message_id"]
        answer = await person.press(data_of(api, person, "No", question_id), question_id)
        swedish = await person.press(data_of(api, person, "Svenska", language_id), language_id)
        assert await asyncio.gather(a.post(answer), b.post(swedish)) == [200, 200]

    await asyncio.gather(*(at_once(p) for p in people))
    await api.settle(quiet=1.0)
    lost = 0
    for p in people:
        state = state_of(postgres_database, p)
        answers = [value[0] for value in state["journey"]["answers"].values()]
        lost += (state["lang"] != "sv") + (answers != ["yes", "yes", "no"])
    assert lost == 0
    assert api.unanswered_callbacks() == []
    print(f"lost writes of 20: {lost}")


async def test_an_older_update_arriving_after_a_newer_one_is_answered(api, pair):
    a, b = pair
    olle = api.user(700, "Olle", "sv")
    older = await olle.send_command("/start")
    newer = await olle.send_command("/help")
    assert older["update_id"] < newer["update_id"]
    await deliver(b, api, olle, newer)
    await deliver(a, api, olle, older)
    assert any("Välkommen till Klusterresan!" in t for t in api.texts(olle.id))


async def test_due_reminders_are_sent_once_within_the_bots_budget(api, postgres_database, tmp_path):
    chats = list(range(10_000, 10_000 + REMINDERS))
    now = time.time()
    storage = await Storage.open(postgres_database.url)
    await add_due(storage, chats, now)
    await storage.close()
    api.flood_limits(per_chat_per_sec=1, global_per_sec=RATE)
    started = time.time()
    pair = await start_replicas(api, postgres_database, tmp_path)
    try:
        await api.wait_for(lambda: sum(1 for c in chats if api.sent(c)) == REMINDERS, timeout=120)
        await api.settle(quiet=1.0)
    finally:
        await stop_replicas(pair)
    twice = [c for c in chats if len(api.sent(c)) != 1]
    assert twice == []
    assert all(api.texts(c)[0].startswith("Reminder:") for c in chats)
    times = [t for (method, _), t in zip(api.calls, api.call_times, strict=True) if method in SENDS]
    busiest = busiest_second(times)
    assert busiest <= RATE and api.rejected_429 == 0
    left = postgres_database.value("select count(*) from reminders where state <> 'scheduled'")
    assert left == 0  # every one sent and scheduled for next week, none left claimed
    assert postgres_database.value("select min(due) from reminders") > now + 86400
    sent_by = [r.log_text().count("reminder tick:") for r in pair]
    print(
        f"{REMINDERS} reminders by two replicas in {time.time() - started:.1f} s: sent twice "
        f"{len(twice)}, busiest second {busiest} (budget {RATE}, reminders' share "
        f"{RATE * 0.7:.0f}), 429s {api.rejected_429}, ticks with sends per replica {sent_by}"
    )
