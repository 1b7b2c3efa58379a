"""Self-test of the fake Bot API server (this package), driven by a real python-telegram-bot
client."""

from __future__ import annotations

import asyncio
import contextlib
import struct
import time
import zlib
from collections.abc import AsyncIterator

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from tests.fakebotapi import FakeBotApi

ANNA = 1001
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")


def tiny_png(width: int = 3, height: int = 2) -> bytes:
    """A valid grayscale PNG of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\xff" * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as server:
        yield server
        assert server.internal_errors == []


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with api.make_bot() as client:
        yield client


@contextlib.asynccontextmanager
async def polling(app: Application) -> AsyncIterator[Application]:
    """Run an Application with long polling against the fake server."""
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


async def test_get_me(api: FakeBotApi) -> None:
    async with Bot(api.token, base_url=api.base_url) as bot:
        me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (42, "cluster_journey_test_bot", True)
    assert me.can_join_groups is True
    assert [name for name, _ in api.calls] == ["getMe", "getMe"]  # initialize() + get_me()
    assert api.violations == []


async def test_start_command_reaches_handler_and_buttons_work(api: FakeBotApi) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_user is not None and update.effective_message is not None
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Ja", callback_data="yes")]])
        await update.effective_message.reply_text(
            f"Hej <b>{update.effective_user.first_name}</b>! args={context.args}",
            parse_mode="HTML",
            reply_markup=keyboard,
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Noted")
        await query.edit_message_text(f"You chose {query.data}")

    app = Application.builder().token(api.token).base_url(api.base_url).build()
    assert isinstance(api.application_builder().build(), Application)
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    anna = api.user(ANNA, first_name="Anna", language_code="sv")
    async with polling(app):
        update = await anna.send_command("/start", payload="ref42")
        await api.wait_for(lambda: api.sent(ANNA))
        record = api.last_message(ANNA)
        assert record is not None
        assert record["text"] == "Hej <b>Anna</b>! args=['ref42']"
        assert record["message"]["text"] == "Hej Anna! args=['ref42']"
        assert record["message"]["entities"] == [{"type": "bold", "offset": 4, "length": 4}]
        assert api.buttons(ANNA) == [("Ja", "yes")]

        press = await anna.press("yes")
        await api.wait_for(lambda: api.texts(ANNA) == ["You chose yes"])
        await api.settle(quiet=0.05)

    assert update["message"]["entities"][0] == {"type": "bot_command", "offset": 0, "length": 6}
    assert api.buttons(ANNA) == []  # editMessageText without reply_markup drops the keyboard
    assert api.callback_answers[press["callback_query"]["id"]]["text"] == "Noted"
    assert api.unanswered_callbacks() == []
    assert api.pending_updates == []
    assert api.violations == []


async def test_callback_data_over_64_bytes_is_a_violation(api: FakeBotApi, bot: Bot) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Å", callback_data="å" * 40)]])
    with pytest.raises(BadRequest, match="callback_data"):
        await bot.send_message(ANNA, "Choose", reply_markup=keyboard)
    assert len(api.violations) == 1
    assert "inline_keyboard[0][0].callback_data: 80 bytes, allowed 1-64" in api.violations[0]
    assert api.sent(ANNA) == []


async def test_unknown_parameter_is_a_violation(api: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="colour"):
        await bot.send_message(ANNA, "Hi", api_kwargs={"colour": "red"})
    assert api.violations == ["sendMessage: unknown parameter 'colour'"]


async def test_type_limit_and_markup_violations(api: FakeBotApi, bot: Bot) -> None:
    for bad in (
        bot.send_message(ANNA, "x" * 4097),
        bot.send_message(ANNA, "   "),
        bot.send_message(ANNA, "a <b>bold", parse_mode="HTML"),
        bot.send_message(ANNA, "1.5", parse_mode="MarkdownV2"),
        bot.send_chat_action(ANNA, "dancing"),
        bot.set_my_commands([BotCommand("Start", "Begin")]),
    ):
        with pytest.raises(BadRequest):
            await bad
    assert len(api.violations) == 6
    assert "4097 characters" in api.violations[0]
    assert "message text is empty" in api.violations[1]
    assert "can't parse entities" in api.violations[2]
    assert "'MarkdownV2' is not modelled by this fake, the bot sends HTML only" in api.violations[3]


async def test_send_photo_and_document_multipart_are_stored(api: FakeBotApi, bot: Bot) -> None:
    png = tiny_png()
    message = await bot.send_photo(ANNA, photo=png, caption="Your chart", filename="chart.png")
    assert (message.photo[-1].width, message.photo[-1].height) == (3, 2)
    record = api.last_message(ANNA)
    assert record is not None
    assert (record["method"], record["filename"]) == ("sendPhoto", "chart.png")
    assert record["photo"] == png
    assert record["caption"] == "Your chart"

    again = await bot.send_photo(ANNA, photo=message.photo[-1].file_id)  # resend by file_id
    assert again.message_id == message.message_id + 1

    doc = await bot.send_document(ANNA, document=b"summary", filename="summary.txt")
    assert doc.document is not None and doc.document.file_name == "summary.txt"
    assert api.last_message(ANNA)["document"] == b"summary"  # type: ignore[index]
    with pytest.raises(BadRequest, match=r"(?i)image_process_failed"):
        await bot.send_photo(ANNA, photo=b"not an image")
    assert api.violations == []


async def test_fail_next_429_raises_retry_after(api: FakeBotApi, bot: Bot) -> None:
    api.fail_next("sendMessage", error_code=429, retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(ANNA, "Hi")
    assert "3" in str(caught.value)
    assert api.errors[-1] == ("sendMessage", 429, "Too Many Requests: retry after 3")
    await bot.send_message(ANNA, "Hi again")  # only the next call fails
    assert api.texts(ANNA) == ["Hi again"]
    assert api.violations == []


async def test_blocked_user_and_flood_limits(api: FakeBotApi, bot: Bot) -> None:
    api.block_user(7)
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(7, "Hi")
    api.flood_limits(per_chat_per_sec=1, global_per_sec=30)
    await bot.send_message(ANNA, "one")
    with pytest.raises(RetryAfter):
        await bot.send_message(ANNA, "two")
    assert api.rejected_429 == 1
    assert api.violations == []


async def test_get_updates_offsets_and_long_poll(api: FakeBotApi, bot: Bot) -> None:
    anna = api.user(ANNA)
    first = await anna.send_text("hello")
    api.push_update(first)  # the same update_id twice, as after a retry
    updates = await bot.get_updates(timeout=0)
    assert [u.update_id for u in updates] == [first["update_id"]] * 2
    assert len(await bot.get_updates(timeout=0)) == 2  # unconfirmed: delivered again
    assert await bot.get_updates(offset=first["update_id"] + 1, timeout=0) == ()

    async def later() -> None:
        await asyncio.sleep(0.05)
        await anna.send_command("/help")

    started = time.monotonic()
    _, polled = await asyncio.gather(later(), bot.get_updates(timeout=3))
    assert time.monotonic() - started < 1
    assert polled[0].message is not None and polled[0].message.text == "/help"


async def test_group_command_and_commands_per_scope(api: FakeBotApi, bot: Bot) -> None:
    group = api.group(-1001234)
    await group.send_command(api.user(ANNA), "/assess", mention=True)
    (update,) = await bot.get_updates(timeout=0)
    assert update.effective_chat is not None and update.effective_chat.type == "supergroup"
    assert update.message is not None and update.message.text.startswith("/assess@cluster_")

    scope = BotCommandScopeChat(ANNA)
    assert await bot.set_my_commands([BotCommand("start", "Börja")], scope, "sv")
    assert [c.command for c in await bot.get_my_commands(scope, "sv")] == ["start"]
    assert await bot.get_my_commands() == ()
    assert api.violations == []


async def test_wait_for_reports_timeout(api: FakeBotApi) -> None:
    with pytest.raises(AssertionError, match=r"condition not met within 0\.05s"):
        await api.wait_for(lambda: api.sent(ANNA), timeout=0.05)


async def test_other_methods_get_valid_answers(api: FakeBotApi, bot: Bot) -> None:
    api.user(ANNA, first_name="Anna")
    chat = await bot.get_chat(ANNA)
    assert (chat.id, chat.type, chat.first_name) == (ANNA, "private", "Anna")
    member = await bot.get_chat_member(ANNA, ANNA)
    assert member.status == "member" and member.user.first_name == "Anna"
    location = await bot.send_location(ANNA, latitude=59.33, longitude=18.07)
    assert location.location is not None and location.location.latitude == 59.33
    assert await bot.pin_chat_message(ANNA, location.message_id) is True
    assert await bot.delete_message(ANNA, location.message_id) is True
    with pytest.raises(BadRequest, match="not found"):
        await bot.delete_message(ANNA, location.message_id)
    assert api.sent(ANNA) == []
    assert api.violations == []


async def test_a_forged_press_reaches_the_bot_and_may_be_answered(
    api: FakeBotApi, bot: Bot
) -> None:
    api.user(ANNA)
    sent = await bot.send_message(ANNA, "No buttons here")
    api.forge_press(ANNA, "admin:delete-everything")
    (update,) = await bot.get_updates(timeout=0)
    query = update.callback_query
    assert query is not None and query.data == "admin:delete-everything"
    assert query.message is not None and query.message.message_id == sent.message_id
    assert await query.answer("No") is True
    assert api.unanswered_callbacks() == []
    assert api.violations == []
