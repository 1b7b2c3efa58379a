"""The workshop's projector page: served to whoever holds its signed link (`bot.web.access`),
updated by itself through Server-Sent Events within about a second of an answer, whichever
replica took the answer (one shared look at the workshop's revision a second, however many
pages are open on it: `bot.web.poller`), in the facilitator's language with a switch to the
other.

A wrong, revoked or closed link gets a plain 404, for the page, its updates and its CSV alike."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot import metrics
from bot.render.qr import qr_svg
from bot.render.tables import csv_bytes
from bot.storage import Storage, values
from bot.storage.workshops import WorkshopStore
from bot.web import access
from bot.web.chat import ChatPages
from bot.web.join import JoinPages, app_link
from bot.web.language import from_accept_language
from bot.web.poller import WorkshopPoller
from bot.web.ratelimit import Limits
from bot.web.regional import RegionalPages
from bot.web.responses import ASSET_VERSION, NOT_FOUND, SECURITY_HEADERS
from flows.content_model import Content
from flows.i18n import use_language
from flows.locales import codes, language, others
from flows.workshop.export import export_table
from flows.workshop.port import WorkshopInfo
from flows.workshop.projector import ProjectorView, projector_view

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
POLL = 1.0  # seconds between the looks at an open workshop's revision
KEEPALIVE = 15.0  # seconds between comments that keep proxies from closing a quiet stream
MAX_CACHED = 64  # workshops × languages whose changing part is kept rendered


def _sse(event: str, data: str) -> str:
    lines = data.splitlines() or [""]
    return f"event: {event}\n" + "".join(f"data: {line}\n" for line in lines) + "\n"


def _join_url(request: Request, code: str, bot_name: str | None) -> tuple[str, tuple[str, ...]]:
    """What the wall's QR code opens, and the address printed beside it for typing: the join
    page on this server; where the page was opened on this machine's own address, which phones
    in the room cannot reach, the chat app's link instead when the bot has a username (printed
    it would be too long to type: the code and the command are)."""
    host = (request.url.hostname or "").strip("[]")
    app = app_link(bot_name, code)
    if app is not None and _loopback(host):
        return app, ()
    url = access.join_page_url(str(request.base_url), code)
    host, _slash, path = url.split("://", 1)[-1].partition(access.JOIN_PATH)
    return url, (host, access.JOIN_PATH + path)  # a line may break between the two


def _loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Pages:
    """The routes of the projector pages (and, beside them, the join and regional pages), on
    the storage the bot uses."""

    def __init__(
        self,
        storage: Storage,
        content: Content,
        bot_username: Callable[[], Awaitable[str | None]] | None = None,
        stopping: asyncio.Event | None = None,
        poll: float = POLL,
        base_url: str = "",
        chat_limits: Limits | None = None,
    ) -> None:
        self.storage = storage
        self.workshops = WorkshopStore(storage)
        self.content = content
        self._bot_username = bot_username
        self.stopping = stopping or asyncio.Event()  # set when the server shuts down
        self.poll = poll
        self.poller = WorkshopPoller(self.workshops.get, poll, self.stopping)
        self.templates = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            auto_reload=False,
        )
        self._fragments: dict[tuple[int, str], tuple[int, str]] = {}
        self._rendering: dict[tuple[int, str, int], asyncio.Future[str]] = {}
        self._links = access.PageLinks(base_url)
        self.chat = ChatPages(
            storage, content, self.templates, self._links, base_url, limits=chat_limits
        )

    def routes(self) -> list[BaseRoute]:
        return [
            Route(access.PAGE_PATH + "{token}", self.page, methods=["GET"]),
            Route(access.PAGE_PATH + "{token}/events", self.events, methods=["GET"]),
            Route(access.PAGE_PATH + "{token}/export.csv", self.export, methods=["GET"]),
            *RegionalPages(self.storage, self.content, self.templates, self._links).routes(),
            *self.chat.routes(),
            *JoinPages(self.storage, self.templates, self.bot_username).routes(),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ]

    # --- access -----------------------------------------------------------------------------

    async def _workshop(self, token: str) -> tuple[WorkshopInfo, int] | None:
        """The workshop a link opens, with the link's generation; None for a bad link."""
        parsed = access.parse(await self._links.secret(self.storage), token)
        if parsed is None:
            return None
        workshop = await self.workshops.get(parsed[0])
        if workshop is None or not access.valid_for(workshop, parsed[1]):
            return None
        return workshop, parsed[1]

    @staticmethod
    def _lang(request: Request, workshop: WorkshopInfo) -> str:
        asked = request.query_params.get("lang", "")
        if asked in codes():
            return asked
        if workshop.lang:  # the facilitator's, where their results message says it
            return language(workshop.lang).code
        return from_accept_language(request.headers.get("accept-language"))

    async def bot_username(self) -> str | None:
        if self._bot_username is not None:
            name = await self._bot_username()
            if name:
                return name
        return await values.get(self.storage, values.BOT_USERNAME)

    # --- routes -----------------------------------------------------------------------------

    async def page(self, request: Request) -> Response:
        token = request.path_params["token"]
        found = await self._workshop(token)
        if found is None:
            return NOT_FOUND
        workshop, _generation = found
        lang = self._lang(request, workshop)
        bot_name = await self.bot_username()
        join_url, join_shown = _join_url(request, workshop.code, bot_name)
        base = access.PAGE_PATH + token
        with use_language(lang):
            html = self.templates.get_template("projector.html").render(
                view=await self._view(workshop),
                revision=workshop.revision,
                brand=language(lang).brand,
                bot_name=bot_name,
                qr_svg=qr_svg(join_url),
                join_url=join_url,
                join_shown=join_shown,
                events_url=f"{base}/events?"
                + urlencode({"lang": lang, "since": workshop.revision}),
                export_url=f"{base}/export.csv?" + urlencode({"lang": lang}),
                other_langs=[
                    (other.code, other.switch, f"{base}?" + urlencode({"lang": other.code}))
                    for other in others(lang)
                ],
                asset_version=ASSET_VERSION,
            )
        return HTMLResponse(html, headers=SECURITY_HEADERS)

    async def events(self, request: Request) -> Response:
        found = await self._workshop(request.path_params["token"])
        if found is None:
            return NOT_FOUND
        workshop, generation = found
        lang = self._lang(request, workshop)
        since = request.query_params.get("since", "")
        shown = int(since) if since.isdigit() else None
        headers = {**SECURITY_HEADERS, "X-Accel-Buffering": "no"}
        return StreamingResponse(
            self._stream(workshop.id, generation, lang, shown),
            media_type="text/event-stream",
            headers=headers,
        )

    async def _stream(
        self, workshop_id: int, generation: int, lang: str, shown: int | None
    ) -> AsyncIterator[str]:
        """The changing part of the page, whole, each time the workshop's revision moves; ends
        with "closed" (the final results stay on the wall) or "gone" (a new link was made)."""
        quiet = 0.0
        metrics.FIGURES.streams.inc()
        try:
            yield "retry: 2000\n\n"  # reconnect within two seconds after a restart
            async with self.poller.watch(workshop_id) as watch:
                while True:
                    workshop = await watch.next()  # the workshop's shared look, once a second
                    if self.stopping.is_set():
                        return
                    if workshop is None or workshop.link_generation != generation:
                        yield _sse("gone", "")
                        return
                    if workshop.revision != shown:
                        yield _sse("results", await self._fragment(workshop, lang))
                        shown, quiet = workshop.revision, 0.0
                    if workshop.closed:
                        yield _sse("closed", "")
                        return
                    quiet += self.poll
                    if quiet >= KEEPALIVE:
                        yield ": keep-alive\n\n"
                        quiet = 0.0
        finally:
            metrics.FIGURES.streams.dec()

    async def _fragment(self, workshop: WorkshopInfo, lang: str) -> str:
        """The changing part at the workshop's revision, rendered once for all the pages open
        on it in that language (a room of open phones would otherwise render it each): the
        pages woken by the same look wait for the one rendering."""
        key = (workshop.id, lang)
        cached = self._fragments.get(key)
        if cached is not None and cached[0] == workshop.revision:
            return cached[1]
        at = (workshop.id, lang, workshop.revision)
        rendering = self._rendering.get(at)
        if rendering is None:
            rendering = asyncio.ensure_future(self._render_fragment(workshop, lang))
            self._rendering[at] = rendering
            rendering.add_done_callback(lambda _done: self._rendering.pop(at, None))
        return await asyncio.shield(rendering)

    async def _render_fragment(self, workshop: WorkshopInfo, lang: str) -> str:
        key = (workshop.id, lang)
        with use_language(lang):
            html = self.templates.get_template("live.html").render(
                view=await self._view(workshop), revision=workshop.revision
            )
        self._fragments.pop(key, None)
        self._fragments[key] = (workshop.revision, html)
        while len(self._fragments) > MAX_CACHED:  # the least recently changed go first
            self._fragments.pop(next(iter(self._fragments)))
        return html

    async def export(self, request: Request) -> Response:
        found = await self._workshop(request.path_params["token"])
        if found is None:
            return NOT_FOUND
        workshop, _generation = found
        lang = self._lang(request, workshop)
        answers = await self.workshops.answers(workshop.id)
        table = export_table(
            self.content, workshop.title, answers, lang, zone=self.storage.default_timezone
        )
        return Response(
            csv_bytes(table),
            media_type="text/csv; charset=utf-8",
            headers={
                **SECURITY_HEADERS,
                "Content-Disposition": f'attachment; filename="workshop-{workshop.code}.csv"',
            },
        )

    async def _view(self, workshop: WorkshopInfo) -> ProjectorView:
        answers = await self.workshops.answers(workshop.id)
        return projector_view(self.content, workshop.title, workshop.code, workshop.closed, answers)
