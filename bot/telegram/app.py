"""Wiring the Telegram bot: one Application with its rate limiter, update processor, command
menus and handlers; `run` serves it by long polling or by webhook, with the bot's web server
(`bot.web`: the projector pages, `/healthz`, the webhook) beside it."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import socket
import sys
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
from bot.retention import INTERVAL as RETENTION_INTERVAL
from bot.retention import Retention
from bot.storage import Storage, values
from bot.storage.budgets import SharedSlots
from bot.telegram.handlers import TelegramAdapter
from bot.telegram.ordering import PerUserUpdateProcessor
from bot.telegram.pacing import MemorySlots, Pacing, Slots
from bot.web.access import PageLinks
from flows.commands import menu_entries
from flows.content_model import Content
from flows.i18n import use_language
from flows.locales import DEFAULT, others
from flows.router import Router

log = logging.getLogger(__name__)
REMINDER_INTERVAL = 30  # seconds between runs of the reminder job
ALLOWED_UPDATES = ["message", "callback_query"]
M_ARENA_MAX = -8  # mallopt's parameter number (malloc.h)


async def register_commands(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The command menu in each language, the default's first: it also serves every language
    without an entry of its own."""
    for language in (DEFAULT, *others(DEFAULT.code)):
        with use_language(language.code):
            commands = [BotCommand(name, description) for name, description in menu_entries()]
        await application.bot.set_my_commands(
            commands, language_code=None if language is DEFAULT else language.code
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
    results_interval: float = 3.0,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The one wiring function: everything the bot needs, put together. Tests may pass their
    own pacing (faster per chat), builder (HTTP settings) and the live results' interval
    between two edits of one workshop's message (shorter, to wait less)."""
    assert settings.token
    pacing = pacing or Pacing(slots_for(storage), rate=settings.messages_per_second)
    pages = PageLinks(settings.page_base_url, local=settings.public_url is None)
    adapter = TelegramAdapter(
        EventRunner(Router(content), storage, pages=pages), pacing.slots, results_interval
    )

    async def post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        await storage.prepare()
        await register_commands(application)
        # pages served without the bot (`cluster-journey web`) still draw the join QR code
        await values.put(storage, values.BOT_USERNAME, application.bot.username)
        dispatcher = ReminderDispatcher(
            storage, lambda row: adapter.send_reminder(application.bot, row)
        )

        async def send_due_reminders(_context: Any) -> None:
            await dispatcher.tick()
            # results messages left behind by a restart or a stopped replica catch up
            await adapter.live_results.catch_up(application.bot)

        assert application.job_queue is not None
        # reminders that fell due while the bot was down go out right after start
        application.job_queue.run_repeating(
            send_due_reminders, interval=REMINDER_INTERVAL, first=1, name="reminders"
        )
        retention = Retention(
            storage,
            settings.retention_months,
            lambda user, reply: adapter.send_notice(application.bot, user.user_id, reply),
        )

        async def erase_inactive(_context: Any) -> None:
            await retention.tick()

        application.job_queue.run_repeating(
            erase_inactive, interval=RETENTION_INTERVAL, first=60, name="retention"
        )

    async def post_shutdown(_application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        await adapter.live_results.close()  # what they did not show, the next start shows
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
    secret_token: str | None
    path: str


@dataclass(frozen=True)
class WebServer:
    """Where the bot's web server listens: the projector pages, `/healthz`, and the webhook
    when there is one (`bot.cli` bound the socket)."""

    sock: socket.socket


async def serve(
    application: Application[Any, Any, Any, Any, Any, Any],
    storage: Storage,
    content: Content,
    web: WebServer,
    webhook: Webhook | None = None,
    base_url: str = "",
) -> None:
    """What PTB's run_polling/run_webhook do, with the bot's own web server beside: start the
    Application, poll or tell Telegram the webhook URL, serve until SIGINT/SIGTERM, then stop
    in order. uvicorn, Starlette and the pages are imported once the bot answers (start-up is
    faster without them)."""
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        if webhook is None:
            assert application.updater is not None
            await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
        else:
            await application.bot.set_webhook(
                webhook.url, allowed_updates=ALLOWED_UPDATES, secret_token=webhook.secret_token
            )
        await application.start()

        from bot.web import asgi
        from bot.web.pages import Pages
        from bot.web.server import make_server, stop_on_signals

        stopping = asyncio.Event()

        async def username() -> str | None:
            name: str | None = application.bot.username
            return name

        pages = Pages(storage, content, username, stopping, base_url=base_url)
        route = (webhook.path, webhook.secret_token) if webhook is not None else None
        server = make_server(asgi.build(storage, pages, application, route))
        stop_on_signals(server, stopping)
        log.info("Web pages served on %s", _where(web.sock))
        await server.serve(sockets=[web.sock])
    finally:
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


def _where(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"{host}:{port}"


def few_malloc_arenas(arenas: int = 2) -> None:
    """glibc gives each thread that allocates its own memory arena, kept once grown; the bot's
    few threads (the database driver's, the drawing pool's) need no more than two. Saves a
    few MB of resident memory; a no-op where the C library is not glibc."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, arenas)


def run(
    settings: Settings, content: Content, web: WebServer, webhook: Webhook | None = None
) -> int:
    """Serve the bot until SIGINT/SIGTERM; a clear error and non-zero exit on a bad token."""
    few_malloc_arenas()
    storage = Storage.create(settings.database_url, settings.timezone)
    application = build_application(settings, content, storage)
    try:
        asyncio.run(serve(application, storage, content, web, webhook, settings.page_base_url))
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
