"""Telegram handlers: updates in, Events to the router (via `bot.events`), Replies sent back.

Private chats run the conversation; in groups a command gets a short answer with a deep link to
continue in private, so a user's answers never appear in a group. A button press edits the
message it was pressed on (see `TelegramAdapter._deliver`); everything else sends new messages.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from telegram import Bot, CallbackQuery, Message, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.events import EventRunner, Handled
from bot.storage.workshops import WorkshopStore, chat_of
from bot.telegram.callback_data import decode
from bot.telegram.links import TelegramChannel, pasted_link_event
from bot.telegram.live_results import LiveResults
from bot.telegram.pacing import BULK, LATER, Slots
from bot.telegram.sending import answer, edit_reply, escape, send_reply
from flows.commands import group_reply
from flows.i18n import normalise_language, use_language
from flows.journey.assessment import position_token
from flows.messages import Event, ReadinessChart, Reply, parse_command
from flows.notices import last_question, only_text, stale_button, went_wrong
from flows.workshop.port import WorkshopInfo

log = logging.getLogger(__name__)
MAX_TOAST = 200


def user_key(user_id: int) -> str:
    return f"tg:{user_id}"


def lane_of(reply: Reply) -> str | None:
    """A summary's chart may wait behind other users' next questions: the text it illustrates
    has been sent already."""
    content = reply.attachment.content if reply.attachment is not None else None
    return LATER if isinstance(content, ReadinessChart) else None


class TelegramAdapter:
    def __init__(self, events: EventRunner, slots: Slots, results_interval: float = 3.0) -> None:
        self.events = events
        self.live_results = LiveResults(
            events.router.facilitation, events.storage, slots, results_interval
        )

    def register(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        private = filters.ChatType.PRIVATE
        application.add_handler(CallbackQueryHandler(self.on_callback))
        application.add_handler(MessageHandler(filters.COMMAND & private, self.on_command))
        application.add_handler(
            MessageHandler(filters.COMMAND & filters.ChatType.GROUPS, self.on_group_command)
        )
        application.add_handler(
            MessageHandler(filters.TEXT & ~filters.COMMAND & private, self.on_text)
        )
        application.add_handler(
            MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, self.on_other)
        )
        application.add_error_handler(self.on_error)

    # --- language -------------------------------------------------------------------------

    async def _language(self, update: Update) -> str:
        """The user's remembered language, else the one their Telegram app uses."""
        user = update.effective_user
        hint = normalise_language(user.language_code if user else None)
        if user is None:
            return hint
        record = await self.events.record(user_key(user.id))
        return record.conversation.lang if record.exists else hint

    # --- private chat ---------------------------------------------------------------------

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or not message.text:
            return
        event = parse_command(message.text) or Event("text", message.text)
        await self._run(update, context, event)

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None and message.text is not None:
            event = pasted_link_event(message.text) or Event("text", message.text)
            await self._run(update, context, event)

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Photos, stickers, voice and the like: say what the bot understands."""
        message = update.effective_message
        if message is None:
            return
        with use_language(await self._language(update)):
            await send_reply(context.bot, message.chat_id, Reply(only_text()))

    async def _run(self, update: Update, context: ContextTypes.DEFAULT_TYPE, event: Event) -> None:
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            return
        handled = await self.events.handle(
            user_key(user.id),
            event,
            TelegramChannel(context.bot.username, chat.id),
            lang=normalise_language(user.language_code),
            update_id=update.update_id,
            fingerprint=fingerprint(update),
        )
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
                await answer(query, stale_button())
            return
        handled = await self.events.handle(
            user_key(query.from_user.id),
            Event("choice", data.choice),
            TelegramChannel(context.bot.username, message.chat_id),
            lang=normalise_language(query.from_user.language_code),
            token=data.token,
            update_id=update.update_id,
            fingerprint=fingerprint(update),
        )
        if handled.status == "duplicate":  # handled before: only the press is answered again
            await answer(query)
            return
        if handled.status == "stale":
            with use_language(handled.lang):
                await answer(query, stale_button())
            return
        await self._deliver(
            context.bot, message.chat_id, handled, query, None if data.keep else message
        )

    # --- delivering replies -----------------------------------------------------------------

    async def _deliver(
        self,
        bot: Bot,
        chat_id: int,
        handled: Handled,
        query: CallbackQuery | None = None,
        message: Message | None = None,
    ) -> None:
        """Send the replies. After a button press, short notices become the press's toast and
        the next reply replaces the pressed message (`message`; None for a message to keep, such
        as a summary), so old buttons disappear and the chat stays short; attachments (charts,
        QR codes, exports) always come as new messages."""
        replies = list(handled.replies)
        if query is not None and replies and all(reply.brief for reply in replies):
            # a press that changed nothing: only answered, the message stays as it is
            await answer(query, " ".join(reply.text for reply in replies)[:MAX_TOAST])
            return
        if query is not None:
            toast = []
            while (
                len(replies) > 1
                and not replies[0].choices
                and replies[0].attachment is None
                and len(replies[0].text) <= MAX_TOAST
            ):
                toast.append(replies.pop(0).text)
            await answer(query, " ".join(toast)[:MAX_TOAST] or None)
            if (
                message is not None
                and replies
                and replies[0].attachment is None
                and not handled.completed
            ):
                shown = await edit_reply(
                    bot, chat_id, message.message_id, replies[0], handled.token
                )
                await self._after_sent(bot, replies.pop(0), shown or message, handled.lang)
            elif message is not None and handled.completed:  # close the last question
                with use_language(handled.lang):
                    closing = Reply(last_question())
                await edit_reply(bot, chat_id, message.message_id, closing)
        for reply in replies:
            sent = await send_reply(bot, chat_id, reply, handled.token, lane=lane_of(reply))
            await self._after_sent(bot, reply, sent, handled.lang)
        for workshop_id in handled.changed_workshops:
            self.live_results.changed(bot, workshop_id)

    async def _after_sent(self, bot: Bot, reply: Reply, message: Message, lang: str) -> None:
        shows = reply.shows
        if shows is not None:  # this message now shows the live results, at this revision
            await WorkshopStore(self.events.storage).set_results_message(
                shows.workshop_id,
                message.chat_id,
                message.message_id,
                lang,
                shows.revision,
            )
            self.live_results.changed(bot, shows.workshop_id)  # an answer since is shown next

    async def send_reminder(self, bot: Bot, row: Any) -> None:
        """Deliver one due reminder (called by the reminder job); Telegram errors propagate so
        the job can retry later or stop reminding a user who blocked the bot."""
        record = await self.events.storage.load(row.user_id)
        conv = record.conversation
        with use_language(conv.lang):
            reply = self.events.router.reminders.due_reply(
                conv, self.events.clock(), record.timezone
            )
        await send_reply(bot, row.chat_id, reply, position_token(conv), lane=BULK)

    async def send_notice(self, bot: Bot, user_id: str, reply: Reply) -> bool:
        """A notice from a job (the retention's) to a Telegram user's private chat; False for
        a user of another channel."""
        chat = chat_of(user_id)
        if chat is None:
            return False
        await send_reply(bot, chat, reply, lane=BULK)
        return True

    # --- groups ---------------------------------------------------------------------------

    async def on_group_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or not message.text:
            return
        event = parse_command(message.text)
        if event is None:
            return
        user = update.effective_user

        async def facilitated() -> Sequence[WorkshopInfo]:
            if user is None:
                return []
            return await WorkshopStore(self.events.storage).of_facilitator(user_key(user.id))

        channel = TelegramChannel(context.bot.username, message.chat_id)
        join_page = WorkshopStore(self.events.storage, self.events.pages).join_page
        with use_language(await self._language(update)):
            reply = await group_reply(event.value, channel, facilitated, join_page)
        await send_reply(context.bot, message.chat_id, reply)

    # --- errors ---------------------------------------------------------------------------

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        if isinstance(error, Forbidden):
            log.info("User blocked the bot or left: %s", error)
            return
        # which update, never what the user wrote or their name
        where = (
            f"{update.update_id} ({'button' if update.callback_query else 'message'})"
            if isinstance(update, Update)
            else type(update).__name__
        )
        log.error("Error while handling update %s", where, exc_info=error)
        if (
            not isinstance(update, Update)
            or update.effective_chat is None
            or update.effective_chat.type != "private"
        ):
            return
        try:
            lang = await self._language(update)
        except Exception:  # the database itself may be what failed
            user = update.effective_user
            lang = normalise_language(user.language_code if user else None)
        with use_language(lang):
            text = went_wrong()
        try:
            if update.callback_query is not None:
                await answer(update.callback_query)
            await context.bot.send_message(update.effective_chat.id, escape(text))
        except TelegramError:
            log.warning("Could not tell the user about the error", exc_info=True)


def fingerprint(update: Update) -> str:
    """What an update carries, beside its id, to tell a redelivery (the same update again)
    from a new update that reuses an id (a new Bot API server counts from the start again)."""
    if update.callback_query is not None:
        return f"c{update.callback_query.id}"
    message = update.effective_message
    return f"m{message.chat_id}:{message.message_id}" if message is not None else ""
