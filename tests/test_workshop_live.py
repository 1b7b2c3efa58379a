"""The facilitator's live results message through the local Bot API server: it keeps its buttons
whatever is pressed, is edited once per change, and loses nothing at a restart."""

from __future__ import annotations

import asyncio
import logging

import pytest

from tests.telegram_harness import (
    RunningBot,
    command,
    create_workshop,
    last_text,
    live_results,
    press,
    say,
)

REFRESH = 0.5  # the live refresh's interval per workshop here (3 s in production)


@pytest.fixture
async def bot(api, content, database):
    """The bot with a short live refresh: the same rule (one edit per interval), less waiting."""
    running = await RunningBot(api, content, database.url, results_interval=REFRESH).start()
    yield running
    await running.stop()


def edits_of(api, chat_id: int, message_id: int) -> list[dict]:
    return [
        c
        for c in api.calls_of("editMessageText")
        if int(c["chat_id"]) == chat_id and int(c["message_id"]) == message_id
    ]


async def test_the_results_keep_their_buttons_after_link_and_qr(api, bot, content):
    fac = api.user(1, "Cecilia", "en")
    await create_workshop(api, fac, "Västerbotten, 3 May")
    live = live_results(api, fac)
    for label in ("Join link and QR", "Add a co-facilitator", "Projector page"):
        buttons = dict(api.buttons(fac.id, live["message_id"]))
        assert label in buttons, label
        data = buttons[label]
        before = len(api.sent(fac.id))
        await fac.press(data, live["message_id"])
        await api.wait_for(lambda before=before: len(api.sent(fac.id)) > before)
        await api.settle(quiet=0.1)
        # the results message is as it was, with all its buttons
        kept = next(r for r in api.sent(fac.id) if r["message_id"] == live["message_id"])
        assert "Participants: 0" in kept["plain_text"]
        assert {"Refresh", "Close", "Join link and QR", "Projector page"} <= {
            text for text, _data in api.buttons(fac.id, live["message_id"])
        }
    assert edits_of(api, fac.id, live["message_id"]) == []
    # the new messages lead back to the results
    assert "Back to the results" in {text for text, _data in api.buttons(fac.id)}


async def test_one_edit_per_press_on_the_results(api, bot, content):
    fac = api.user(2, "Cecilia", "en")
    await create_workshop(api, fac, "Gävleborg, 9 May")
    live = live_results(api, fac)
    for label, shows in (("Close", "Closed"), ("Reopen", "Open")):
        before = len(edits_of(api, fac.id, live["message_id"]))
        await fac.press(dict(api.buttons(fac.id, live["message_id"]))[label], live["message_id"])
        await asyncio.sleep(REFRESH + 0.5)  # past the live refresh the press also schedules
        edits = edits_of(api, fac.id, live["message_id"])[before:]
        assert len(edits) == 1, (label, edits)
        assert shows in live_results(api, fac)["plain_text"]
    # "Refresh" with nothing new: the press is answered, the message is not edited (Telegram
    # would answer "message is not modified" and the facilitator see nothing happen)
    before = len(edits_of(api, fac.id, live["message_id"]))
    refresh = dict(api.buttons(fac.id, live["message_id"]))["Refresh"]
    pressed = await fac.press(refresh, live["message_id"])
    await api.wait_for(lambda: pressed["callback_query"]["id"] in api.callback_answers)
    await asyncio.sleep(REFRESH + 0.5)
    assert api.callback_answers[pressed["callback_query"]["id"]].get("text") == "No new answers"
    assert edits_of(api, fac.id, live["message_id"])[before:] == []
    # an answer is still shown by the live refresh
    before = len(edits_of(api, fac.id, live["message_id"]))
    code = live_results(api, fac)["plain_text"].split("Join code: ")[1][:6]
    anna = api.user(7001, "Anna", "en")
    await command(api, anna, "/start", f"ws_{code}")
    await press(api, anna, f"2. {content.step(2).short.en}")
    await api.wait_for(lambda: "Participants: 1" in live_results(api, fac)["plain_text"], timeout=6)
    await asyncio.sleep(REFRESH + 0.5)
    # one edit per change at most: joining (a participant without a step), then the step
    assert 1 <= len(edits_of(api, fac.id, live["message_id"])) - before <= 2


async def test_an_answer_just_before_a_restart_reaches_the_results(api, content, database, caplog):
    first = await RunningBot(api, content, database.url).start()
    fac = api.user(3, "Cecilia", "en")
    await create_workshop(api, fac, "Halland, 1 June")
    live = live_results(api, fac)
    code = live["plain_text"].split("Join code: ")[1][:6]
    anna = api.user(7002, "Anna", "en")
    await command(api, anna, "/start", f"ws_{code}")
    await press(api, anna, f"4. {content.step(4).short.en}")
    await say(api, anna, "Too little time for partners abroad")
    assert "Noted (1)" in last_text(api, anna)
    # the bot stops while the refresh waits for its slot
    with caplog.at_level(logging.ERROR, logger="asyncio"):
        await first.stop()
        await asyncio.sleep(0.1)
    assert "Task was destroyed" not in caplog.text
    assert "Participants: 0" in live_results(api, fac)["plain_text"]

    second = await RunningBot(api, content, database.url).start()
    try:
        await api.wait_for(
            lambda: "Participants: 1" in live_results(api, fac)["plain_text"], timeout=8
        )
        assert "Too little time" in live_results(api, fac)["plain_text"]
        assert live_results(api, fac)["message_id"] == live["message_id"]  # edited, not re-sent
    finally:
        await second.stop()
