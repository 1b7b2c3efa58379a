"""A workshop's join page, `/j/<code>`: where every join link and QR code leads (the projector
page, the facilitator's chat, a group). It offers answering here, in the browser chat
(`/chat?start=ws_<code>`, what the chat app's deep link carries), and opening the chat app when
the bot's username is known. Open to anyone with the code, like the code itself; it shows the
title and the code, nobody's name.

In the browser's language (`Accept-Language`, or `?lang=`); a code that opens no workshop, or
a closed one, gets a page saying so in that language (404) with a field to type the code
again, which `/j?code=` takes."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from urllib.parse import quote, urlencode

from jinja2 import Environment
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.storage import Storage
from bot.storage.workshops import WorkshopStore
from bot.telegram.links import join_link
from bot.web.access import JOIN_PATH
from bot.web.language import from_accept_language
from bot.web.responses import ASSET_VERSION
from flows.i18n import use_language
from flows.locales import codes, language, others
from flows.workshop.codes import join_payload, normalise_code
from flows.workshop.join_page import JoinState, join_view

log = logging.getLogger(__name__)
CHAT_PATH = "/chat"  # the browser chat, which takes `?start=<payload>` as `/start <payload>`
APP = "Telegram"  # the chat app's name, in the label "Open in {app}"
LONGEST_CODE = 40  # characters of a path or field looked at: a code with spaces and a prefix


def app_link(bot_name: str | None, code: str) -> str | None:
    """The chat app's deep link for the code; None without a username, or with a stored one
    the app would not take (the page is served all the same)."""
    if not bot_name:
        return None
    try:
        return join_link(bot_name, code)
    except ValueError:
        log.warning("the stored bot username %r makes no deep link", bot_name)
        return None


class JoinPages:
    def __init__(
        self,
        storage: Storage,
        templates: Environment,
        bot_username: Callable[[], Awaitable[str | None]],
    ) -> None:
        self.workshops = WorkshopStore(storage)
        self.templates = templates
        self.bot_username = bot_username

    def routes(self) -> list[BaseRoute]:
        return [
            Route(JOIN_PATH.rstrip("/"), self.typed, methods=["GET"]),
            Route(JOIN_PATH + "{code:path}", self.page, methods=["GET"]),
        ]

    @staticmethod
    def _lang(request: Request) -> str:
        asked = request.query_params.get("lang", "")
        return (
            asked
            if asked in codes()
            else from_accept_language(request.headers.get("accept-language"))
        )

    async def typed(self, request: Request) -> Response:
        """The code typed into the page's field: its page, under its canonical address."""
        lang = self._lang(request)
        typed = request.query_params.get("code")
        if typed is None:
            return self._render(request, lang, JoinState.ASK, status=200)
        code = normalise_code(typed[:LONGEST_CODE])
        if code is None:
            return self._render(request, lang, JoinState.UNKNOWN, status=404)
        return RedirectResponse(JOIN_PATH + code + "?" + urlencode({"lang": lang}), 303)

    async def page(self, request: Request) -> Response:
        lang = self._lang(request)
        code = normalise_code(request.path_params["code"][:LONGEST_CODE])
        workshop = await self.workshops.by_code(code) if code is not None else None
        if workshop is None:
            return self._render(request, lang, JoinState.UNKNOWN, status=404)
        if workshop.closed:
            return self._render(request, lang, JoinState.CLOSED, workshop.title, status=404)
        app = app_link(await self.bot_username(), workshop.code)
        return self._render(request, lang, JoinState.OPEN, workshop.title, workshop.code, app)

    def _render(
        self,
        request: Request,
        lang: str,
        state: JoinState,
        title: str = "",
        code: str = "",
        app: str | None = None,
        status: int = 200,
    ) -> Response:
        kept = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
        here = (
            JOIN_PATH + code if code else quote(request.url.path[: len(JOIN_PATH) + LONGEST_CODE])
        )
        with use_language(lang):
            view = join_view(state, title, code)
            html = self.templates.get_template("join.html").render(
                view=view,
                brand=language(lang).brand,
                answer_url=f"{CHAT_PATH}?" + urlencode({"start": join_payload(code)})
                if code
                else "",
                app_url=app,
                app_label=view.labels["open_app"].format(app=APP),
                form_url=JOIN_PATH.rstrip("/"),
                other_langs=[
                    (
                        other.code,
                        other.switch,
                        f"{here}?" + urlencode([*kept, ("lang", other.code)]),
                    )
                    for other in others(lang)
                ],
                asset_version=ASSET_VERSION,
            )
        return HTMLResponse(html, status_code=status)
