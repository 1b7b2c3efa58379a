"""Wiring the Telegram bot: one Application with its rate limiter, update processor, command
menus and handlers; `run` serves it by long polling or by webhook."""

from __future__ import annotations

import asyncio
import logging
import sys
from dataclasses import dataclass
from typing import Any
from weakref import WeakValueDictionary

from aiolimiter import AsyncLimiter
from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, BaseUpdateProcessor
from telegram.ext import Defaults as PtbDefaults

from bot.config import Settings
from bot.conversations import Conversations
from bot.reminders import ReminderDispatcher
from bot.storage import Storage
from bot.telegram_handlers import TelegramAdapter
from flows.content_model import Content
from flows.conversation import Engine
from flows.i18n import N_, _, use_language

log = logging.getLogger(__name__)
MAX_RETRIES = 5
REMINDER_INTERVAL = 30  # seconds between runs of the reminder job
ALLOWED_UPDATES = ["message", "callback_query"]

COMMANDS = (
    ("start", N_("Welcome and main menu")),
    ("assess", N_("Start or continue the self-assessment")),
    ("summary", N_("Your latest readiness summary")),
    ("steps", N_("Browse the ten steps of the journey")),
    ("glossary", N_("Look up a term")),
    ("language", N_("Svenska / English")),
    ("workshop", N_("Create or join a workshop")),
    ("remind", N_("Your reminders")),
    ("help", N_("What the bot can do")),
    ("privacy", N_("What is stored about you")),
    ("delete", N_("Erase your data")),
)


class ChatPacingRateLimiter(AIORateLimiter):
    """PTB's limiter paces the overall and group limits and retries after a 429; this adds
    pacing per private chat (about one message a second, short bursts allowed)."""

    def __init__(self, chat_burst: int = 3, chat_period: float = 3.0, **kwargs: Any) -> None:
        super().__init__(max_retries=MAX_RETRIES, **kwargs)
        self._chat_burst, self._chat_period = chat_burst, chat_period
        self._chat_limiters: dict[int, AsyncLimiter] = {}

    def _chat_limiter(self, chat_id: int) -> AsyncLimiter:
        if len(self._chat_limiters) > 1024:  # forget chats whose budget has fully recovered
            for key, old in list(self._chat_limiters.items()):
                if old.has_capacity(old.max_rate):
                    del self._chat_limiters[key]
        limiter = self._chat_limiters.get(chat_id)
        if limiter is None:
            limiter = self._chat_limiters[chat_id] = AsyncLimiter(self._chat_burst,
                                                                  self._chat_period)
        return limiter

    async def process_request(self, callback: Any, args: Any, kwargs: dict[str, Any],
                              endpoint: str, data: dict[str, Any],
                              rate_limit_args: int | None) -> Any:
        chat_id = data.get("chat_id")
        if isinstance(chat_id, int) and chat_id > 0:
            async with self._chat_limiter(chat_id):
                return await super().process_request(callback, args, kwargs, endpoint, data,
                                                     rate_limit_args)
        return await super().process_request(callback, args, kwargs, endpoint, data,
                                             rate_limit_args)


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Updates of different users run concurrently; those of one user run in arrival order."""

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: WeakValueDictionary[int, asyncio.Lock] = WeakValueDictionary()

    async def do_process_update(self, update: object, coroutine: Any) -> None:
        user = update.effective_user if isinstance(update, Update) else None
        if user is None:
            await coroutine
            return
        lock = self._locks.get(user.id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[user.id] = lock
        async with lock:
            await coroutine

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


async def register_commands(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The command menu, in English (the default) and Swedish."""
    for lang in ("en", "sv"):
        with use_language(lang):
            commands = [BotCommand(name, _(description)) for name, description in COMMANDS]
        await application.bot.set_my_commands(commands,
                                               language_code=None if lang == "en" else lang)


def build_application(
    settings: Settings, content: Content, storage: Storage, *,
    rate_limiter: AIORateLimiter | None = None, builder: ApplicationBuilder | None = None,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The one wiring function: everything the bot needs, put together. Tests may pass their
    own rate limiter (faster pacing) and builder (HTTP settings)."""
    assert settings.token
    adapter = TelegramAdapter(Conversations(Engine(content), storage))

    async def post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        await storage.prepare()
        await register_commands(application)
        dispatcher = ReminderDispatcher(
            storage, lambda row: adapter.send_reminder(application.bot, row))

        async def send_due_reminders(_context: Any) -> None:
            await dispatcher.tick()

        assert application.job_queue is not None
        # reminders that fell due while the bot was down go out right after start
        application.job_queue.run_repeating(send_due_reminders, interval=REMINDER_INTERVAL,
                                            first=1, name="reminders")

    async def post_shutdown(_application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        await storage.close()

    application = (
        (builder or ApplicationBuilder())
        .token(settings.token)
        .base_url(settings.api_base_url)
        .defaults(PtbDefaults(parse_mode=ParseMode.HTML,
                              link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .rate_limiter(rate_limiter or ChatPacingRateLimiter())
        .concurrent_updates(PerUserUpdateProcessor())
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    adapter.register(application)
    return application


@dataclass(frozen=True)
class Webhook:
    url: str
    listen: str
    port: int
    secret_token: str | None
    path: str


def run(settings: Settings, content: Content, webhook: Webhook | None = None) -> int:
    """Serve the bot until SIGINT/SIGTERM; a clear error and non-zero exit on a bad token."""
    storage = Storage.create(settings.database_url, settings.timezone)
    application = build_application(settings, content, storage)
    try:
        if webhook is None:
            application.run_polling(allowed_updates=ALLOWED_UPDATES)
        else:
            application.run_webhook(
                listen=webhook.listen, port=webhook.port, url_path=webhook.path,
                webhook_url=webhook.url, secret_token=webhook.secret_token,
                allowed_updates=ALLOWED_UPDATES)
    except InvalidToken:
        print("Telegram rejected the token in TELEGRAM_BOT_TOKEN. Check it with @BotFather.",
              file=sys.stderr)
        return 1
    except NetworkError as exc:
        print(f"Cannot reach the Telegram Bot API at {settings.api_base_url}: {exc}",
              file=sys.stderr)
        return 1
    return 0
