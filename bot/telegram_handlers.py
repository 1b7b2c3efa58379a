"""Telegram handlers: updates in, Events to the engine, Replies rendered back.

Private chats run the conversation; in groups a command gets a short answer with a deep link to
continue in private, so a user's answers never appear in a group. A button press edits the
message it was pressed on (see `TelegramAdapter._deliver`); everything else sends new messages.
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

from bot import privacy, workshop_store
from bot.callback_data import decode
from bot.conversations import Conversations, Handled
from bot.live_results import LiveResults
from bot.telegram_render import MAX_CAPTION, escape, keyboard, split_text
from bot.workshops import RESULTS_TAG
from flows.conversation import position_token
from flows.i18n import _, normalise_language, use_language
from flows.messages import Event, Reply, parse_command
from flows.workshop_results import join_link

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
        self.live_results = LiveResults(conversations.workshops)

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
            update_id=update.update_id, bot_username=context.bot.username)
        if handled.status == "ok":
            await self._deliver(context.bot, chat.id, handled)

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        data = decode(query.data)
        message = query.message if isinstance(query.message, Message) else None
        if data is None or message is None or message.chat.type != "private":
            with use_language(await self._language(update)):
                await _answer(query, _("That button is no longer active."))
            return
        if data.flow == PRIVACY:
            await self._privacy_choice(query, message, data.choice, await self._language(update))
            return
        handled = await self.conversations.handle(
            user_key(query.from_user.id), Event("choice", data.choice),
            lang=normalise_language(query.from_user.language_code),
            token=data.token, update_id=update.update_id, bot_username=context.bot.username)
        if handled.status == "duplicate":
            return
        if handled.status == "stale":
            with use_language(handled.lang):
                await _answer(query, _("That button is no longer active."))
            return
        await self._deliver(context.bot, message.chat_id, handled, query, message)

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
        await edit_reply(query.get_bot(), message.chat_id, message.message_id, reply, PRIVACY, "")

    # --- delivering replies -----------------------------------------------------------------

    async def _deliver(self, bot: Bot, chat_id: int, handled: Handled,
                       query: CallbackQuery | None = None, message: Message | None = None) -> None:
        """Send the replies. After a button press, short notices become the press's toast and
        the next reply replaces the pressed message, so old buttons disappear and the chat stays
        short; attachments (charts, QR codes, exports) always come as new messages."""
        replies = list(handled.replies)
        if query is not None and message is not None:
            toast = []
            while len(replies) > 1 and not replies[0].choices \
                    and replies[0].attachment is None and len(replies[0].text) <= MAX_TOAST:
                toast.append(replies.pop(0).text)
            await _answer(query, " ".join(toast)[:MAX_TOAST] or None)
            if replies and replies[0].attachment is None:
                shown = await edit_reply(bot, chat_id, message.message_id, replies[0],
                                         JOURNEY, handled.token)
                await self._after_sent(replies.pop(0), shown or message, handled.lang)
            elif handled.completed:  # the summary follows: close the last question
                with use_language(handled.lang):
                    closing = Reply(_("Thank you, that was the last question. Your summary "
                                      "follows."))
                await edit_reply(bot, chat_id, message.message_id, closing, JOURNEY, "")
        for reply in replies:
            sent = await send_reply(bot, chat_id, reply, JOURNEY, handled.token)
            await self._after_sent(reply, sent, handled.lang)
        if handled.changed_workshop is not None:
            self.live_results.changed(bot, handled.changed_workshop)

    async def _after_sent(self, reply: Reply, message: Message, lang: str) -> None:
        if reply.tag.startswith(RESULTS_TAG):  # this message now shows the live results
            await workshop_store.set_results_message(
                self.conversations.storage, int(reply.tag.removeprefix(RESULTS_TAG)),
                message.chat_id, message.message_id, lang)

    async def send_reminder(self, bot: Bot, row: Any) -> None:
        """Deliver one due reminder (called by the reminder job); Telegram errors propagate so
        the job can retry later or stop reminding a user who blocked the bot."""
        record = await self.conversations.storage.load(row.user_id)
        state = record.state
        with use_language(state.lang):
            reply = self.conversations.engine.reminder_reply(
                state, (state.workshop or {}).get("step"),
                _("Reminder: time to move your international work on."))
        await send_reply(bot, row.chat_id, reply, JOURNEY, position_token(state))

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
        workshop = None
        if event.value == "workshop" and update.effective_user is not None:
            mine = await workshop_store.of_facilitator(self.conversations.storage,
                                                       user_key(update.effective_user.id))
            workshop = next((w for w in mine if not w.closed), None)
        with use_language(await self._language(update)):
            if workshop is not None:  # the facilitator posts the join button to the group
                text = _("Join the workshop “{title}”: press the button and answer in a private "
                         "chat. Only the combined results are shown.").format(title=workshop.title)
                button = InlineKeyboardButton(_("Join the workshop"), url=join_link(
                    context.bot.username, workshop.code))
            else:
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


async def send_reply(bot: Bot, chat_id: int, reply: Reply, flow: str,
                     token: str) -> Message:
    """Send one reply as new message(s): a photo or document, or text split to fit. Returns
    the last message sent (the one with the buttons)."""
    markup = keyboard(reply, flow, token)
    if reply.attachment is not None:
        data = await asyncio.to_thread(reply.attachment.render)
        file = InputFile(data, filename=reply.attachment.filename)
        caption = escape(reply.text)[:MAX_CAPTION]
        if reply.attachment.kind == "photo":
            return await bot.send_photo(chat_id, file, caption=caption, reply_markup=markup)
        return await bot.send_document(chat_id, file, caption=caption, reply_markup=markup)
    parts = split_text(escape(reply.text))
    sent = None
    for i, part in enumerate(parts):
        sent = await bot.send_message(chat_id, part,
                                      reply_markup=markup if i == len(parts) - 1 else None)
    assert sent is not None
    return sent


async def edit_reply(bot: Bot, chat_id: int, message_id: int, reply: Reply, flow: str,
                     token: str) -> Message | None:
    """Show `reply` in place of a message; send it new if the message cannot be edited.
    Returns the message now showing the reply's buttons (None if nothing changed)."""
    parts = split_text(escape(reply.text))
    markup = keyboard(reply, flow, token)
    try:
        edited = await bot.edit_message_text(parts[0], chat_id=chat_id, message_id=message_id,
                                             reply_markup=markup if len(parts) == 1 else None)
    except BadRequest as exc:
        if "not modified" in str(exc).lower():
            return None
        log.info("Could not edit message %s (%s); sending a new one", message_id, exc)
        return await send_reply(bot, chat_id, reply, flow, token)
    last = edited if isinstance(edited, Message) else None
    for i, part in enumerate(parts[1:], start=2):
        last = await bot.send_message(chat_id, part,
                                      reply_markup=markup if i == len(parts) else None)
    return last
