"""What the web server refuses before any route sees a request, and adds to every answer: a
body larger than any page or Telegram update needs (413, read no further), a body that stops
arriving (408), and the security headers on every response, the 404s and static files
included. Pure ASGI, so the projector pages' streams pass through untouched."""

from __future__ import annotations

import asyncio
from http import HTTPStatus
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.web.responses import SECURITY_HEADERS

MAX_BODY = 1024 * 1024  # bytes: a Telegram update is a few KB; a chat form at most 16 KB
BODY_TIMEOUT = 10.0  # seconds a body may take to arrive once its headers are in
_DEFAULTS = [(name.lower().encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]


class Guard:
    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY) -> None:
        self.app, self.max_body = app, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _with_headers(send)
        declared = _content_length(scope)
        if declared is not None and declared > self.max_body:
            await _plain(send, 413)
            return
        if scope["method"] in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        try:
            body = await asyncio.wait_for(_read(receive, self.max_body), BODY_TIMEOUT)
        except TimeoutError:
            await _plain(send, 408)
            return
        except ConnectionResetError:
            return  # the client left half-way: nothing to answer, nothing half-read to act on
        if body is None:
            await _plain(send, 413)
            return
        await self.app(scope, _replay(body, receive), send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() and len(value) < 19 else None
    return None


async def _read(receive: Receive, cap: int) -> bytes | None:
    """The whole body, or None once it passes `cap` (the rest is never read)."""
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ConnectionResetError
        body += message.get("body", b"")
        if len(body) > cap:
            return None
        if not message.get("more_body", False):
            return bytes(body)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: the disconnect, when it comes

    return replay


def _with_headers(send: Send) -> Send:
    async def with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers: list[Any] = list(message.get("headers", []))
            present = {name.lower() for name, _value in headers}
            headers += [(name, value) for name, value in _DEFAULTS if name not in present]
            message = {**message, "headers": headers}
        await send(message)

    return with_headers


async def _plain(send: Send, status: int) -> None:
    """The status and its standard phrase, and the connection closed (the rest of the body
    is not read)."""
    body = HTTPStatus(status).phrase.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
