"""The browser chat under load, beside the Telegram path's cost, in one run.

    .venv/bin/python -m bench.web [--users 200] [--concurrency 200] [--telegram-users 200]

Serves the browser chat as shipped (`python -m bot.cli web`) from its own process on a fresh
SQLite file, and lets `--users` simulated browsers (each an httpx client with its own cookie jar
and its own loopback address, as people on their own networks) take the quick check in English
at once: open /chat, press "Start the self-assessment" and "Quick check", then ten answers up to
the summary. Each button is a form post answered by a 303 to /chat; an answer's latency is that
post and the redirected page together, which is what a person waits for without JavaScript.

Printed: answers per second, p50/p99 per answer, the server's CPU milliseconds per answer
(utime+stime from /proc) and its peak RSS (VmHWM). Then the Telegram bot (`bench.serve`: the
product with Telegram's flood pacing lifted, as `bench.run` measures it) on a fresh database
with the same number of users doing the quick check against the local Bot API server, and its
CPU ms per update, so that the browser path's cost per answer can be set beside a Telegram
update's (the target of issue 25: no more). See docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench import procs
from bench.run import RELAXED, Options, percentile, run_bot
from bench.workload import QUESTIONS

# the page as tests/web_chat_driver.py reads it
_BUTTON = re.compile(r'<button name="button" value="([0-9.]+)">(.*?)</button>', re.S)
_CSRF = re.compile(r'name="csrf" value="([^"]*)"')
ANSWERS = ["Yes", "Partly", "No"]
SUMMARY = "Your readiness summary"


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)  # seconds per answer
    steps: int = 0  # every exchange: the opening page and each press (answers included)
    refused: int = 0  # 429s (the rate limit); the user waits and presses again
    failures: list[str] = field(default_factory=list)


async def press(client: httpx.AsyncClient, page: str, label: str, results: Results) -> str:
    """Press the last button labelled `label` on `page`; returns the page after the redirect."""
    value = next(
        (v for v, shown in reversed(_BUTTON.findall(page)) if html.unescape(shown) == label), None
    )
    if value is None:
        raise LookupError(f"no button {label!r}")
    csrf = _CSRF.search(page)
    form = {"csrf": csrf.group(1) if csrf else "", "button": value}
    while True:
        response = await client.post("/chat", data=form)
        if response.status_code != 429:
            break
        results.refused += 1
        await asyncio.sleep(float(response.headers.get("Retry-After", "1")))
    response.raise_for_status()
    results.steps += 1
    return response.text


async def browser(number: int, base: str, gate: asyncio.Semaphore, results: Results) -> None:
    # 127.0.0.2, 127.0.0.3, …: one address each, so the per-address limit sees 200 people
    address = f"127.0.{number // 250}.{number % 250 + 2}"
    transport = httpx.AsyncHTTPTransport(local_address=address)
    async with (
        gate,
        httpx.AsyncClient(
            base_url=base,
            transport=transport,
            follow_redirects=True,
            headers={"Accept-Language": "en"},
            timeout=300,
        ) as client,
    ):
        try:
            page = (await client.get("/chat")).text
            results.steps += 1
            page = await press(client, page, "Start the self-assessment", results)
            page = await press(client, page, "Quick check", results)
            for question in range(QUESTIONS):
                start = time.perf_counter()
                page = await press(client, page, ANSWERS[(number + question) % 3], results)
                results.latencies.append(time.perf_counter() - start)
            if SUMMARY not in page:
                results.failures.append(f"user {number}: no summary after {QUESTIONS} answers")
        except (httpx.HTTPError, LookupError) as error:
            results.failures.append(f"user {number}: {error!r}")


async def start_server(workdir: Path) -> tuple[asyncio.subprocess.Process, str]:
    """`python -m bot.cli web` on a free port and a fresh database; waits until it answers."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'web.db'}",
        "HOME": str(workdir),
        "XDG_DATA_HOME": str(workdir / "data"),
        "PYTHONPATH": str(procs.ROOT),
    }
    log = (workdir / "web.log").open("ab")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *["-m", "bot.cli", "web", "--port", "0"],
        cwd=workdir,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=log,
    )
    assert process.stdout is not None
    first = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
    found = re.search(r"http://127\.0\.0\.1:\d+", first)
    if found is None:
        await procs.stop_process(process)
        raise RuntimeError(f"the web server did not start: {first!r}; see {workdir / 'web.log'}")
    base = found.group(0)
    async with httpx.AsyncClient() as client:
        for _attempt in range(100):
            try:
                if (await client.get(f"{base}/healthz")).status_code == 200:
                    return process, base
            except httpx.ConnectError:
                pass
            await asyncio.sleep(0.1)
    await procs.stop_process(process)
    raise RuntimeError("the web server never answered /healthz")


async def web_run(args: argparse.Namespace, workdir: Path) -> dict[str, float]:
    process, base = await start_server(workdir)
    try:
        results = Results()
        gate = asyncio.Semaphore(args.concurrency)
        cpu, driver = procs.cpu_seconds(process.pid), time.process_time()
        start = time.perf_counter()
        await asyncio.gather(*(browser(n, base, gate, results) for n in range(args.users)))
        wall = time.perf_counter() - start
        cpu = procs.cpu_seconds(process.pid) - cpu
        driver = time.process_time() - driver
        peak = procs.peak_rss_mb(process.pid)
    finally:
        code = await procs.stop_process(process)
    answers = len(results.latencies)
    ms = [s * 1e3 for s in results.latencies]
    for failure in results.failures[:5]:
        print("failure:", failure)
    return {
        "answers": answers,
        "answers_per_s": answers / wall,
        "p50": percentile(ms, 50),
        "p99": percentile(ms, 99),
        # every request of the run (the opening GET and the two menu presses too) is on the
        # server's clock; divided by answers only, as the Telegram figure divides by updates
        "cpu_ms_per_answer": cpu / max(answers, 1) * 1e3,
        # like for like with a Telegram update (/assess, Quick check and the answers each one)
        "cpu_ms_per_step": cpu / max(results.steps, 1) * 1e3,
        "peak_rss_mb": peak,
        "server_cores": cpu / wall,  # of the machine's cores, on average
        "driver_cores": driver / wall,  # the simulated browsers' own share
        "failures": len(results.failures),
        "refused_429": results.refused,
        "exit_code": code,
    }


async def telegram_run(args: argparse.Namespace, workdir: Path) -> dict[str, float]:
    """The Telegram bot on the same quick check, through bench.run's harness."""
    opts = Options(
        users=args.telegram_users,
        concurrency=min(args.concurrency, 200),
        paced_users=0,
        burst=0,
        others=0,
        quiet=0,
        think=0,
        stored=0,
        answers=QUESTIONS,
        rounds=0,
        startups=0,
        fresh=0,
        timeout=1800,
        check_markup=False,
        workdir=workdir,
        profile=None,
    )
    result = await run_bot("telegram", RELAXED, opts, opts.users, db=workdir / "telegram.db")
    return {
        "updates": result["updates"],
        "updates_per_s": result["updates_per_s"],
        "p50": result["latency"]["p50"],
        "p99": result["latency"]["p99"],
        "cpu_ms_per_update": result["cpu_ms_per_update"],
        "peak_rss_mb": result["peak_rss_mb"],
        "failures": len(result["failures"]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.web", description=__doc__)
    parser.add_argument("--users", type=int, default=200, help="browser users (default 200)")
    parser.add_argument("--concurrency", type=int, default=200, help="at a time (default 200)")
    parser.add_argument(
        "--telegram-users", type=int, default=200, help="Telegram users (0: skip; default 200)"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cj-bench-web-") as tmp:
        workdir = Path(tmp)
        web = asyncio.run(web_run(args, workdir))
        print(
            f"browser chat: {args.users} users, {web['answers']:.0f} answers, "
            f"{web['answers_per_s']:.1f} answers/s, p50 {web['p50']:.0f} ms, "
            f"p99 {web['p99']:.0f} ms per answer (post + redirected page), "
            f"{web['cpu_ms_per_answer']:.1f} CPU ms/answer "
            f"({web['cpu_ms_per_step']:.1f} per step, the opening page and menu presses "
            "included), "
            f"peak RSS {web['peak_rss_mb']:.0f} MB, "
            f"{web['failures']:.0f} failures, {web['refused_429']:.0f} refused (429); "
            f"server {web['server_cores']:.2f} cores, browsers {web['driver_cores']:.2f} cores"
        )
        if not args.telegram_users:
            return 1 if web["failures"] else 0
        tg = asyncio.run(telegram_run(args, workdir))
        print(
            f"Telegram (relaxed pacing): {args.telegram_users} users, {tg['updates']:.0f} "
            f"updates, {tg['updates_per_s']:.1f} updates/s, p50 {tg['p50']:.0f} ms, "
            f"p99 {tg['p99']:.0f} ms, {tg['cpu_ms_per_update']:.1f} CPU ms/update, "
            f"peak RSS {tg['peak_rss_mb']:.0f} MB, {tg['failures']:.0f} failures"
        )
        ratio = web["cpu_ms_per_answer"] / tg["cpu_ms_per_update"]
        steps = web["cpu_ms_per_step"] / tg["cpu_ms_per_update"]
        verdict = "within" if ratio <= 1 else "over"
        print(
            f"browser/Telegram CPU: {ratio:.2f} per answer ({verdict} the target of ≤ 1), "
            f"{steps:.2f} per step"
        )
    return 1 if web["failures"] or tg["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
