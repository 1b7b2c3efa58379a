"""The baseline: the cheapest python-telegram-bot bot that makes the same Bot API calls per update
as Cluster Journey's quick check — no conversation logic and no storage.

    python -m bench.baseline REPLIES.json [--paced]

Token and Bot API URL come from TELEGRAM_BOT_TOKEN and TELEGRAM_API_BASE_URL, as for the bot.
A command gets the mode prompt (sendMessage); a press gets answerCallbackQuery and an
editMessageText to the next question; the tenth answer gets answerCallbackQuery, an edit that
closes the question, sendMessage (the summary) and sendPhoto (the pre-rendered chart). Which
question comes next is carried in the button's callback data (`b.<question>.<choice>`).
`--paced` gives it the product's rate limiter, to compare like with like under pacing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)

QUESTIONS = 10


def _markup(shape: dict[str, Any], number: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(label, callback_data=f"b.{number}.{choice}")
                for label, choice in row
            ]
            for row in shape["rows"]
        ]
    )


class Baseline:
    """Everything prepared at start-up; per update only the Bot API calls remain."""

    def __init__(self, sample: dict[str, Any]) -> None:
        self.chart = Path(sample["chart"]).read_bytes()
        self.replies = {}
        for lang in ("en", "sv"):
            s = sample[lang]
            self.replies[lang] = {
                "mode": (s["mode"]["text"], _markup(s["mode"], 0)),
                "questions": [
                    (q["text"], _markup(q, n)) for n, q in enumerate(s["questions"], start=1)
                ],
                "closing": s["closing"],
                "caption": s["caption"],
                "summary": (s["summary"]["text"], _markup(s["summary"], QUESTIONS + 1)),
                "question": (s["question"]["text"], _markup(s["question"], QUESTIONS + 1)),
                "consent": (s["consent"]["text"], _markup(s["consent"], QUESTIONS + 1)),
            }

    def _lang(self, update: Update) -> dict[str, Any]:
        user = update.effective_user
        code = (user.language_code if user else None) or ""
        return self.replies["sv" if code.startswith("sv") else "en"]

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        text, markup = self._lang(update)["mode"]
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)

    async def on_press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.data is not None and query.message is not None
        replies = self._lang(update)
        _flow, number, choice = query.data.split(".", 2)
        chat_id, message_id = query.message.chat.id, query.message.message_id
        await query.answer()
        after = max(int(number) - 1, 1) if choice == "nav:back" else int(number) + 1
        if after <= QUESTIONS:
            text, markup = replies["questions"][after - 1]
            await context.bot.edit_message_text(
                text, chat_id=chat_id, message_id=message_id, reply_markup=markup
            )
            return
        await context.bot.edit_message_text(
            replies["closing"], chat_id=chat_id, message_id=message_id
        )
        for part in ("summary", "question"):  # the summary, then the reminder question
            text, markup = replies[part]
            await context.bot.send_message(chat_id, text, reply_markup=markup)
        await context.bot.send_photo(
            chat_id, InputFile(self.chart, filename="readiness.png"), caption=replies["caption"]
        )
        text, markup = replies["consent"]  # asked once, after the first summary, as the bot does
        await context.bot.send_message(chat_id, text, reply_markup=markup)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.baseline")
    parser.add_argument("replies", type=Path, help="the replies file written by bench.workload")
    parser.add_argument("--paced", action="store_true", help="the product's rate limiter")
    args = parser.parse_args(argv)
    baseline = Baseline(json.loads(args.replies.read_text()))
    builder = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
            )
        )
        .concurrent_updates(256)
    )
    if args.paced:
        from bot.telegram.pacing import Pacing

        builder = builder.rate_limiter(Pacing())
    application = builder.build()
    application.add_handler(CallbackQueryHandler(baseline.on_press))
    application.add_handler(MessageHandler(filters.COMMAND, baseline.on_command))
    application.run_polling(allowed_updates=["message", "callback_query"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
