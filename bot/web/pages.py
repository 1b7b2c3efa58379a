"""The workshop's projector page: served to whoever holds its signed link (`bot.web.access`),
updated by itself through Server-Sent Events at once when this process took the answer (or,
on PostgreSQL, another replica, which NOTIFYs it), else within about a second (one shared look
at the workshop's revision a second, however many pages are open on it: `bot.web.poller`), in
the facilitator's language with a switch to the other.

The facilitator's link opens the same page with their controls: a list of the latest free texts
with a button each to hide one or show it again (or let through what the profanity filter held
back), the filter's switch, "Show the results" and the report. They are plain POST forms (no
JavaScript needed) signed for that workshop and link generation; each answers with a redirect
back to the page (post/redirect/get).

The wall's CSV holds only the texts the room may see; the facilitator view's marks the others.

A wrong, revoked or closed link gets a plain 404, for the page, its updates and its CSV alike."""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from urllib.parse import parse_qs, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot import metrics
from bot.render import render
from bot.render.qr import qr_svg
from bot.render.tables import csv_bytes
from bot.storage import Storage, values
from bot.storage.notify import Listener
from bot.storage.workshops import WorkshopStore
from bot.web import access
from bot.web.chat import ChatPages, read_capped
from bot.web.join import JoinPages, app_link
from bot.web.language import from_accept_language
from bot.web.poller import WorkshopPoller
from bot.web.ratelimit import Limits
from bot.web.ratelimit import address as client_address
from bot.web.regional import RegionalPages
from bot.web.responses import ASSET_VERSION, NOT_FOUND
from bot.web.streams import StreamLimits
from flows.content_model import Content
from flows.i18n import use_language
from flows.locales import codes, language, others
from flows.workshop.export import export_table, wall_table
from flows.workshop.moderation import Decision, Moderation, find, flagged
from flows.workshop.port import WorkshopInfo
from flows.workshop.projector import ProjectorView, projector_view
from flows.workshop.report import report_attachments

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
POLL = 1.0  # seconds between the looks at an open workshop's revision
KEEPALIVE = 15.0  # seconds between comments that keep proxies from closing a quiet stream
MAX_CACHED = 64  # workshops × languages × views whose changing part is kept rendered
HOST_ACTIONS = ("hide", "show", "filteron", "filteroff", "reveal", "conceal")


def _sse(event: str, data: str) -> bytes:
    lines = data.splitlines() or [""]
    return (f"event: {event}\n" + "".join(f"data: {line}\n" for line in lines) + "\n").encode()


RETRY = b"retry: 2000\n\n"  # reconnect within two seconds after a restart
KEEP_ALIVE = b": keep-alive\n\n"
GONE, CLOSED = _sse("gone", ""), _sse("closed", "")


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
        streams: StreamLimits | None = None,
    ) -> None:
        self.storage = storage
        self.workshops = WorkshopStore(storage)
        self.content = content
        self._bot_username = bot_username
        self.stopping = stopping or asyncio.Event()  # set when the server shuts down
        self.streams = streams or StreamLimits()
        listener = None
        if storage.engine.dialect.name == "postgresql":  # other replicas' answers at once
            listener = Listener(storage, storage.workshop_changes)
        self.poller = WorkshopPoller(
            self.workshops.get,
            poll,
            self.stopping,
            storage.workshop_changes,
            beat=KEEPALIVE,
            listener=listener,
        )
        self.templates = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            auto_reload=False,
        )
        self._fragments: dict[tuple[int, str, bool], tuple[int, bytes]] = {}
        self._rendering: dict[tuple[int, str, bool, int], asyncio.Future[bytes]] = {}
        self._links = access.PageLinks(base_url)
        self._warming: asyncio.Future[bool] | None = None
        self.chat = ChatPages(
            storage, content, self.templates, self._links, base_url, limits=chat_limits
        )

    def routes(self) -> list[BaseRoute]:
        return [
            Route(access.PAGE_PATH + "{token}", self.page, methods=["GET"]),
            Route(access.PAGE_PATH + "{token}/events", self.events, methods=["GET"]),
            Route(access.PAGE_PATH + "{token}/export.csv", self.export, methods=["GET"]),
            Route(access.HOST_PATH + "{token}", self.page, methods=["GET"]),
            Route(access.HOST_PATH + "{token}", self.act, methods=["POST"]),
            Route(access.HOST_PATH + "{token}/events", self.events, methods=["GET"]),
            Route(access.HOST_PATH + "{token}/export.csv", self.export, methods=["GET"]),
            Route(access.HOST_PATH + "{token}/report.{kind:str}", self.report, methods=["GET"]),
            *RegionalPages(self.storage, self.content, self.templates, self._links).routes(),
            *self.chat.routes(),
            *JoinPages(self.storage, self.templates, self.bot_username).routes(),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ]

    # --- access -----------------------------------------------------------------------------

    @staticmethod
    def _host(request: Request) -> bool:
        """The facilitator's link (its own path, its own signature), not the wall's."""
        return request.url.path.startswith(access.HOST_PATH)

    async def _workshop(self, token: str, host: bool = False) -> tuple[WorkshopInfo, int] | None:
        """The workshop a link opens, with the link's generation; None for a bad link."""
        purpose = access.HOST if host else access.WORKSHOP
        parsed = access.parse(await self._links.secret(self.storage), token, purpose)
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
        host = self._host(request)
        found = await self._workshop(token, host)
        if found is None:
            return NOT_FOUND
        workshop, _generation = found
        lang = self._lang(request, workshop)
        bot_name = await self.bot_username()
        join_url, join_shown = _join_url(request, workshop.code, bot_name)
        base = (access.HOST_PATH if host else access.PAGE_PATH) + token
        with use_language(lang):
            html = self.templates.get_template("projector.html").render(
                view=await self._view(workshop, host),
                **(await self._host_forms(workshop, lang) if host else {}),
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
        return HTMLResponse(html)

    async def events(self, request: Request) -> Response:
        host = self._host(request)
        found = await self._workshop(request.path_params["token"], host)
        if found is None:
            return NOT_FOUND
        workshop, generation = found
        lang = self._lang(request, workshop)
        since = request.query_params.get("since", "")
        # a revision the page has shown; anything else (², a 5 000-digit number) is ignored
        shown = int(since) if since.isascii() and since.isdigit() and len(since) < 19 else None
        headers = {"X-Accel-Buffering": "no"}
        link = f"{workshop.id}.{generation}"
        address = client_address(request)
        if not self.streams.take(link, address):
            return Response(status_code=429, headers={"Retry-After": "30"})
        return StreamingResponse(
            self.streams.held(
                link, address, self._stream(workshop.id, generation, lang, shown, host)
            ),
            media_type="text/event-stream",
            headers=headers,
        )

    async def _stream(
        self, workshop_id: int, generation: int, lang: str, shown: int | None, host: bool = False
    ) -> AsyncIterator[bytes]:
        """The changing part of the page, whole, each time the workshop's revision moves past
        what the page shows; ends with "closed" (the final results stay on the wall) or "gone"
        (a new link was made). Each event is the same bytes for every page open on the
        workshop in that language, made once per change."""
        metrics.FIGURES.streams.inc()
        if self._warming is None:  # the profanity filter's first build, off the first answer
            self._warming = asyncio.ensure_future(asyncio.to_thread(flagged, "warm"))
        try:
            yield RETRY
            async with self.poller.watch(workshop_id) as watch:
                while True:
                    workshop = await watch.next()  # a change, or the keep-alive's beat
                    if self.stopping.is_set():
                        return
                    if workshop is None or workshop.link_generation != generation:
                        yield GONE
                        return
                    if shown is None or workshop.revision > shown:
                        yield await self._event(workshop, lang, host)
                        shown = workshop.revision
                    else:
                        yield KEEP_ALIVE
                    if workshop.closed:
                        yield CLOSED
                        return
        finally:
            metrics.FIGURES.streams.dec()

    async def _event(self, workshop: WorkshopInfo, lang: str, host: bool = False) -> bytes:
        """The "results" event at the workshop's revision, rendered and encoded once for all
        the pages open on it in that language (a room of open phones would otherwise render it
        each), and once for the facilitators' view: the pages woken by the same change wait
        for the one rendering."""
        key = (workshop.id, lang, host)
        cached = self._fragments.get(key)
        if cached is not None and cached[0] == workshop.revision:
            return cached[1]
        at = (workshop.id, lang, host, workshop.revision)
        rendering = self._rendering.get(at)
        if rendering is None:
            rendering = asyncio.ensure_future(self._render_event(workshop, lang, host))
            self._rendering[at] = rendering
            rendering.add_done_callback(lambda _done: self._rendering.pop(at, None))
        return await asyncio.shield(rendering)

    async def _render_event(self, workshop: WorkshopInfo, lang: str, host: bool) -> bytes:
        key = (workshop.id, lang, host)
        with use_language(lang):
            html = self.templates.get_template("live.html").render(
                view=await self._view(workshop, host),
                revision=workshop.revision,
                **(await self._host_forms(workshop, lang) if host else {}),
            )
        event = _sse("results", html)
        self._fragments.pop(key, None)
        self._fragments[key] = (workshop.revision, event)
        while len(self._fragments) > MAX_CACHED:  # the least recently changed go first
            self._fragments.pop(next(iter(self._fragments)))
        return event

    async def export(self, request: Request) -> Response:
        found = await self._workshop(request.path_params["token"], self._host(request))
        if found is None:
            return NOT_FOUND
        workshop, _generation = found
        lang = self._lang(request, workshop)
        if self._host(request):  # the facilitator's: a row per participant, hidden texts marked
            table = export_table(
                self.content,
                workshop.title,
                await self.workshops.answers(workshop.id),
                lang,
                zone=self.storage.default_timezone,
                moderation=await self._moderation(workshop),
            )
        else:  # the wall's link, which anyone in the room may have: what the wall shows
            with use_language(lang):
                table = wall_table(await self._view(workshop))
        return Response(
            csv_bytes(table),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="workshop-{workshop.code}.csv"',
            },
        )

    async def report(self, request: Request) -> Response:
        """The workshop report, as on the results message: PDF or Markdown (facilitators)."""
        kind = request.path_params["kind"]
        found = await self._workshop(request.path_params["token"], host=True)
        if found is None or kind not in ("pdf", "md"):
            return NOT_FOUND
        workshop, _generation = found
        lang = self._lang(request, workshop)
        answers = await self.workshops.answers(workshop.id)
        attachments = report_attachments(
            self.content,
            workshop,
            answers,
            await self._moderation(workshop),
            lang,
            time.time(),
            self.storage.default_timezone,
        )
        attachment = attachments[0 if kind == "pdf" else 1]
        data = await asyncio.to_thread(render, attachment)  # CPU work, off the event loop
        media = "application/pdf" if kind == "pdf" else "text/markdown; charset=utf-8"
        return Response(
            data,
            media_type=media,
            headers={
                "Content-Disposition": f'attachment; filename="{attachment.filename}"',
            },
        )

    async def act(self, request: Request) -> Response:
        """A facilitator's form: hide or show a text, switch the filter, reveal or hide the
        results. A form without the page's signature, or about a text that is no longer there,
        changes nothing; either way the answer is the page again (303)."""
        token = request.path_params["token"]
        found = await self._workshop(token, host=True)
        if found is None:
            return NOT_FOUND
        workshop, generation = found
        body = await read_capped(request)
        form = {k: v[0] for k, v in parse_qs((body or b"").decode("utf-8", "replace")).items()}
        secret = await self._links.secret(self.storage)
        expected = access.sign(secret, workshop.id, generation, access.HOST_FORM)
        if not hmac.compare_digest(expected.encode(), form.get("csrf", "").encode()):
            return Response("Forbidden", status_code=403)
        action = form.get("action", "")
        if action in ("filteron", "filteroff"):
            await self.workshops.set_filter(workshop.id, action == "filteron")
        elif action in ("reveal", "conceal"):
            await self.workshops.set_revealed(workshop.id, action == "reveal")
        elif action in ("hide", "show"):
            answer, ref = form.get("answer", ""), form.get("ref", "")
            answers = await self.workshops.answers(workshop.id)
            if answer.isdigit() and find(answers, int(answer), ref) is not None:
                decision: Decision = "hidden" if action == "hide" else "shown"
                await self.workshops.decide(workshop.id, int(answer), ref, decision, time.time())
        lang = form.get("lang", "")
        back = (
            access.HOST_PATH + token + (f"?{urlencode({'lang': lang})}" if lang in codes() else "")
        )
        return RedirectResponse(back, status_code=303)

    async def _host_forms(self, workshop: WorkshopInfo, lang: str) -> dict[str, object]:
        """What the facilitator view's forms and links need: where they go, and their
        signature (over the workshop and its link's generation, like the link itself)."""
        secret = await self._links.secret(self.storage)
        generation = workshop.link_generation
        base = access.HOST_PATH + access.sign(secret, workshop.id, generation, access.HOST)
        return {
            "action_url": f"{base}?" + urlencode({"lang": lang}),
            "csrf": access.sign(secret, workshop.id, generation, access.HOST_FORM),
            "report_urls": (f"{base}/report.pdf?lang={lang}", f"{base}/report.md?lang={lang}"),
        }

    async def _moderation(self, workshop: WorkshopInfo) -> Moderation:
        return Moderation(workshop.filter_on, await self.workshops.decisions(workshop.id))

    async def _view(self, workshop: WorkshopInfo, host: bool = False) -> ProjectorView:
        answers = await self.workshops.answers(workshop.id)
        return projector_view(
            self.content,
            workshop.title,
            workshop.code,
            workshop.closed,
            answers,
            await self._moderation(workshop),
            revealed=workshop.revealed,
            host=host,
        )
