"""The browser chat (`/chat`): the same conversations as Telegram and the terminal, for people
without Telegram, as a page that works without JavaScript.

Every button is a form: a press posts the form, the event runs (`bot.events.EventRunner`, one
transaction that also keeps the exchange in the user's transcript, `bot.storage.web_chat`), and
the answer is a redirect to the page, which shows the transcript (post, redirect, get: a reload
never sends twice). With JavaScript (`static/chat.js`) the same post is made in the background
and the page's conversation replaced in place. Nothing of a browser's session lives in this
process: the cookie names the user, the database holds the rest, so replicas behind a
round-robin serve one browser alternately.

A button posts the id of the message it belongs to and its place there, never the flows' id:
the server reads the choice back from the stored message, so a forged form can press only
what the user was shown. Forms carry a CSRF token; posts are rate-limited and size-capped;
attachments are drawn when the page asks for them, only for the user they were sent to."""

from __future__ import annotations

import logging
import mimetypes
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote

from jinja2 import Environment
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.events import EventRunner, Handled
from bot.render import drawn
from bot.render.qr import qr_svg
from bot.storage import Storage
from bot.storage.web_chat import StoredMessage, WebChatStore
from bot.web import identity
from bot.web.access import PageLinks
from bot.web.channel import CHAT_PATH, WebChannel
from bot.web.codec import decode, encode
from bot.web.identity import Identity
from bot.web.language import from_accept_language
from bot.web.ratelimit import Limits, address
from bot.web.responses import ASSET_VERSION
from flows.chat_page import labels
from flows.commands import menu_entries
from flows.content_model import Content
from flows.i18n import use_language
from flows.locales import language
from flows.messages import Event, Reply, clean_text, parse_command
from flows.notices import stale_button
from flows.router import Router

log = logging.getLogger(__name__)
MAX_BODY = 16 * 1024  # bytes of a posted form: a message and a few fields
MAX_TEXT = 4096  # characters of one message, as a chat app takes them
_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # a /start payload, as in a deep link
_BUTTON = re.compile(r"^([0-9]{1,12})\.([0-9]{1,3})$")  # message id . place of the button
_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)]")


def linkify(text: str) -> Markup:
    """A message's text, escaped, with its web addresses as links (new lines stay: CSS)."""
    out, start = [], 0
    for match in _URL.finditer(text):
        out.append(escape(text[start : match.start()]))
        url = match.group(0)
        out.append(Markup('<a href="{0}" rel="noopener noreferrer">{0}</a>').format(url))
        start = match.end()
    out.append(escape(text[start:]))
    return Markup("").join(out)


@dataclass(frozen=True)
class Bubble:
    """One message as the page shows it."""

    id: int
    who: str  # "user" or "bot"
    text: str
    buttons: tuple[tuple[tuple[str, str], ...], ...]  # rows of (value, label); () when inactive
    links: tuple[tuple[str, str], ...]  # (label, url)
    file: dict[str, Any] | None  # {"url", "name", "image", "alt"}
    expects_text: bool


class ChatPages:
    def __init__(
        self,
        storage: Storage,
        content: Content,
        templates: Environment,
        links: PageLinks,
        base_url: str,
        events: EventRunner | None = None,
        limits: Limits | None = None,
        clock: Any = time.time,
    ) -> None:
        self.storage = storage
        self.store = WebChatStore(storage)
        self.templates = templates
        self.links = links
        self.channel = WebChannel(base_url)
        self.secure = base_url.startswith("https://")
        self.events = events or EventRunner(Router(content), storage, pages=links)
        self.limits = limits or Limits()
        self.clock = clock

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/", self.home, methods=["GET"]),
            Route(CHAT_PATH, self.page, methods=["GET"]),
            Route(CHAT_PATH, self.post, methods=["POST"]),
            Route(CHAT_PATH + "/file/{message:int}/{name}", self.file, methods=["GET"]),
            Route(CHAT_PATH + "/device", self.device, methods=["GET"]),
            Route(CHAT_PATH + "/device", self.renew, methods=["POST"]),
            Route(CHAT_PATH + "/continue/{token}", self.continue_here, methods=["GET"]),
        ]

    # --- who is asking ----------------------------------------------------------------------

    async def _secret(self) -> bytes:
        return await self.links.secret(self.storage)

    async def _known(self, request: Request) -> Identity | None:
        """The browser's identity when its cookie is well signed and not revoked."""
        found = identity.parse(await self._secret(), request.cookies.get(identity.COOKIE))
        if found is None or await self.store.generation(found.user_id) != found.generation:
            return None
        return found

    def _remember(self, response: Response, who: Identity, secret: bytes) -> Response:
        response.set_cookie(
            identity.COOKIE,
            identity.sign(secret, who),
            max_age=identity.COOKIE_AGE,
            path="/",
            httponly=True,
            samesite="lax",
            secure=self.secure,
        )
        return response

    def _forget(self, response: Response) -> Response:
        response.delete_cookie(
            identity.COOKIE, path="/", httponly=True, samesite="lax", secure=self.secure
        )
        return response

    # --- pages ------------------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(CHAT_PATH + query, status_code=303)

    async def page(self, request: Request) -> Response:
        """The chat. A newcomer is welcomed (in the browser's language); `?start=<payload>`
        opens it as a deep link would (a workshop's join page sends people here)."""
        secret = await self._secret()
        who = await self._known(request) or identity.new()
        payload = request.query_params.get("start", "")
        if payload:
            if _PAYLOAD.match(payload):
                await self._run(who, Event("command", "start", payload), request, label="/start")
            response: Response = RedirectResponse(CHAT_PATH, status_code=303)
            return self._remember(response, who, secret)
        messages = await self.store.recent(who.user_id)
        if not messages:
            lang = from_accept_language(request.headers.get("accept-language"))
            await self._run(who, Event("open", lang), request, lang=lang, label="")
            messages = await self.store.recent(who.user_id)
        lang = _language_of(messages) or from_accept_language(
            request.headers.get("accept-language")
        )
        html = self._render_chat(who, secret, messages, lang)
        return self._remember(HTMLResponse(html), who, secret)

    async def post(self, request: Request) -> Response:
        secret = await self._secret()
        lang = from_accept_language(request.headers.get("accept-language"))
        who = await self._known(request)
        body = await read_capped(request)
        if body is None:
            return self._notice(
                lang, "too_large_title", "too_large", status=413, who=who, secret=secret
            )
        form = {key: values[0] for key, values in parse_qs(body.decode("utf-8", "replace")).items()}
        typed = clean_text(form.get("text", ""))[:MAX_TEXT]
        if who is None or not identity.form_token_ok(secret, who, form.get("csrf")):
            fresh = who or identity.new()
            response = self._notice(
                lang, "expired_title", "expired", status=403, kept=typed, who=fresh, secret=secret
            )
            return self._remember(response, fresh, secret)
        if not self.limits.allow(who.user_id, address(request)):
            response = self._notice(
                lang, "too_many_title", "too_many", status=429, kept=typed, who=who, secret=secret
            )
            response.headers["Retry-After"] = "10"
            return response
        event, label, token = await self._event(who, form, typed)
        if event is None:
            return RedirectResponse(CHAT_PATH, status_code=303)
        handled = await self._run(who, event, request, label=label, token=token)
        if handled.erased:
            return self._forget(self._erased(handled))
        return RedirectResponse(CHAT_PATH + "#latest", status_code=303)

    async def _event(
        self, who: Identity, form: dict[str, str], typed: str
    ) -> tuple[Event | None, str, str | None]:
        """What the form asks for: (event, what the user's bubble shows, position token)."""
        pressed = _BUTTON.match(form.get("button", ""))
        if pressed is not None:
            message = await self.store.message(who.user_id, int(pressed.group(1)))
            choices = message.body.get("choices", []) if message is not None else []
            place = int(pressed.group(2))
            if message is None or place >= len(choices) or choices[place].get("url"):
                return Event("choice", "gone:"), "", None  # answered as a stale button
            choice = choices[place]
            return Event("choice", choice["id"]), choice["label"], message.body.get("token")
        command = form.get("command", "")
        if command in {name for name, _description in menu_entries()}:
            return Event("command", command), f"/{command}", None
        text = typed.strip()
        if not text:
            return None, "", None
        parsed = parse_command(text) if text.startswith("/") else None
        return (parsed or Event("text", text)), text, None

    async def _run(
        self,
        who: Identity,
        event: Event,
        request: Request,
        *,
        label: str,
        token: str | None = None,
        lang: str | None = None,
    ) -> Handled:
        """One event through the flows; the exchange is kept in the same transaction."""
        lang = lang or from_accept_language(request.headers.get("accept-language"))

        async def keep(storage: Storage, handled: Handled) -> None:
            messages: list[tuple[dict[str, Any], str | None]] = []
            if label:
                messages.append(({"who": "user", "text": label}, None))
            replies = handled.replies
            if handled.status == "stale":
                with use_language(handled.lang):
                    replies = [Reply(stale_button())]
            messages += [_stored(reply, handled) for reply in replies]
            await WebChatStore(storage).add(who.user_id, messages, self.clock())

        return await self.events.handle(
            who.user_id, event, self.channel, lang=lang, token=token, keep=keep
        )

    async def file(self, request: Request) -> Response:
        """A message's picture or file, drawn now (off the event loop), for its user only."""
        who = await self._known(request)
        found = None
        if who is not None:
            found = decode(await self.store.attachment(who.user_id, request.path_params["message"]))
        if found is None or found.filename != request.path_params["name"]:
            return Response("Not Found", status_code=404)
        data = await drawn(found)
        media = mimetypes.guess_type(found.filename)[0] or "application/octet-stream"
        if media.startswith("text/"):
            media += "; charset=utf-8"
        disposition = "inline" if found.is_image else "attachment"
        headers = {
            "Cache-Control": "private, max-age=3600",  # a message's file never changes
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(found.filename)}",
        }
        return Response(data, media_type=media, headers=headers)

    async def device(self, request: Request) -> Response:
        """The personal link that continues this chat on another device, with its QR code."""
        who = await self._known(request)
        messages = await self.store.recent(who.user_id) if who is not None else []
        if who is None or not messages:
            return RedirectResponse(CHAT_PATH, status_code=303)
        secret = await self._secret()
        lang = _language_of(messages) or "en"
        link = (
            self.channel.base_url.rstrip("/")
            + CHAT_PATH
            + "/continue/"
            + identity.sign(secret, who, identity.DEVICE)
        )
        with use_language(lang):
            html = self.templates.get_template("chat_device.html").render(
                **self._chrome(lang, who, secret),
                link=link,
                qr_svg=qr_svg(link),
                renewed=request.query_params.get("renewed") == "1",
            )
        return HTMLResponse(html)

    async def renew(self, request: Request) -> Response:
        """A new personal link: the old one, and every other browser that used it, stop."""
        secret = await self._secret()
        body = await read_capped(request)
        form = parse_qs((body or b"").decode("utf-8", "replace"))
        who = await self._known(request)
        if who is None or not identity.form_token_ok(secret, who, form.get("csrf", [""])[0]):
            lang = from_accept_language(request.headers.get("accept-language"))
            fresh = who or identity.new()
            return self._remember(
                self._notice(lang, "expired_title", "expired", 403, who=fresh, secret=secret),
                fresh,
                secret,
            )
        renewed = Identity(who.uid, await self.store.renew(who.user_id, self.clock()))
        response = RedirectResponse(CHAT_PATH + "/device?renewed=1", status_code=303)
        return self._remember(response, renewed, secret)

    async def continue_here(self, request: Request) -> Response:
        """A personal link opened: this browser becomes the user who made it."""
        secret = await self._secret()
        found = identity.parse(secret, request.path_params["token"], identity.DEVICE)
        if found is None or await self.store.generation(found.user_id) != found.generation:
            lang = from_accept_language(request.headers.get("accept-language"))
            return self._notice(lang, "link_gone_title", "link_gone", status=404)
        response = RedirectResponse(CHAT_PATH, status_code=303)
        return self._remember(response, found, secret)

    # --- drawing the pages ------------------------------------------------------------------

    def _chrome(self, lang: str, who: Identity | None, secret: bytes) -> dict[str, Any]:
        """What every chat page shows around its content, in `lang` (called inside it)."""
        return {
            "lang": lang,
            "brand": language(lang).brand,
            "l": labels(),
            "menu": menu_entries(),
            "csrf": identity.form_token(secret, who) if who is not None else "",
            "asset_version": ASSET_VERSION,
        }

    def _render_chat(
        self, who: Identity, secret: bytes, messages: list[StoredMessage], lang: str
    ) -> str:
        with use_language(lang):
            bubbles = _bubbles(messages, labels())
            bot = [b for b in bubbles if b.who == "bot"]
            expects_text = bool(bot) and bot[-1].expects_text
            return self.templates.get_template("chat.html").render(
                **self._chrome(lang, who, secret),
                bubbles=bubbles,
                expects_text=expects_text,
                linkify=linkify,
            )

    def _notice(
        self,
        lang: str,
        title: str,
        text: str,
        status: int,
        kept: str = "",
        who: Identity | None = None,
        secret: bytes = b"",
    ) -> Response:
        """A page that refuses a form politely, keeping what the user typed to send again."""
        with use_language(lang):
            chrome = self._chrome(lang, who, secret)
            html = self.templates.get_template("chat_notice.html").render(
                **chrome, title=chrome["l"][title], text=chrome["l"][text], kept=kept
            )
        return HTMLResponse(html, status_code=status)

    def _erased(self, handled: Handled) -> Response:
        """The answer to an erasure: its confirmation, and nothing kept to show it later."""
        with use_language(handled.lang):
            chrome = self._chrome(handled.lang, None, b"")
            html = self.templates.get_template("chat_notice.html").render(
                **chrome,
                title=chrome["l"]["erased_title"],
                text="\n\n".join(reply.text for reply in handled.replies),
                kept="",
            )
        return HTMLResponse(html)


def _stored(reply: Reply, handled: Handled) -> tuple[dict[str, Any], str | None]:
    """A reply as the transcript keeps it: what the page shows, and the attachment as data."""
    body: dict[str, Any] = {"who": "bot", "lang": handled.lang, "text": reply.text}
    if reply.choices:
        row_of = {id(c): n for n, row in enumerate(reply.choice_rows()) for c in row}
        body["choices"] = [
            {"id": c.id, "label": c.label, "row": row_of.get(id(c), 0)}
            | ({"url": c.url} if c.url else {})
            for c in reply.choices
        ]
        body["token"] = handled.token
    if reply.expects_text:
        body["expects_text"] = True
    if reply.attachment is not None:
        body["file"] = {"name": reply.attachment.filename, "image": reply.attachment.is_image}
    return body, encode(reply.attachment) if reply.attachment is not None else None


def _language_of(messages: Iterable[StoredMessage]) -> str | None:
    """The language the conversation speaks now: its latest answer's."""
    for message in reversed(list(messages)):
        if message.body.get("who") == "bot" and message.body.get("lang"):
            return str(message.body["lang"])
    return None


def _active_turns(messages: list[StoredMessage]) -> set[int]:
    """The turns whose buttons still work: the latest answer's, and, while the latest answers
    only brought files (a PDF asked for from a summary), the buttons of the one before."""
    active: set[int] = set()
    turns = list(dict.fromkeys(m.turn for m in messages if m.body.get("who") == "bot"))
    for turn in reversed(turns):
        active.add(turn)
        if any(
            m.turn == turn and m.body.get("who") == "bot" and "file" not in m.body for m in messages
        ):
            break
    return active


def _bubbles(messages: list[StoredMessage], words: dict[str, str]) -> list[Bubble]:
    active = _active_turns(messages)
    out = []
    for message in messages:
        body = message.body
        choices = body.get("choices", [])
        grouped: dict[int, list[tuple[str, str]]] = {}
        if message.turn in active:
            for place, choice in enumerate(choices):
                if not choice.get("url"):
                    grouped.setdefault(int(choice.get("row", place)), []).append(
                        (f"{message.id}.{place}", choice["label"])
                    )
        rows = [tuple(grouped[row]) for row in sorted(grouped)]
        file = None
        if "file" in body:
            name = body["file"]["name"]
            file = {
                "url": f"{CHAT_PATH}/file/{message.id}/{quote(name)}",
                "name": name,
                "image": body["file"]["image"],
                "alt": body.get("text") or name,
            }
        out.append(
            Bubble(
                id=message.id,
                who=body.get("who", "bot"),
                text=body.get("text", ""),
                buttons=tuple(rows),
                links=tuple((c["label"], c["url"]) for c in choices if c.get("url")),
                file=file,
                expects_text=bool(body.get("expects_text")) and message.turn in active,
            )
        )
    return out


async def read_capped(request: Request) -> bytes | None:
    """The request's body, or None when it is larger than MAX_BODY (a form's cap, far below
    the server's: `bot.web.guard` has read the body already, within its own cap and time)."""
    body = await request.body()
    return None if len(body) > MAX_BODY else body
