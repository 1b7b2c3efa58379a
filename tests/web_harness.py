"""The bot's web pages served in tests: the real ASGI application on uvicorn, on a free port of
127.0.0.1, in the test's event loop, on the test's storage."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from bot.storage import Storage
from bot.web import asgi
from bot.web.pages import Pages
from bot.web.server import make_server
from flows.content_model import Content


class WebPages:
    def __init__(
        self, storage: Storage, content: Content, poll: float = 0.25, **options: Any
    ) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.stopping = asyncio.Event()

        async def username() -> str:
            return "cluster_journey_test_bot"

        self.pages = Pages(
            storage, content, username, self.stopping, poll=poll, base_url=self.base_url, **options
        )
        self.server = make_server(asgi.build(storage, self.pages))
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> WebPages:
        self._task = asyncio.create_task(self.server.serve(sockets=[self.sock]))
        while not self.server.started:
            await asyncio.sleep(0.01)
        return self

    async def stop(self) -> None:
        self.stopping.set()
        self.server.should_exit = True
        if self._task is not None:
            await self._task
