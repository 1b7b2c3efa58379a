"""The routes of the bot's ASGI application: the Telegram webhook (after python-telegram-bot's
custom-webhook pattern: a call is checked (secret token, JSON) and handled by the Application,
and only then answered, so an update Telegram was told "200" about has been committed; a replica
that dies mid-way leaves it to Telegram to deliver again), `/healthz` (whether this replica can
serve) and the workshops' projector pages (`bot.web.pages`)."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
from http import HTTPStatus
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Bot, Update
from telegram.ext import Application

from bot import metrics
from bot.logs import first_line
from bot.storage import Storage
from bot.web.guard import Guard
from bot.web.pages import Pages

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
CHECK_TIMEOUT = 3.0  # seconds each dependency has to answer a health check
BOT_API_FRESH = 10.0  # seconds a good answer from the Bot API is trusted (probes are frequent)


class Health:
    """200 when the database and the Bot API answer, 503 (saying which did not) otherwise; the
    pages served without the bot (`cluster-journey web`) need only the database."""

    def __init__(self, bot: Bot | None, storage: Storage) -> None:
        self.bot, self.storage = bot, storage
        self._bot_api_ok_at = float("-inf")

    async def respond(self, _request: Request) -> Response:
        checks = {"database": await self._check(self.storage.ping())}
        if self.bot is None:
            pass
        elif time.monotonic() - self._bot_api_ok_at < BOT_API_FRESH:
            checks["bot_api"] = "ok"
        else:
            checks["bot_api"] = await self._check(self.bot.get_me())
            if checks["bot_api"] == "ok":
                self._bot_api_ok_at = time.monotonic()
        healthy = all(value == "ok" for value in checks.values())
        return JSONResponse(checks, status_code=200 if healthy else 503)

    @staticmethod
    async def _check(call: Any) -> str:
        try:
            await asyncio.wait_for(call, CHECK_TIMEOUT)
        except TimeoutError:
            return "timeout"
        except Exception as exc:  # what failed goes to the probe, the details to the log
            log.warning("health check: %s: %s", type(exc).__name__, exc)
            return f"error: {type(exc).__name__}"
        return "ok"


def _update(body: bytes, bot: Bot) -> Update | None:
    """The update a webhook call carries, or None for anything else: not JSON, JSON that is
    not an object with an integer update_id, or nesting deeper than any update has."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # bad JSON, bad UTF-8, or nested a thousand deep
        return None
    if not isinstance(data, dict) or type(data.get("update_id")) is not int:
        return None
    try:
        return Update.de_json(data, bot)
    except (TypeError, KeyError, ValueError, AttributeError, RecursionError):
        return None


def webhook_route(
    application: Application[Any, Any, Any, Any, Any, Any],
    webhook_path: str,
    secret_token: str | None,
) -> Route:
    async def telegram(request: Request) -> Response:
        sent = request.headers.get(SECRET_HEADER, "")
        if secret_token and not hmac.compare_digest(sent.encode(), secret_token.encode()):
            return Response(status_code=403)
        update = _update(await request.body(), application.bot)
        if update is None:
            log.info("webhook: a call that is not a Telegram update was refused")
            return Response(status_code=400)
        # through the update processor, as a polled update: one user's updates in order
        await application.update_processor.process_update(
            update, application.process_update(update)
        )
        return Response()

    return Route("/" + webhook_path.strip("/"), telegram, methods=["POST"])


def build(
    storage: Storage,
    pages: Pages,
    application: Application[Any, Any, Any, Any, Any, Any] | None = None,
    webhook: tuple[str, str | None] | None = None,
) -> Starlette:
    """The application: health and pages always; the webhook (path, secret token) when the
    bot is served by webhook."""
    routes: list[Any] = []
    if application is not None and webhook is not None:
        routes.append(webhook_route(application, *webhook))
    bot = application.bot if application is not None else None
    routes.append(Route("/healthz", Health(bot, storage).respond, methods=["GET"]))
    routes += pages.routes()
    routes += metrics.routes()  # when CLUSTER_JOURNEY_METRICS is on
    return Starlette(
        routes=routes,
        middleware=[Middleware(Guard)],
        exception_handlers={SQLAlchemyError: _database_away, OSError: _database_away},
    )


async def _database_away(_request: Request, exc: Exception) -> Response:
    """The database cannot be read or written (away, full disk, damaged file): one line for
    the operator, 503 for the browser, which may try again; the event was rolled back whole."""
    log.error("web: the database could not be used: %s", first_line(exc))
    return Response(HTTPStatus(503).phrase, status_code=503, headers={"Retry-After": "10"})
