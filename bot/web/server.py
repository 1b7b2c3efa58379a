"""Serving the bot's ASGI application with uvicorn on a socket the command line bound (so a
port in use is one clear line before anything starts; `bot.cli.bind`), stopping on
SIGINT/SIGTERM when the caller says so."""

from __future__ import annotations

import asyncio
import signal
from contextlib import nullcontext
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

GRACE = 3  # seconds open connections (a projector page's updates) get to end at shutdown
HEAD_TIMEOUT = 10.0  # seconds a request's line and headers may take to arrive


class Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 with a deadline for the request's head: a client that opens a
    connection and sends its headers a byte at a time is closed after HEAD_TIMEOUT instead of
    holding a connection open (the body's own deadline is `bot.web.guard`'s)."""

    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def handle_events(self) -> None:
        super().handle_events()
        if self.conn.their_state is not h11.IDLE and self._head_timer is not None:
            self._head_timer.cancel()  # the head is in
            self._head_timer = None

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._arm()  # the next request on this connection gets its own deadline

    def connection_lost(self, exc: Exception | None) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
        self._head_timer = self.loop.call_later(HEAD_TIMEOUT, self._too_slow)

    def _too_slow(self) -> None:
        self._head_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


class Server(uvicorn.Server):
    """uvicorn, leaving SIGINT/SIGTERM to the caller (uvicorn would raise them again once it
    stops, before the Application has shut down)."""

    def capture_signals(self) -> Any:
        return nullcontext()


def make_server(app: Any) -> Server:
    config = uvicorn.Config(
        app,
        log_config=None,
        access_log=False,
        lifespan="off",
        http=Protocol,
        timeout_graceful_shutdown=GRACE,
        server_header=False,  # which server and version is nobody's business
    )
    return Server(config)


def stop_on_signals(server: Server, stopping: asyncio.Event) -> None:
    """SIGINT/SIGTERM end the server; `stopping` tells long-lived responses to end first."""
    loop = asyncio.get_running_loop()

    def stop() -> None:
        stopping.set()
        server.should_exit = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
