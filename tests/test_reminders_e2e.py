"""Reminders end to end: asked for after a summary, delivered by the reminder job through the
local Bot API server, acted on with their buttons, managed with /remind."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from tests.telegram_harness import RunningBot, command, last_text, press, text_with_buttons

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def reminder_rows(database) -> list[tuple]:
    return database.rows("select user_id, interval_days, due, state from reminders")


def make_due(database) -> None:
    database.execute("update reminders set due = :due", due=time.time() - 5)


async def run_reminder_job(bot) -> None:
    job = next(j for j in bot.app.job_queue.jobs() if j.name == "reminders")
    await job.run(bot.app)


async def quick_check(api, user, answers: list[str]) -> None:
    await command(api, user, "/assess")
    await press(api, user, "Quick check" if user.language_code == "en" else "Snabbkoll")
    for answer in answers:
        await press(api, user, answer)
    await api.wait_for(
        lambda: (
            "Next actions" in text_with_buttons(api, user)
            or "Att göra härnäst" in text_with_buttons(api, user)
        )
    )
    await api.settle(quiet=0.2)  # and its chart, sent after it


async def test_reminder_after_summary_and_its_buttons(api, bot, content, database):
    ulla = api.user(301, "Ulla", "sv")
    await quick_check(api, ulla, ["Ja", "Nej", "Nej", "Ja", "Ja", "Ja", "Ja", "Ja", "Ja", "Ja"])
    summary = next(
        r for r in reversed(api.sent(ulla.id)) if "Att göra härnäst" in (r.get("plain_text") or "")
    )
    before = summary["plain_text"]
    question = next(r for r in api.sent(ulla.id) if r["message_id"] > summary["message_id"])
    assert question["plain_text"] == "Ska jag påminna dig om de här åtgärderna?"
    labels = [b["text"] for row in question["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["Om en vecka", "Om två veckor", "Om en månad"]  # only its own answers
    await press(api, ulla, "Om två veckor")
    # the answer comes in the question's place; the summary stays in the chat as it was
    texts = [r.get("plain_text") or "" for r in api.sent(ulla.id)]
    confirmation = next(t for t in reversed(texts) if t.startswith("Jag påminner dig"))
    assert "varannan vecka" in confirmation
    kept = next(r for r in api.sent(ulla.id) if r["message_id"] == summary["message_id"])
    assert kept["plain_text"] == before and "Att göra härnäst" in before
    [(user_id, days, due, state)] = reminder_rows(database)
    assert (user_id, days, state) == ("tg:301", 14, "scheduled")
    local = datetime.fromtimestamp(due, UTC).astimezone(STOCKHOLM)
    assert (local.hour, local.minute) == (9, 30) and local.weekday() < 5
    assert (local.date() - datetime.now(STOCKHOLM).date()).days >= 14

    make_due(database)
    await run_reminder_job(bot)
    await api.wait_for(lambda: last_text(api, ulla).startswith("Påminnelse:"))
    reminder = last_text(api, ulla)
    step2 = content.step(2)
    assert "steg 2" in reminder and step2.key_question.action.sv in reminder
    [(_, _, due_after, state)] = reminder_rows(database)
    assert state == "scheduled" and due_after > time.time() + 13 * 86400  # next occurrence

    await press(api, ulla, "✓ 1 klar")
    assert step2.key_question.action.sv not in last_text(api, ulla)
    await command(api, ulla, "/summary")
    await api.wait_for(lambda: "bockats av" in text_with_buttons(api, ulla))


async def test_recheck_a_step_from_the_reminder(api, bot, content, database):
    rolf = api.user(302, "Rolf", "en")
    await quick_check(
        api, rolf, ["Yes", "No", "No", "Yes", "Yes", "Yes", "Yes", "Yes", "Yes", "Yes"]
    )
    await press(api, rolf, "In a week")
    make_due(database)
    await run_reminder_job(bot)
    await api.wait_for(lambda: last_text(api, rolf).startswith("Reminder:"))
    await press(api, rolf, "Re-check step 2 (a minute)")
    step2 = content.step(2)
    assert step2.questions[0].text.en in last_text(api, rolf)
    assert f"Question 1 of {len(step2.questions)}" in last_text(api, rolf)
    for _ in step2.questions:
        await press(api, rolf, "Yes")
    await api.wait_for(lambda: "You are at step 3" in text_with_buttons(api, rolf))
    assert "moved forward 1 step." in text_with_buttons(api, rolf)
    await api.settle(quiet=0.2)  # the chart, sent after the summary

    await press(api, rolf, "In a week")  # snooze from a fresh reminder
    make_due(database)
    await run_reminder_job(bot)
    await api.wait_for(lambda: last_text(api, rolf).startswith("Reminder:"))
    await press(api, rolf, "Snooze a week")
    assert last_text(api, rolf).startswith("Snoozed: I'll remind you again on")
    [(_, _, due, state)] = reminder_rows(database)
    assert state == "scheduled" and due > time.time() + 6 * 86400


async def test_remind_command_pause_resume_stop(api, bot, database):
    pia = api.user(303, "Pia", "en")
    await command(api, pia, "/remind")
    assert "You have no reminder" in last_text(api, pia)
    await press(api, pia, "Every month")
    await command(api, pia, "/remind")
    assert "then every month" in last_text(api, pia)
    await press(api, pia, "Pause")
    assert "paused" in last_text(api, pia)
    make_due(database)
    await run_reminder_job(bot)
    assert not any(t.startswith("Reminder:") for t in api.texts(pia.id))
    await press(api, pia, "Resume")
    await press(api, pia, "Change time zone")
    await api.wait_for(lambda: "Europe/Helsinki" in last_text(api, pia))
    await pia.send_text("europe/helsinki")
    await api.wait_for(lambda: "Time zone set to Europe/Helsinki" in " ".join(api.texts(pia.id)))
    [(_, _, due, state)] = reminder_rows(database)
    local = datetime.fromtimestamp(due, UTC).astimezone(ZoneInfo("Europe/Helsinki"))
    assert (local.hour, local.minute, state) == (9, 30, "scheduled")
    await command(api, pia, "/remind")
    await press(api, pia, "Stop")
    assert reminder_rows(database)[0][3] == "stopped"


async def test_a_reminder_due_while_the_bot_was_down_is_sent_once(api, content, database):
    first = await RunningBot(api, content, database.url).start()
    ada = api.user(304, "Ada", "en")
    await command(api, ada, "/remind")
    await press(api, ada, "Every week")
    await first.stop()
    make_due(database)
    second = await RunningBot(api, content, database.url).start()
    try:
        await api.wait_for(
            lambda: any(t.startswith("Reminder:") for t in api.texts(ada.id)), timeout=10
        )
        await run_reminder_job(second)  # another run finds nothing due
        assert sum(t.startswith("Reminder:") for t in api.texts(ada.id)) == 1
    finally:
        await second.stop()


async def test_blocked_user_gets_no_more_reminders(api, bot, database):
    bo = api.user(305, "Bo", "en")
    await command(api, bo, "/remind")
    await press(api, bo, "Every week")
    api.block_user(bo.id)
    make_due(database)
    await run_reminder_job(bot)
    assert reminder_rows(database)[0][3] == "blocked"
    calls = len(api.calls_of("sendMessage"))
    make_due(database)
    await run_reminder_job(bot)
    assert len(api.calls_of("sendMessage")) == calls  # no retry storm
