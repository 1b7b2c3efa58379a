"""`cluster-journey run` processes in webhook mode against the local Bot API server: the test
plays Telegram, POSTing each update to the replica it chooses (as a load balancer would)."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

from bench import procs
from tests.fakebotapi import FakeBotApi

ROOT = Path(__file__).resolve().parent.parent
SECRET = "replica-test-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def busiest_second(times: list[float]) -> int:
    """The most events in any window of one second (not only whole seconds)."""
    times, most, first = sorted(times), 0, 0
    for last, moment in enumerate(times):
        while moment - times[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


class Replica:
    """One bot process serving the webhook on a port of its own."""

    def __init__(self, api: FakeBotApi, database_url: str, folder: Path, name: str) -> None:
        self.api, self.database_url, self.folder, self.name = api, database_url, folder, name
        self.port = free_port()
        self.log = folder / f"{name}.log"
        self.process: asyncio.subprocess.Process | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, timeout: float = 30, **env: str) -> Replica:
        """Start the process and wait until its health check says it can serve."""
        environ = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": self.api.token,
            "TELEGRAM_API_BASE_URL": self.api.base_url,
            "DATABASE_URL": self.database_url,
            # the secret from a file, as the README advises: not in the process list
            "TELEGRAM_WEBHOOK_SECRET_FILE": str(self.secret_file()),
            **env,
        }
        environ.pop("CLUSTER_JOURNEY_CONTENT_DIR", None)
        with self.log.open("ab") as out:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run",
                "--webhook-url", "https://bot.example.org/telegram",
                "--listen", "127.0.0.1", "--port", str(self.port),
                cwd=ROOT, env=environ, stdout=out, stderr=out,
            )  # fmt: skip
        try:
            await self._wait_healthy(timeout)
        except BaseException:
            self.process.kill()  # never leave a process behind a failed start
            await self.process.wait()
            raise
        return self

    def secret_file(self) -> Path:
        path = self.folder / f"{self.name}.secret"
        path.write_text(SECRET + "\n")
        path.chmod(0o600)
        return path

    async def _wait_healthy(self, timeout: float) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.returncode is not None:
                raise AssertionError(f"{self.name} exited: {self.log_text()[-2000:]}")
            try:
                status, _body = await self.health()
                if status == 200:
                    return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
        raise AssertionError(f"{self.name} not healthy after {timeout} s: {self.log_text()}")

    async def health(self) -> tuple[int, dict[str, Any]]:
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{self.base}/healthz") as response,
        ):
            return response.status, await response.json()

    async def post(self, update: dict[str, Any], secret: str = SECRET) -> int:
        """Deliver one update as Telegram would; returns the HTTP status."""
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"{self.base}/telegram",
                json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": secret},
            ) as response,
        ):
            if response.status == 200:
                self.api.hand_over(update["update_id"])
            return response.status

    async def stop(self, timeout: float = 20) -> int:
        """SIGTERM and wait (SIGKILL if it hangs); the exit code."""
        assert self.process is not None
        return await procs.stop_process(self.process, timeout)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")
