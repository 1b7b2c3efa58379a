"""Turning Replies into Telegram messages: HTML-escaped text split to fit, inline keyboards,
attachments drawn off the event loop; sending them new or in place of an earlier message."""

from __future__ import annotations

import html
import logging
from typing import Any

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
)
from telegram.error import BadRequest

from bot.render import drawn
from bot.telegram.callback_data import encode
from bot.telegram.limits import MAX_CAPTION, MAX_LABEL, MAX_MESSAGE
from flows.messages import Reply

log = logging.getLogger(__name__)


def split_text(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split at paragraph boundaries (then lines, then spaces) into parts of at most `limit`."""
    parts: list[str] = []
    rest = text.strip() or "…"
    while len(rest) > limit:
        window = rest[:limit]
        cut = (
            max(window.rfind("\n\n"), 0)
            or max(window.rfind("\n"), 0)
            or max(window.rfind(" "), 0)
            or limit
        )
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    parts.append(rest)
    return [p for p in parts if p]


def escape(text: str) -> str:
    """All text is sent as HTML; escape it so content can never break the markup."""
    return html.escape(text, quote=False)


def keyboard(reply: Reply, token: str) -> InlineKeyboardMarkup | None:
    if not reply.choices:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(c.label[:MAX_LABEL], url=c.url)
                if c.url
                else InlineKeyboardButton(
                    c.label[:MAX_LABEL],
                    # a press on it leaves its message as it is
                    callback_data=encode(token, c.id, reply.stays or c.opens_beside),
                )
                for c in row
            ]
            for row in reply.choice_rows()
        ]
    )


async def answer(query: CallbackQuery, text: str | None = None) -> None:
    """Answer a button press. Telegram refuses answers to presses older than about 15 minutes
    (e.g. made while the bot was down); the press is still handled, only the toast is lost."""
    try:
        await query.answer(text)
    except BadRequest as exc:
        log.info("Could not answer callback query %s: %s", query.id, exc)


async def send_reply(
    bot: Bot, chat_id: int, reply: Reply, token: str = "", *, lane: str | None = None
) -> Message:
    """Send one reply as new message(s): a photo or document, or text split to fit. Returns
    the last message sent (the one with the buttons). A send in a `lane` (`BULK` for a
    reminder, `LATER` for what may wait) is paced behind interactive replies
    (`bot.telegram.pacing`)."""
    markup = keyboard(reply, token)
    pacing: dict[str, Any] = {"rate_limit_args": lane} if lane else {}
    if reply.attachment is not None:
        data = await drawn(reply.attachment)
        file = InputFile(data, filename=reply.attachment.filename)
        caption = escape(reply.text)[:MAX_CAPTION]
        if reply.attachment.is_image:
            return await bot.send_photo(
                chat_id, file, caption=caption, reply_markup=markup, **pacing
            )
        return await bot.send_document(
            chat_id, file, caption=caption, reply_markup=markup, **pacing
        )
    parts = split_text(escape(reply.text))
    sent = None
    for i, part in enumerate(parts):
        sent = await bot.send_message(
            chat_id, part, reply_markup=markup if i == len(parts) - 1 else None, **pacing
        )
    assert sent is not None
    return sent


async def edit_reply(
    bot: Bot,
    chat_id: int,
    message_id: int,
    reply: Reply,
    token: str = "",
    *,
    lane: str | None = None,
) -> Message | None:
    """Show `reply` in place of a message; send it new if the message cannot be edited.
    Returns the message now showing the reply's buttons (None if nothing changed)."""
    parts = split_text(escape(reply.text))
    markup = keyboard(reply, token)
    pacing: dict[str, Any] = {"rate_limit_args": lane} if lane else {}
    try:
        edited = await bot.edit_message_text(
            parts[0],
            chat_id=chat_id,
            message_id=message_id,
            reply_markup=markup if len(parts) == 1 else None,
            **pacing,
        )
    except BadRequest as exc:
        if "not modified" in str(exc).lower():
            return None
        log.info("Could not edit message %s (%s); sending a new one", message_id, exc)
        return await send_reply(bot, chat_id, reply, token, lane=lane)
    last = edited if isinstance(edited, Message) else None
    for i, part in enumerate(parts[1:], start=2):
        last = await bot.send_message(
            chat_id, part, reply_markup=markup if i == len(parts) else None, **pacing
        )
    return last
