"""Crash recovery: `cluster-journey run` is killed (SIGKILL) at random moments while 30 users
answer the quick check, and restarted until everyone has finished.

A user presses the buttons of the latest message; when nothing happens for a while they tap
again, and when the bot says the button is no longer active they send /assess to get the
current question back. An answer is acknowledged once the bot has shown the question after it
(or closed the check). At every kill, and at the end, the database must hold every
acknowledged answer, at most the one answer in flight besides, never an answer the user did
not give, and exactly one completed assessment per user with one answer per key question.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from pathlib import Path

from bench import procs
from bench.observed import BotError, ObservedApi
from flows.content_model import Content
from tests.databases import TestDatabase

USERS = 30  # many answers in flight at every kill, on a suite budget
KILLS = 3
PATIENCE = 4.0  # seconds without an answer, after a crash, before a user taps again
CLOSING = "Thank you, that was the last question."
SUMMARY = "Your readiness summary"
STALE = "That button is no longer active."
ANSWERS = ("yes", "partly", "no", "unsure")


class Bot:
    """The bot process, restarted after each kill; `kills` counts them."""

    def __init__(self, api: ObservedApi, database: TestDatabase, folder: Path) -> None:
        self.api, self.database, self.folder = api, database, folder
        self.process: procs.BotProcess | None = None
        self.kills = 0

    async def start(self) -> None:
        self.process = await procs.start(
            self.api,
            ["-m", "bot.cli", "run"],
            self.folder,
            "bot",
            # the overall pace above Telegram's 30/s: the local server has no flood limit, and
            # the per-chat budget still queues each user's edits, which is what a kill catches
            {"DATABASE_URL": self.database.url, "TELEGRAM_MESSAGES_PER_SECOND": "100"},
        )

    async def kill(self) -> None:
        assert self.process is not None
        self.process.process.kill()
        await self.process.process.wait()
        self.kills += 1


class User:
    """A simulated user with a plan: which answer they give to each key question."""

    def __init__(
        self, api: ObservedApi, bot: Bot, user_id: int, content: Content, rng: random.Random
    ) -> None:
        self.api, self.bot, self.id = api, bot, user_id
        self.user = api.user(user_id, f"User {user_id}", "en")
        self.questions = [(s.key_question.id, s.key_question.text.en) for s in content.steps]
        self.plan = {qid: rng.choice(ANSWERS) for qid, _text in self.questions}
        self.final_sent = False
        self.done = False
        self.retries = self.stale = 0  # taps again after a crash; "no longer active" toasts

    def question_index(self, text: str) -> int | None:
        return next(
            (i for i, (_qid, question) in enumerate(self.questions) if question in text), None
        )

    def acknowledged(self) -> int:
        """How many answers the bot has acknowledged (questions shown after them)."""
        shown = self.api.shown.get(self.id, [])
        if any(CLOSING in text or SUMMARY in text for text in shown):
            return len(self.questions)
        indexes = [self.question_index(text) for text in shown]
        return max((i for i in indexes if i is not None), default=0)

    async def act(self, action: str, data: str | None = None) -> None:
        """Send /command or press `data`, then wait until the bot shows a keyboard or
        apologises; on a "no longer active" toast send /assess; after a crash, when nothing
        came for PATIENCE seconds, return so that the user taps again."""
        reply = self.api.next_keyboard(self.id)
        kills, start = self.bot.kills, time.monotonic()
        if data is None:
            await self.user.send_command(action)
            query = ""
        else:
            query = (await self.user.press(data))["callback_query"]["id"]
        while True:
            try:
                await asyncio.wait_for(asyncio.shield(reply), 0.5)
                return
            except BotError:
                return
            except TimeoutError:
                if self.api.callback_answers.get(query, {}).get("text") == STALE:
                    self.stale += 1
                    await self.act("/assess")
                    return
                if self.bot.kills != kills and time.monotonic() - start > PATIENCE:
                    self.retries += 1
                    return

    async def run(self) -> None:
        await self.act("/assess")
        while True:
            message = self.api.keyboard_message(self.id)
            text = message.get("plain_text") or "" if message else ""
            buttons = dict(
                (data.rsplit(".", 1)[-1], data) for _t, data in self.api.buttons(self.id) if data
            )
            # the summary, or the reminder question that follows it with only its answers
            summarised = any(SUMMARY in shown for shown in self.api.shown.get(self.id, []))
            if (SUMMARY in text and "sum:more" in buttons) or (summarised and "rem:7" in buttons):
                self.done = True
                return
            index = self.question_index(text)
            if "mode:quick" in buttons:
                if self.final_sent:  # the last answer was taken, its summary lost in a crash
                    await self.act("/summary")
                else:
                    await self.act("press", buttons["mode:quick"])
            elif index is not None:
                self.final_sent |= index == len(self.questions) - 1
                qid = self.questions[index][0]
                await self.act("press", buttons[f"ans:{self.plan[qid]}"])
            else:
                await self.act("/assess")


def check_database(database: TestDatabase, users: list[User], final: bool) -> int:
    """Acknowledged answers are stored, nothing else is, and nothing twice. Returns how many
    users had an answer stored but not yet acknowledged (the crash came in between)."""
    in_flight_stored = 0
    states = {row[0]: json.loads(row[1]) for row in database.rows("select id, state from users")}
    done: dict[str, list[dict]] = {}
    for user_id, answers in database.rows("select user_id, answers from assessments"):
        done.setdefault(user_id, []).append(json.loads(answers))
    for user in users:
        key, acknowledged = f"tg:{user.id}", user.acknowledged()
        where = f"user {user.id}, {acknowledged} answers acknowledged"
        completed = done.get(key, [])
        assert len(completed) <= 1, f"{where}: {len(completed)} completed assessments"
        if completed:
            answers = {qid: value[0] for qid, value in completed[0].items()}
            assert answers == user.plan, f"{where}: completed with {answers}"
            assert states[key]["journey"]["answers"] == {}, where
            continue
        assert not final, f"{where}: no completed assessment at the end"
        assert acknowledged < len(user.questions), f"{where}: the last answer was lost"
        stored = states.get(key, {}).get("journey", {}).get("answers", {})
        given = {qid: value[0] for qid, value in stored.items()}
        acked = [qid for qid, _text in user.questions[:acknowledged]]
        in_flight = [qid for qid, _text in user.questions[acknowledged : acknowledged + 1]]
        assert set(acked) <= set(given) <= set(acked + in_flight), f"{where}: stored {given}"
        assert all(user.plan[qid] == answer for qid, answer in given.items()), where
        in_flight_stored += len(given) > len(acked)
    return in_flight_stored


async def test_no_acknowledged_answer_is_lost_or_doubled(content, database, tmp_path):
    seed = random.randrange(1 << 30)
    print(f"random seed {seed}")
    rng = random.Random(seed)
    async with ObservedApi() as api:
        bot = Bot(api, database, tmp_path)
        await bot.start()
        users = [User(api, bot, 1000 + n, content, rng) for n in range(USERS)]
        journeys = asyncio.gather(*(u.run() for u in users))
        try:
            unacknowledged = 0
            for _ in range(KILLS):
                await asyncio.sleep(rng.uniform(0.5, 3.0))  # a random moment, not a wait
                await bot.kill()
                unacknowledged += check_database(bot.database, users, final=False)
                await bot.start()
            await asyncio.wait_for(journeys, 90)
            check_database(bot.database, users, final=True)
        finally:
            journeys.cancel()
            if bot.process is not None:
                await procs.stop(bot.process)
        assert all(u.done for u in users)
        assert api.violations == [], api.violations[:3]
        print(
            f"answers stored but not yet acknowledged at a kill: {unacknowledged}; taps "
            f"again: {sum(u.retries for u in users)}; stale toasts: "
            f"{sum(u.stale for u in users)}; updates delivered again after a kill: "
            f"{sum(1 for n in api.deliveries.values() if n > 1)}"
        )
