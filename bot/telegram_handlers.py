"""Telegram handlers: updates in, Events to the engine, Replies rendered back.

Private chats run the conversation; in groups a command gets a short answer with a deep link to
continue in private, so a user's answers never appear in a group. A button press edits the
message it was pressed on (see `_render_callback`); everything else sends new messages.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    Update,
)
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import privacy
from bot.callback_data import decode
from bot.conversations import Conversations, Handled
from bot.telegram_render import MAX_CAPTION, escape, keyboard, split_text
from flows.i18n import _, normalise_language, use_language
from flows.messages import Event, Reply, parse_command

log = logging.getLogger(__name__)
MAX_TOAST = 200
DEEP_LINK_PAYLOADS = {"assess": "assess", "steps": "steps", "glossary": "glossary",
                      "summary": "assess"}
JOURNEY, PRIVACY = "j", "p"


def user_key(user_id: int) -> str:
    return f"tg:{user_id}"


class TelegramAdapter:
    def __init__(self, conversations: Conversations) -> None:
        self.conversations = conversations

    def register(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        private = filters.ChatType.PRIVATE
        application.add_handler(CallbackQueryHandler(self.on_callback))
        application.add_handler(MessageHandler(filters.COMMAND & private, self.on_command))
        application.add_handler(MessageHandler(filters.COMMAND & filters.ChatType.GROUPS,
                                               self.on_group_command))
        application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & private,
                                               self.on_text))
        application.add_handler(MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL,
                                               self.on_other))
        application.add_error_handler(self.on_error)

    # --- language -------------------------------------------------------------------------

    async def _language(self, update: Update) -> str:
        """The user's remembered language, else the one their Telegram app uses."""
        user = update.effective_user
        hint = normalise_language(user.language_code if user else None)
        if user is None:
            return hint
        record = await self.conversations.record(user_key(user.id))
        return record.state.lang if record.exists else hint

    # --- private chat ---------------------------------------------------------------------

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or not message.text:
            return
        event = parse_command(message.text) or Event("text", message.text)
        if event.value in ("privacy", "delete"):
            with use_language(await self._language(update)):
                reply = privacy.privacy_reply() if event.value == "privacy" \
                    else privacy.confirm_reply()
                await send_reply(context.bot, message.chat_id, reply, PRIVACY, "")
            return
        await self._run(update, context, event)

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None and message.text is not None:
            await self._run(update, context, Event("text", message.text))

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Photos, stickers, voice and the like: say what the bot understands."""
        message = update.effective_message
        if message is None:
            return
        with use_language(await self._language(update)):
            await send_reply(context.bot, message.chat_id, Reply(
                _("I can only read text and button presses. Send /help to see what I can do.")),
                JOURNEY, "")

    async def _run(self, update: Update, context: ContextTypes.DEFAULT_TYPE,
                   event: Event) -> None:
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            return
        handled = await self.conversations.handle(
            user_key(user.id), event, lang=normalise_language(user.language_code),
            update_id=update.update_id)
        if handled.status == "ok":
            await send_replies(context.bot, chat.id, handled)

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        data = decode(query.data)
        message = query.message if isinstance(query.message, Message) else None
        lang = await self._language(update)
        if data is None or message is None or message.chat.type != "private":
            with use_language(lang):
                await _answer(query, _("That button is no longer active."))
            return
        if data.flow == PRIVACY:
            await self._privacy_choice(query, message, data.choice, lang)
            return
        handled = await self.conversations.handle(
            user_key(query.from_user.id), Event("choice", data.choice), lang=lang,
            token=data.token, update_id=update.update_id)
        if handled.status == "duplicate":
            return
        if handled.status == "stale":
            with use_language(handled.lang):
                await _answer(query, _("That button is no longer active."))
            return
        await _render_callback(context.bot, query, message, handled)

    async def _privacy_choice(self, query: CallbackQuery, message: Message, choice: str,
                              lang: str) -> None:
        with use_language(lang):
            if choice == privacy.CONFIRM:
                reply = await privacy.erase(self.conversations.storage,
                                            user_key(query.from_user.id))
            elif choice == privacy.CANCEL:
                reply = privacy.cancelled_reply()
            else:
                await _answer(query, _("That button is no longer active."))
                return
        await _answer(query)
        await _edit(query.get_bot(), message, reply, PRIVACY, "")

    # --- groups ---------------------------------------------------------------------------

    async def on_group_command(self, update: Update,
                               context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or not message.text:
            return
        event = parse_command(message.text)
        if event is None:
            return
        payload = DEEP_LINK_PAYLOADS.get(event.value, "")
        link = f"https://t.me/{context.bot.username}" + (f"?start={payload}" if payload else "")
        with use_language(await self._language(update)):
            text = _("Let's continue in a private chat, so that your answers stay yours.")
            button = InlineKeyboardButton(_("Open a private chat"), url=link)
        await context.bot.send_message(message.chat_id, escape(text),
                                       reply_markup=InlineKeyboardMarkup([[button]]))

    # --- errors ---------------------------------------------------------------------------

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        if isinstance(error, Forbidden):
            log.info("User blocked the bot or left: %s", error)
            return
        where = update.to_dict() if isinstance(update, Update) else repr(update)
        log.error("Error while handling update %s", where, exc_info=error)
        if not isinstance(update, Update) or update.effective_chat is None \
                or update.effective_chat.type != "private":
            return
        try:
            lang = await self._language(update)
        except Exception:  # the database itself may be what failed
            user = update.effective_user
            lang = normalise_language(user.language_code if user else None)
        with use_language(lang):
            text = _("Sorry, something went wrong on my side. Your answers so far are saved; "
                     "please try again in a moment.")
        try:
            if update.callback_query is not None:
                await _answer(update.callback_query)
            await context.bot.send_message(update.effective_chat.id, escape(text))
        except TelegramError:
            log.warning("Could not tell the user about the error", exc_info=True)


# --- rendering ------------------------------------------------------------------------------


async def _answer(query: CallbackQuery, text: str | None = None) -> None:
    """Answer a button press. Telegram refuses answers to presses older than about 15 minutes
    (e.g. made while the bot was down); the press is still handled, only the toast is lost."""
    try:
        await query.answer(text)
    except BadRequest as exc:
        log.info("Could not answer callback query %s: %s", query.id, exc)


async def send_replies(bot: Bot, chat_id: int, handled: Handled) -> None:
    for reply in handled.replies:
        await send_reply(bot, chat_id, reply, JOURNEY, handled.token)


async def send_reply(bot: Bot, chat_id: int, reply: Reply, flow: str, token: str) -> None:
    """Send one reply as new message(s): a photo or document, or text split to fit."""
    markup = keyboard(reply, flow, token)
    if reply.attachment is not None:
        data = await asyncio.to_thread(reply.attachment.render)
        file = InputFile(data, filename=reply.attachment.filename)
        caption = escape(reply.text)[:MAX_CAPTION]
        if reply.attachment.kind == "photo":
            await bot.send_photo(chat_id, file, caption=caption, reply_markup=markup)
        else:
            await bot.send_document(chat_id, file, caption=caption, reply_markup=markup)
        return
    parts = split_text(escape(reply.text))
    for i, part in enumerate(parts):
        await bot.send_message(chat_id, part, reply_markup=markup if i == len(parts) - 1 else None)


async def _edit(bot: Bot, message: Message, reply: Reply, flow: str, token: str) -> None:
    """Show `reply` in place of `message`; send it new if the message cannot be edited."""
    parts = split_text(escape(reply.text))
    markup = keyboard(reply, flow, token)
    try:
        await bot.edit_message_text(parts[0], chat_id=message.chat_id,
                                    message_id=message.message_id,
                                    reply_markup=markup if len(parts) == 1 else None)
    except BadRequest as exc:
        if "not modified" in str(exc).lower():
            return
        log.info("Could not edit message %s (%s); sending a new one", message.message_id, exc)
        await send_reply(bot, message.chat_id, reply, flow, token)
        return
    for i, part in enumerate(parts[1:], start=2):
        await bot.send_message(message.chat_id, part,
                               reply_markup=markup if i == len(parts) else None)


async def _render_callback(bot: Bot, query: CallbackQuery, message: Message,
                           handled: Handled) -> None:
    """A button press edits the message it was pressed on into the next step, so old buttons
    disappear and the chat stays short; short notices become the callback's toast."""
    replies = list(handled.replies)
    toast = []
    while len(replies) > 1 and not replies[0].choices and replies[0].attachment is None \
            and len(replies[0].text) <= MAX_TOAST:
        toast.append(replies.pop(0).text)
    await _answer(query, " ".join(toast)[:MAX_TOAST] or None)
    first = replies[0]
    if first.attachment is None:
        await _edit(bot, message, first, JOURNEY, handled.token)
        replies = replies[1:]
    else:
        # the summary comes as new messages: close the question message, taking its buttons
        with use_language(handled.lang):
            await _edit(bot, message, Reply(_("Thank you, that was the last question. Your "
                                              "summary follows.")), JOURNEY, handled.token)
    for reply in replies:
        await send_reply(bot, message.chat_id, reply, JOURNEY, handled.token)
