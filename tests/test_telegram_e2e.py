"""End to end: the real Application polls a local Bot API server that validates every call
against the Bot API spec. Users press the buttons the bot really sent."""

from __future__ import annotations

import json

from tests.telegram_harness import (
    RunningBot,
    chat_view,
    command,
    last_text,
    press,
    say,
    text_with_buttons,
)

SV_ANSWERS = {"yes": "Ja", "partly": "Delvis", "no": "Nej", "unsure": "Vet inte"}
EN_ANSWERS = {"yes": "Yes", "partly": "Partly", "no": "No", "unsure": "Not sure"}


def answers_in_db(database, user_id: int) -> dict:
    state = database.value("select state from users where id = :id", id=f"tg:{user_id}")
    return json.loads(state)["journey"]["answers"] if state else {}


async def test_swedish_user_finishes_the_quick_check(api, bot, content, database):
    assert [c["command"] for c in api.my_commands(language_code="sv")][:3] == [
        "start",
        "assess",
        "summary",
    ]
    assert (
        api.my_commands(language_code="sv")[1]["description"] != api.my_commands()[1]["description"]
    )
    anna = api.user(101, "Anna", "sv")
    await command(api, anna, "/start", "assess")
    assert "Hur grundliga ska vi vara?" in last_text(api, anna)
    await press(api, anna, "Snabbkoll")
    question_message = api.last_message(anna.id)["message_id"]
    for step, answer in zip(
        content.steps,
        ["yes", "yes", "partly", "no", "yes", "unsure", "no", "yes", "no", "partly"],
        strict=True,
    ):
        assert step.key_question.text.sv in last_text(api, anna)
        await press(api, anna, SV_ANSWERS[answer])
    await api.wait_for(lambda: "regionala bilden" in last_text(api, anna))
    sent = api.sent(anna.id)
    # the summary text comes first, the moment the last answer is stored; the reminder question
    # with only its answers, the chart, then (once) the question whether to share the result
    # for the regional picture
    methods = [r["method"] for r in sent[-4:]]
    assert methods == ["sendMessage", "sendMessage", "sendPhoto", "sendMessage"]
    sent = sent[:-1]
    photo = sent[-1]
    assert photo["photo"][:4] == b"\x89PNG"
    assert sent[-2]["plain_text"] == "Ska jag påminna dig om de här åtgärderna?"
    summary = sent[-3]["plain_text"]
    assert "Sammanfattning – så redo är ni (snabbkoll)" in summary
    assert "Ni är på steg 3" in summary and "█" in summary
    # the questions were edited in place: one message, closed with a thank-you at the end
    edits = api.calls_of("editMessageText")
    assert len(edits) == 11 and {int(e["message_id"]) for e in edits} == {question_message}
    closed = next(r for r in sent if r["message_id"] == question_message)
    assert closed["plain_text"].startswith("Tack, det var sista frågan.")
    assert not closed.get("reply_markup")
    assert api.unanswered_callbacks() == []
    rows = database.rows("select mode, position from assessments where user_id = 'tg:101'")
    assert rows == [("quick", 3)]


async def test_english_user_full_check_with_back(api, bot, content, database):
    eric = api.user(202, "Eric", "en-GB")
    await command(api, eric, "/assess")
    await press(api, eric, "Full check")
    step1 = content.step(1)
    for _ in step1.questions:
        await press(api, eric, "Yes")
    assert content.step(2).questions[0].text.en in last_text(api, eric)
    await press(api, eric, "← Back")  # across the step boundary
    assert step1.questions[-1].text.en in last_text(api, eric)
    assert step1.questions[-1].id not in answers_in_db(database, eric.id)
    await press(api, eric, "No")
    assert answers_in_db(database, eric.id)[step1.questions[-1].id][0] == "no"
    remaining = content.question_count - len(step1.questions)
    for _ in range(remaining):
        await press(api, eric, "Partly")
    await api.wait_for(lambda: "Your readiness summary" in text_with_buttons(api, eric))
    assert "Your readiness summary (full check)" in text_with_buttons(api, eric)
    await api.wait_for(lambda: any(r["method"] == "sendPhoto" for r in api.sent(eric.id)))


async def test_restart_mid_assessment_resumes(api, content, database):
    first = await RunningBot(api, content, database.url).start()
    lena = api.user(303, "Lena", "sv")
    await command(api, lena, "/assess")
    await press(api, lena, "Snabbkoll")
    await press(api, lena, "Ja")
    await press(api, lena, "Nej")
    await first.stop()
    second = await RunningBot(api, content, database.url).start()
    try:
        await command(api, lena, "/assess")
        assert content.step(3).key_question.text.sv in last_text(api, lena)
        assert "Fråga 3 av 10" in last_text(api, lena)
        # a press made while the bot was down is too old to answer, but is still handled
        api.fail_next(
            "answerCallbackQuery",
            error_code=400,
            description=(
                "Bad Request: query is too old and response timeout expired or query id is invalid"
            ),
        )
        await lena.press(next(d for t, d in api.buttons(lena.id) if t == "Ja"))
        await api.wait_for(lambda: content.step(4).key_question.text.sv in last_text(api, lena))
        assert not any("något fel" in t for t in api.texts(lena.id))
    finally:
        await second.stop()


async def test_stale_and_forged_buttons_change_nothing(api, bot, database):
    olle = api.user(404, "Olle", "sv")
    await command(api, olle, "/assess")
    await press(api, olle, "Snabbkoll")
    stale = next(d for text, d in api.buttons(olle.id) if text == "Ja")
    await press(api, olle, "Ja")
    before = answers_in_db(database, olle.id)
    # the first question's button, pressed again (double tap / old message), and forgeries
    for data in [stale, "j.000000.ans:yes", "x.1.ans:yes", "j.zz.ans:yes", "å" * 40, "p.x.zap"]:
        answered = len(api.calls_of("answerCallbackQuery"))
        api.forge_press(olle.id, data)
        await api.wait_for(lambda n=answered: len(api.calls_of("answerCallbackQuery")) > n)
    assert answers_in_db(database, olle.id) == before
    answers = [c["text"] for c in api.calls_of("answerCallbackQuery") if c.get("text")]
    assert answers.count("Den knappen är inte längre aktiv.") == 6
    assert api.unanswered_callbacks() == []


async def test_double_tap_records_one_answer(api, bot, database):
    kim = api.user(405, "Kim", "en")
    await command(api, kim, "/assess")
    await press(api, kim, "Quick check")
    data = next(d for text, d in api.buttons(kim.id) if text == "Yes")
    await kim.press(data)
    api.forge_press(kim.id, data)  # the second tap arrives before the first is answered
    await api.wait_for(lambda: len(api.calls_of("answerCallbackQuery")) == 3)
    assert len(answers_in_db(database, kim.id)) == 1
    assert api.calls_of("answerCallbackQuery")[-1]["text"] == "That button is no longer active."


async def test_duplicate_update_is_handled_once(api, bot, database):
    ida = api.user(406, "Ida", "en")
    await command(api, ida, "/assess")
    await press(api, ida, "Quick check")
    before = chat_view(api, ida)
    update = await ida.press(next(d for t, d in api.buttons(ida.id) if t == "No"))
    await api.wait_for(lambda: chat_view(api, ida) != before)
    shown = len(api.sent(ida.id))
    api.push_update(update)  # getUpdates re-delivers it after a crash
    # a later update of the same user is handled after the duplicate (one user, in order)
    await command(api, ida, "/help")
    assert len(answers_in_db(database, ida.id)) == 1
    assert len(api.sent(ida.id)) == shown + 1  # the help, and nothing for the duplicate
    # the press is answered again (the crash may have come before its answer): no toast
    answers = api.calls_of("answerCallbackQuery")
    assert len(answers) == 3 and not answers[-1].get("text")


async def test_ids_that_start_again_on_a_new_bot_api_server_are_answered(api, bot, database):
    """Moving the bot to another Bot API server restarts the update ids: messages under ids
    handled days ago are new and get answers; a real redelivery still gets none."""
    jon = api.user(407, "Jon", "en")
    await command(api, jon, "/start")
    await command(api, jon, "/help")
    first_ids = [u["update_id"] for u in api.updates]
    api.restart_update_ids(first_ids[0])  # the new server counts from the same start
    shown = len(api.sent(jon.id))
    update = await jon.send_command("/glossary")
    assert update["update_id"] == first_ids[0]
    await api.wait_for(lambda: len(api.sent(jon.id)) > shown)  # answered, not dropped
    await api.settle(quiet=0.1)
    glossary = len(api.sent(jon.id))
    api.push_update(update)  # the same update again: a redelivery
    await command(api, jon, "/privacy")
    assert len(api.sent(jon.id)) == glossary + 1  # the privacy text, nothing for the repeat


async def test_free_text_during_a_question(api, bot, content, database):
    per = api.user(505, "Per", "sv")
    await command(api, per, "/assess")
    await press(api, per, "Snabbkoll")
    await say(api, per, "Vi är nog ganska redo <b>faktiskt</b> & mer")
    texts = api.texts(per.id)
    assert any("Svara med någon av knapparna" in t for t in texts)
    assert content.step(1).key_question.text.sv in last_text(api, per)
    assert answers_in_db(database, per.id) == {}
    await say(api, per, "x" * 4096)
    await say(api, per, "ja")  # an answer typed as text counts
    assert len(answers_in_db(database, per.id)) == 1


async def test_delete_erases_everything(api, bot, database):
    eva = api.user(606, "Eva", "sv")
    await command(api, eva, "/assess")
    await press(api, eva, "Snabbkoll")
    for _ in range(10):
        await press(api, eva, "Ja")
    await api.wait_for(lambda: "Sammanfattning" in text_with_buttons(api, eva))
    await command(api, eva, "/privacy")  # the summary's last messages may still be on their way
    await api.wait_for(lambda: any("Det här sparar jag om dig" in t for t in api.texts(eva.id)))
    await command(api, eva, "/delete")
    await press(api, eva, "Ja, radera mina uppgifter")
    assert "1 slutförd självskattning, 0 påminnelser" in last_text(api, eva)
    assert database.value("select count(*) from users where id='tg:606'") == 0
    assert database.value("select count(*) from assessments where user_id='tg:606'") == 0


async def test_command_in_a_group_links_to_a_private_chat(api, bot):
    group = api.group()
    anna = api.user(707, "Anna", "sv")
    await group.send_command(anna, "/assess")
    await api.wait_for(lambda: api.last_message(group.chat_id) is not None)
    record = api.last_message(group.chat_id)
    assert "privat chatt" in record["plain_text"]
    url = record["reply_markup"]["inline_keyboard"][0][0]["url"]
    assert url == "https://t.me/cluster_journey_test_bot?start=assess"
    assert api.sent(anna.id) == []


async def test_429_is_waited_out_and_nothing_is_lost(api, bot, content):
    bo = api.user(808, "Bo", "en")
    await command(api, bo, "/assess")
    api.fail_next("editMessageText", error_code=429, retry_after=1)
    await bo.press(next(d for t, d in api.buttons(bo.id) if t == "Quick check"))
    await api.wait_for(
        lambda: content.step(1).key_question.text.en in last_text(api, bo), timeout=6
    )
    assert ("editMessageText", 429) in [(method, code) for method, code, _ in api.errors]


async def test_blocked_user_does_not_break_the_bot(api, bot):
    gone = api.user(909, "Gone", "en")
    api.block_user(gone.id)
    await gone.send_command("/start")
    await api.wait_for(lambda: ("sendMessage", 403) in [(m, c) for m, c, _ in api.errors])
    other = api.user(910, "Other", "en")
    await command(api, other, "/start")
    assert "Welcome to Cluster Journey!" in last_text(api, other)


async def test_language_switch_is_remembered(api, bot):
    maja = api.user(111, "Maja", "sv")
    await command(api, maja, "/language")
    await press(api, maja, "English")
    toasts = [c.get("text") for c in api.calls_of("answerCallbackQuery")]
    assert "I will speak English from now on." in toasts
    await command(api, maja, "/help")
    assert last_text(api, maja).startswith("What I can do:")


async def test_an_internal_error_gets_a_polite_answer(api, bot, monkeypatch):
    from flows.router import Router

    original = Router.handle
    calls = {"n": 0}

    async def failing_once(self, turn, event):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("simulated bug")
        return await original(self, turn, event)

    monkeypatch.setattr(Router, "handle", failing_once)
    tove = api.user(112, "Tove", "sv")
    await command(api, tove, "/start")
    assert last_text(api, tove).startswith("Tyvärr gick något fel hos mig.")
    await command(api, tove, "/start")
    assert "Välkommen till Klusterresan!" in last_text(api, tove)
