"""The `cluster-journey run` process against the local Bot API server: start, serve, a clean
stop on SIGTERM, a clear error for a rejected token; and webhook mode with its secret token."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp
import pytest

from tests.fake_bot_api import FakeBotApi
from tests.telegram_harness import RunningBot

ROOT = Path(__file__).resolve().parent.parent


async def start_process(api: FakeBotApi, token: str, db: Path) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "DATABASE_URL": f"sqlite:///{db}",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        cwd=db.parent,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_process_serves_and_stops_cleanly_on_sigterm(tmp_path):
    async with FakeBotApi() as api:
        process = await start_process(api, api.token, tmp_path / "bot.db")
        try:
            user = api.user(11, "Sara", "sv")
            await api.wait_for(lambda: api.my_commands(language_code="sv"), timeout=20)
            await user.send_command("/start")
            await api.wait_for(
                lambda: any("Välkommen till Klusterresan!" in t for t in api.texts(user.id)),
                timeout=10,
            )
        finally:
            process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(process.wait(), timeout=15)
        assert code == 0, (await process.stderr.read()).decode()
        assert api.violations == []


async def test_rejected_token_gives_a_clear_error(tmp_path):
    async with FakeBotApi(token="12345:right-token") as api:
        process = await start_process(api, "12345:wrong-token", tmp_path / "bot.db")
        code = await asyncio.wait_for(process.wait(), timeout=30)
        stderr = (await process.stderr.read()).decode()
    assert code == 1
    assert "Telegram rejected the token" in stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("secret", ["right-secret"])
async def test_webhook_checks_the_secret_token(tmp_path, content, secret):
    async with FakeBotApi() as api:
        bot = RunningBot(api, content, tmp_path / "bot.db")
        await bot.app.initialize()
        await bot.app.post_init(bot.app)  # type: ignore[misc]
        port = free_port()
        assert bot.app.updater is not None
        await bot.app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="telegram",
            secret_token=secret,
            webhook_url="https://bot.example.org/telegram",
        )
        await bot.app.start()
        try:
            assert api.calls_of("setWebhook")[-1]["secret_token"] == secret
            user = api.user(12, "Nils", "en")
            update = {
                "update_id": 1,
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": {"id": 12, "type": "private"},
                    "from": {
                        "id": 12,
                        "is_bot": False,
                        "first_name": "Nils",
                        "language_code": "en",
                    },
                    "text": "/start",
                    "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
                },
            }
            url = f"http://127.0.0.1:{port}/telegram"
            async with aiohttp.ClientSession() as session:
                async with session.post(
                    url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}
                ) as response:
                    assert response.status == 403
                async with session.post(
                    url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret}
                ) as response:
                    assert response.status == 200
            await api.wait_for(
                lambda: any("Welcome to Cluster Journey!" in t for t in api.texts(user.id))
            )
            assert len(api.calls_of("sendMessage")) == 1  # the forged call did nothing
        finally:
            await bot.app.updater.stop()
            await bot.app.stop()
            await bot.app.shutdown()
