"""The `cluster-journey run` process against the local Bot API server: start, serve, a clean
stop on SIGTERM, a clear error for a rejected token; and webhook mode on the bot's web server,
with its secret token and health check."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import aiohttp
import httpx

from tests.fakebotapi import FakeBotApi
from tests.replicas import SECRET, Replica

ROOT = Path(__file__).resolve().parent.parent


async def start_process(api: FakeBotApi, token: str, db: Path) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "DATABASE_URL": f"sqlite:///{db}",
        "CLUSTER_JOURNEY_WEB_PORT": "0",  # any free port for the web pages
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


async def test_webhook_server_secret_health_and_clean_stop(api, database, tmp_path):
    """`run` in webhook mode serves the webhook and /healthz on the bot's ASGI server: calls
    without the secret or with a body that is not an update are refused, a real one is
    answered, and SIGTERM stops it cleanly."""
    replica = await Replica(api, database.url, tmp_path, "bot").start(
        CLUSTER_JOURNEY_LOG_LEVEL="DEBUG"
    )
    try:
        assert api.calls_of("setWebhook")[-1]["secret_token"] == SECRET
        assert api.calls_of("setWebhook")[-1]["url"] == "https://bot.example.org/telegram"
        assert await replica.health() == (200, {"database": "ok", "bot_api": "ok"})
        nils = api.user(12, "Nils", "en")
        update = await nils.send_command("/start")
        assert await replica.post(update, secret="wrong") == 403
        not_updates = [
            b"{not json", b"[1,2]", b'"x"', b"null", b"{}", b'{"update_id": "1"}',
            b"[" * 100_000 + b"]" * 100_000, b'{"update_id": 1, "message": [1]}', b"\xff\xfe",
        ]  # fmt: skip
        async with aiohttp.ClientSession() as session:
            for body in not_updates:
                async with session.post(
                    f"{replica.base}/telegram",
                    data=body,
                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                ) as response:
                    assert response.status == 400, body[:40]
            async with session.post(  # 2 MB, more than any update: refused, not read whole
                f"{replica.base}/telegram",
                data=b"{" + b" " * 2_000_000 + b"}",
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            ) as response:
                assert response.status == 413
        assert api.calls_of("sendMessage") == []  # neither call did anything
        assert await replica.post(update) == 200
        await api.wait_for(lambda: any("Welcome to Cluster Journey!" in t for t in api.texts(12)))
    finally:
        code = await replica.stop()
    assert code == 0, replica.log_text()
    logged = replica.log_text()
    assert "Traceback" not in logged
    assert " DEBUG " in logged or " INFO " in logged  # it did log
    for private in (SECRET, api.token, "Nils"):  # at DEBUG too
        assert private not in logged, private


async def test_health_is_503_when_the_database_or_the_bot_api_is_away(api, tmp_path):
    """What a load balancer sees: 503, naming what does not answer."""
    from starlette.applications import Starlette
    from starlette.routing import Route

    from bot.storage import Storage
    from bot.web.asgi import Health

    storage = await Storage.open(f"sqlite:///{tmp_path / 'bot.db'}")
    async with api.make_bot() as telegram:
        health = Health(telegram, storage)
        app = Starlette(routes=[Route("/healthz", health.respond)])
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://replica") as client:
            response = await client.get("/healthz")
            assert (response.status_code, response.json()) == (
                200,
                {"database": "ok", "bot_api": "ok"},
            )
            await storage.close()
            (tmp_path / "bot.db").unlink()
            (tmp_path / "bot.db").mkdir()  # the file is gone: nothing to open any more
            api.fail_next("getMe", 502)
            health._bot_api_ok_at = float("-inf")  # ask the Bot API again, not the cache
            response = await client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"].startswith("error")
    assert response.json()["bot_api"].startswith("error")
