"""Serving the bot's ASGI application with uvicorn on a socket the command line bound (so a
port in use is one clear line before anything starts; `bot.cli.bind`), stopping on
SIGINT/SIGTERM when the caller says so."""

from __future__ import annotations

import asyncio
import signal
from contextlib import nullcontext
from typing import Any

import uvicorn

GRACE = 3  # seconds open connections (a projector page's updates) get to end at shutdown


class Server(uvicorn.Server):
    """uvicorn, leaving SIGINT/SIGTERM to the caller (uvicorn would raise them again once it
    stops, before the Application has shut down)."""

    def capture_signals(self) -> Any:
        return nullcontext()


def make_server(app: Any) -> Server:
    config = uvicorn.Config(
        app, log_config=None, access_log=False, lifespan="off", timeout_graceful_shutdown=GRACE
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
