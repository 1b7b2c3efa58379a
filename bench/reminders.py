"""A large batch of due reminders through the local Bot API server with Telegram's flood limits,
while an interactive user keeps talking to the bot: all delivered, none twice, every 429
retried, the interactive replies prompt.

    .venv/bin/python -m bench.reminders [--reminders 5000] [--rate 28]

At the product's pace (28 messages a second, reminders at most 70 % of it) 5 000 reminders take
about four minutes; the test suite runs the same batch small and fast
(`tests/test_reminders.py`), this prints the figures at the real pace.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from telegram.error import RetryAfter
from telegram.ext import ExtBot

from bot.reminders import ReminderDispatcher, TickStats
from bot.storage import Storage
from bot.storage.schema import reminders, users
from bot.telegram.pacing import BULK, BULK_SHARE, Pacing
from tests.fakebotapi import FakeBotApi

FIRST_CHAT = 500_000
INJECTED_429 = 3


@dataclass
class BatchResult:
    sent: int
    elapsed: float
    delivered: Counter[int]  # messages per chat
    injected_429: int  # flood waits the server answered (injected and flood control)
    rejected_429: int  # of those, by the server's flood control
    reached_dispatcher: int  # 429s the pacing layer gave up on
    probe_latencies: list[float]
    probe_429: int
    violations: list[str]
    rows_done: bool  # every row scheduled for next time, with its sent time

    def summary(self) -> str:
        n = self.sent
        slowest = max(self.probe_latencies, default=0.0) * 1000
        return (
            f"{n} reminders in {self.elapsed:.1f} s ({n / self.elapsed:.1f}/s); "
            f"{self.injected_429} 429s retried by the pacing layer (flood control: "
            f"{self.rejected_429}); interactive sends meanwhile: {len(self.probe_latencies)}, "
            f"slowest {slowest:.0f} ms"
        )


async def add_due(storage: Storage, chats: list[int], now: float) -> None:
    async with storage.engine.begin() as conn:
        await conn.execute(
            users.insert(),
            [
                {"id": f"tg:{c}", "lang": "sv", "timezone": "Europe/Stockholm", "state": "{}",
                 "created": now, "updated": now}
                for c in chats
            ],
        )  # fmt: skip
        await conn.execute(
            reminders.insert(),
            [
                {"user_id": f"tg:{c}", "chat_id": c, "interval_days": 7, "due": now - 60,
                 "state": "scheduled", "attempts": 0, "created": now - 86400}
                for c in chats
            ],
        )  # fmt: skip


async def run_batch(
    storage: Storage, n: int, rate: float, *, batch: int = 500, probe_every: float = 1.0
) -> BatchResult:
    """Send `n` due reminders at the bot's pace `rate` (the server's flood control set to
    Telegram's per-chat limit and to `rate` overall), with a few injected flood waits, while
    a user gets an interactive reply every `probe_every` seconds."""
    chats = list(range(FIRST_CHAT, FIRST_CHAT + n))
    start = time.time()
    await add_due(storage, chats, start)
    async with FakeBotApi() as api:
        api.flood_limits(per_chat_per_sec=1, global_per_sec=rate * 30 / 28)  # as 28 is to 30
        api.fail_next("sendMessage", 429, retry_after=1, count=INJECTED_429)
        # one bot for both, as in the product: its one pacing layer paces reminders (bulk)
        # behind interactive replies; the HTTP pool holds the concurrent sends
        bot = ExtBot(
            api.token,
            base_url=api.base_url,
            request=api.ptb_request(connection_pool_size=32),
            rate_limiter=Pacing(rate=rate),
        )

        async def send(row: sa.Row) -> None:
            await bot.send_message(
                row.chat_id, f"Påminnelse {row.id}: dags att se över stegen.", rate_limit_args=BULK
            )

        latencies: list[float] = []
        probe_429 = 0
        done = asyncio.Event()

        def count_429() -> int:
            return sum(1 for _, code, _ in api.errors if code == 429)

        async def interactive_user() -> None:
            nonlocal probe_429
            # once the injected 429s went to reminders (they hit any sendMessage) and the
            # pause they caused is over
            await api.wait_for(lambda: count_429() >= INJECTED_429, timeout=60)
            await asyncio.sleep(1.5)
            for i in range(1_000_000):
                if done.is_set():
                    return
                began = time.monotonic()
                try:
                    await bot.send_message(1 + i % 100, "Svar på en fråga")  # 100 users
                    latencies.append(time.monotonic() - began)
                except RetryAfter:
                    probe_429 += 1
                await asyncio.sleep(probe_every)

        async with bot:
            dispatcher = ReminderDispatcher(storage, send, batch=batch)
            total = TickStats()
            probe = asyncio.create_task(interactive_user())
            began = time.monotonic()
            limit = n / (rate * BULK_SHARE) * 1.5 + 60
            while total.sent < n:
                if time.monotonic() - began > limit:
                    raise AssertionError(f"stuck: {total}")
                stats = await dispatcher.tick()
                total.add(stats)
                if not stats.claimed:
                    await asyncio.sleep(0.2)  # the periodic job's interval, shortened
            elapsed = time.monotonic() - began
            done.set()
            await probe
        delivered = Counter(c for c in chats for _ in api.sent(c))
        violations = api.violations + api.internal_errors
        injected, rejected = count_429(), api.rejected_429
    async with storage.engine.connect() as conn:
        rows = (
            await conn.execute(sa.select(reminders.c.state, reminders.c.sent_at, reminders.c.due))
        ).all()
    done_rows = all(r.state == "scheduled" and r.sent_at and r.due > start + 86400 for r in rows)
    return BatchResult(
        total.sent,
        elapsed,
        delivered,
        injected,
        rejected,
        total.rate_limited,
        latencies,
        probe_429,
        violations,
        done_rows,
    )


async def main_async(n: int, rate: float) -> None:
    folder = Path(tempfile.mkdtemp(prefix="cj-reminders-"))
    storage = await Storage.open(f"sqlite:///{folder / 'bench.db'}")
    try:
        result = await run_batch(storage, n, rate)
    finally:
        await storage.close()
    once = set(result.delivered.values()) == {1} and len(result.delivered) == n
    print(result.summary())
    print(
        f"pace {rate:g}/s overall, reminders at most {rate * BULK_SHARE:.1f}/s; each delivered "
        f"once: {once}; 429s reaching the dispatcher: {result.reached_dispatcher}; spec "
        f"violations: {len(result.violations)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reminders", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=28.0, help="messages a second, overall")
    args = parser.parse_args()
    asyncio.run(main_async(args.reminders, args.rate))


if __name__ == "__main__":
    main()
