"""`/metrics` for operators: off by default; with CLUSTER_JOURNEY_METRICS=1 the running bot
serves Prometheus' text format beside `/healthz` (updates by kind, event latency, sends by lane
with 429s and retries, projector streams, reminders, database round trips), and no label
carries anything of a user."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families
from telegram.error import RetryAfter

from bot import metrics
from bot.telegram.pacing import BULK, LATER, Pacing
from tests.fakebotapi import FakeBotApi
from tests.telegram_harness import press, say

ROOT = Path(__file__).resolve().parent.parent


async def start_bot(
    api: FakeBotApi, db: Path, **env: str
) -> tuple[asyncio.subprocess.Process, str]:
    """`cluster-journey run` by polling; returns the process and its web server's base URL."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        cwd=db.parent,
        env={
            **os.environ,
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "DATABASE_URL": f"sqlite:///{db}",
            "CLUSTER_JOURNEY_WEB_PORT": "0",
            **env,
        },
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    while True:
        line = (await asyncio.wait_for(process.stderr.readline(), timeout=60)).decode()
        assert line, "the bot stopped before serving its web pages"
        if "Web pages served on " in line:
            return process, "http://" + line.rsplit("Web pages served on ", 1)[1].strip()


async def stop(process: asyncio.subprocess.Process) -> None:
    process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(process.wait(), timeout=15) == 0


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def test_metrics_of_a_running_bot_without_personal_data(tmp_path):
    async with FakeBotApi() as api:
        process, base = await start_bot(api, tmp_path / "bot.db", CLUSTER_JOURNEY_METRICS="1")
        try:
            user = api.user(424242, "Sigrid", "sv", last_name="Lindqvist")
            await api.wait_for(lambda: api.my_commands(language_code="sv"), timeout=20)
            await user.send_command("/assess")
            await api.wait_for(lambda: api.buttons(user.id), timeout=10)
            await press(api, user, api.buttons(user.id)[0][0])
            await say(api, user, "Vi är ett kluster i Norrköping")
            async with httpx.AsyncClient() as client:
                health = await client.get(f"{base}/healthz")
                for _ in range(300):  # the last reply waits for the chat's pace (1/s)
                    scraped = await client.get(f"{base}/metrics")
                    if 'cj_updates_handled_total{kind="text"} 1.0' in scraped.text:
                        break
                    await asyncio.sleep(0.1)
        finally:
            await stop(process)
    assert health.status_code == 200 and scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain")
    found = samples(scraped.text)
    assert found[("cj_updates_handled_total", (("kind", "command"),))] == 1
    assert found[("cj_updates_handled_total", (("kind", "button"),))] == 1
    assert found[("cj_updates_handled_total", (("kind", "text"),))] == 1
    assert found[("cj_event_latency_seconds_count", (("kind", "button"),))] == 1
    assert found[("cj_event_latency_seconds_bucket", (("kind", "button"), ("le", "+Inf")))] == 1
    assert found[("cj_events_total", (("outcome", "ok"),))] == 3
    assert found[("cj_sends_total", (("lane", "interactive"),))] == 4  # 3 messages, 1 edit
    assert found[("cj_send_flood_waits_total", (("lane", "interactive"),))] == 0
    assert found[("cj_projector_streams", ())] == 0
    assert found[("cj_reminders_due_total", ())] == 0
    assert found[("cj_db_round_trips_total", ())] >= 10  # three events of about five each
    # nothing of the user: not their id, name or what they wrote, in labels or anywhere
    for private in ("424242", "Sigrid", "Lindqvist", "Norrköping", "tg:"):
        assert private not in scraped.text


async def test_metrics_are_off_by_default(tmp_path):
    async with FakeBotApi() as api:
        process, base = await start_bot(api, tmp_path / "bot.db")
        try:
            async with httpx.AsyncClient() as client:
                scraped = await client.get(f"{base}/metrics")
                health = await client.get(f"{base}/healthz")
        finally:
            await stop(process)
    assert scraped.status_code == 404 and health.status_code == 200


def _value(name: str, **labels: str) -> float:
    return metrics.FIGURES.registry.get_sample_value(name, labels) or 0.0


async def test_sends_by_lane_with_flood_waits_and_retries():
    metrics.enable()
    before = {
        (name, lane): _value(name, lane=lane)
        for name in ("cj_sends_total", "cj_send_flood_waits_total", "cj_send_retries_total")
        for lane in metrics.LANES
    }
    limiter = Pacing(rate=None, max_retries=2)
    floods = {"left": 1}

    async def flooded() -> bool:
        if floods["left"]:
            floods["left"] -= 1
            raise RetryAfter(0.05)
        return True

    async def fine() -> bool:
        return True

    await limiter.process_request(flooded, (), {}, "sendMessage", {"chat_id": 5}, BULK)
    await limiter.process_request(fine, (), {}, "sendPhoto", {"chat_id": 6}, LATER)
    await limiter.process_request(fine, (), {}, "sendMessage", {"chat_id": 7}, None)
    await limiter.process_request(fine, (), {}, "answerCallbackQuery", {}, None)  # not a send

    def grew(name: str, lane: str) -> float:
        return _value(name, lane=lane) - before[(name, lane)]

    assert [grew("cj_sends_total", lane) for lane in ("interactive", "later", "bulk")] == [1, 1, 1]
    assert grew("cj_send_flood_waits_total", "bulk") == 1
    assert grew("cj_send_retries_total", "bulk") == 1
    assert grew("cj_send_flood_waits_total", "interactive") == 0
