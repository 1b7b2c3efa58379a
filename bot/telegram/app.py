"""Wiring the Telegram bot: one Application with its rate limiter, update processor, command
menus and handlers; `run` serves it by long polling, or by webhook on the bot's web server
(`bot.web`, which answers `/healthz` too)."""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import sys
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from telegram import BotCommand, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application, ApplicationBuilder
from telegram.ext import Defaults as PtbDefaults

from bot.config import Settings
from bot.events import EventRunner
from bot.reminders import ReminderDispatcher
from bot.storage import Storage
from bot.storage.budgets import SharedSlots
from bot.telegram.handlers import TelegramAdapter
from bot.telegram.ordering import PerUserUpdateProcessor
from bot.telegram.pacing import MemorySlots, Pacing, Slots
from flows.content_model import Content
from flows.i18n import N_, _, use_language
from flows.router import Router

log = logging.getLogger(__name__)
REMINDER_INTERVAL = 30  # seconds between runs of the reminder job
ALLOWED_UPDATES = ["message", "callback_query"]

COMMANDS = (
    ("start", N_("Welcome and main menu")),
    ("assess", N_("Start or continue the self-assessment")),
    ("summary", N_("Your latest readiness summary")),
    ("plan", N_("Your action plan (PDF and Markdown)")),
    ("steps", N_("Browse the ten steps of the journey")),
    ("glossary", N_("Look up a term")),
    ("language", N_("Svenska / English")),
    ("workshop", N_("Create or join a workshop")),
    ("remind", N_("Your reminders")),
    ("help", N_("What the bot can do")),
    ("privacy", N_("What is stored about you")),
    ("delete", N_("Erase your data")),
)


async def register_commands(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The command menu, in English (the default) and Swedish."""
    for lang in ("en", "sv"):
        with use_language(lang):
            commands = [BotCommand(name, _(description)) for name, description in COMMANDS]
        await application.bot.set_my_commands(
            commands, language_code=None if lang == "en" else lang
        )


def slots_for(storage: Storage) -> Slots:
    """Where the pacing budgets live: in the database when several replicas may share it
    (PostgreSQL), else in this process (SQLite has one bot process)."""
    return MemorySlots() if storage.engine.dialect.name == "sqlite" else SharedSlots(storage)


def build_application(
    settings: Settings,
    content: Content,
    storage: Storage,
    *,
    pacing: Pacing | None = None,
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] | None = None,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The one wiring function: everything the bot needs, put together. Tests may pass their
    own pacing (faster per chat) and builder (HTTP settings)."""
    assert settings.token
    pacing = pacing or Pacing(slots_for(storage), rate=settings.messages_per_second)
    adapter = TelegramAdapter(EventRunner(Router(content), storage), pacing.slots)

    async def post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        await storage.prepare()
        await register_commands(application)
        dispatcher = ReminderDispatcher(
            storage, lambda row: adapter.send_reminder(application.bot, row)
        )

        async def send_due_reminders(_context: Any) -> None:
            await dispatcher.tick()

        assert application.job_queue is not None
        # reminders that fell due while the bot was down go out right after start
        application.job_queue.run_repeating(
            send_due_reminders, interval=REMINDER_INTERVAL, first=1, name="reminders"
        )

    async def post_shutdown(_application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        await storage.close()

    application = (
        (builder or ApplicationBuilder())
        .token(settings.token)
        .base_url(settings.api_base_url)
        .defaults(
            PtbDefaults(
                parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
            )
        )
        .rate_limiter(pacing)
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
    sock: socket.socket  # bound to the listen address and port (`bot.cli` checked both)
    secret_token: str | None
    path: str


async def serve_webhook(
    application: Application[Any, Any, Any, Any, Any, Any], storage: Storage, webhook: Webhook
) -> None:
    """What PTB's run_webhook does, on the bot's own ASGI server: start the Application, tell
    Telegram the URL, serve until SIGINT/SIGTERM, then stop in order. uvicorn and Starlette
    are imported here: polling never needs them, and start-up is faster without."""
    import uvicorn

    from bot.web import asgi

    class _Server(uvicorn.Server):
        """uvicorn, leaving SIGINT/SIGTERM to this function (uvicorn would raise them again
        once it stops, before the Application has shut down)."""

        def capture_signals(self) -> Any:
            return nullcontext()

    config = uvicorn.Config(
        asgi.build(application, storage, webhook.path, webhook.secret_token),
        log_config=None,
        access_log=False,
        lifespan="off",
    )
    server = _Server(config)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: setattr(server, "should_exit", True))
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        await application.bot.set_webhook(
            webhook.url, allowed_updates=ALLOWED_UPDATES, secret_token=webhook.secret_token
        )
        await application.start()
        await server.serve(sockets=[webhook.sock])
    finally:
        if application.running:
            await application.stop()
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


def run(settings: Settings, content: Content, webhook: Webhook | None = None) -> int:
    """Serve the bot until SIGINT/SIGTERM; a clear error and non-zero exit on a bad token."""
    storage = Storage.create(settings.database_url, settings.timezone)
    application = build_application(settings, content, storage)
    try:
        if webhook is None:
            application.run_polling(allowed_updates=ALLOWED_UPDATES)
        else:
            asyncio.run(serve_webhook(application, storage, webhook))
    except InvalidToken:
        print(
            "Telegram rejected the token in TELEGRAM_BOT_TOKEN. Check it with @BotFather.",
            file=sys.stderr,
        )
        return 1
    except NetworkError as exc:
        print(
            f"Cannot reach the Telegram Bot API at {settings.api_base_url}: {exc}", file=sys.stderr
        )
        return 1
    return 0
