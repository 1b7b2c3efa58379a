"""The benchmark: Cluster Journey against a bare python-telegram-bot baseline, in one run.

    .venv/bin/python -m bench.run [--users 1000] [--concurrency 200] [--paced-users 100] ...

Each bot runs as its own process (`python -m bot.cli run`, the product as shipped;
`python -m bench.serve`, the same with flood pacing relaxed; `python -m bench.baseline`)
against the tests' local Bot API server, which runs here together with the simulated users. A
process of its own gives each bot a fair peak RSS, CPU time and start-up time. Cluster Journey
starts on a SQLite file that already holds `--stored` users with a completed assessment each.
See docs/PERFORMANCE.md for the figures and how to read them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import inproc, procs, users
from bench.observed import ObservedApi
from bench.workload import ANSWERS, QUESTIONS, write_sample
from flows.content_loader import load_content

SHIPPED = ["-m", "bot.cli", "run"]
READING_S = 3.0  # a person reading the last question before the last tap
RELAXED = ["-m", "bench.serve"]


@dataclass
class Options:
    users: int
    concurrency: int
    paced_users: int
    burst: int
    others: int
    quiet: float
    think: float
    stored: int
    answers: int
    rounds: int
    startups: int
    fresh: int
    timeout: float
    check_markup: bool
    workdir: Path
    profile: Path | None


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100), linear between closest ranks; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def latency(samples: list[users.Sample]) -> dict[str, float]:
    ms = [s.latency * 1e3 for s in samples]
    return {
        "n": len(ms),
        "p50": percentile(ms, 50),
        "p95": percentile(ms, 95),
        "p99": percentile(ms, 99),
        "max": max(ms, default=float("nan")),
    }


def db_files_size(db: Path) -> int:
    return sum(p.stat().st_size for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")) if p.exists())


async def chart_burst(api: ObservedApi, opts: Options, first_id: int) -> dict[str, Any]:
    """`opts.burst` users, each at their last question, answer it at once (charts rendered
    together) while `opts.others` users keep answering; their latencies in a quiet window before
    the burst against those offered while the burst's summaries are on their way."""
    positioned = users.Recorder(opts.timeout)
    burst_ids = range(first_id, first_id + opts.burst)
    await users.crowd(api, positioned, burst_ids, opts.concurrency, answers=QUESTIONS - 1)
    others = users.Recorder(opts.timeout)
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(
            users.keep_answering(
                api, others, users.new_user(api, first_id + opts.burst + i), stop, opts.think
            )
        )
        for i in range(opts.others)
    ]
    await asyncio.sleep(min(2.0, opts.quiet))  # warm-up: the others start (a time window)
    quiet_start = time.perf_counter()
    await asyncio.sleep(opts.quiet)  # the quiet measuring window
    finals = users.Recorder(opts.timeout)
    burst_start = time.perf_counter()
    await asyncio.gather(
        *(
            finals.press(api, users.new_user(api, u), f"ans:{ANSWERS[u % 4]}", "final")
            for u in burst_ids
        )
    )
    burst_end = time.perf_counter()
    stop.set()
    await asyncio.gather(*tasks)
    quiet = [s for s in others.samples if quiet_start <= s.offered < burst_start]
    during = [s for s in others.samples if burst_start <= s.offered < burst_end]
    return {
        "quiet": latency(quiet),
        "burst": latency(during),
        "finals": latency(finals.samples),
        "seconds": burst_end - burst_start,
        "failures": positioned.failures + others.failures + finals.failures,
        "errors": positioned.errors + others.errors + finals.errors,
    }


async def run_bot(
    label: str,
    args: list[str],
    opts: Options,
    count: int,
    db: Path | None = None,
    burst: bool = True,
) -> dict[str, Any]:
    """One bot process: start-up, the quick-check crowd, the chart burst, peak RSS."""
    async with ObservedApi(check_markup=opts.check_markup) as api:
        env = {"DATABASE_URL": f"sqlite:///{db}"} if db else {}
        code = revision()  # others may commit while a long run goes on
        bot = await procs.start(api, args, opts.workdir, label.split()[0], env)
        rec = users.Recorder(opts.timeout)
        idle_rss = procs.rss_mb(bot.pid)
        cpu, driver = procs.cpu_seconds(bot.pid), time.process_time()
        await users.crowd(api, rec, range(1, count + 1), opts.concurrency, answers=opts.answers)
        cpu, driver = procs.cpu_seconds(bot.pid) - cpu, time.process_time() - driver
        samples = rec.samples
        wall = max(s.done for s in samples) - min(s.offered for s in samples) if samples else 0
        result: dict[str, Any] = {
            "label": label,
            "revision": code,
            "users": count,
            "startup_s": bot.startup,
            "updates": len(samples),
            "updates_per_s": len(samples) / wall if wall else 0,
            "latency": latency(samples),
            "by_kind": {
                k: latency([s for s in samples if s.kind == k])
                for k in ("command", "answer", "final")
            },
            "cpu_ms_per_update": cpu / max(len(samples), 1) * 1e3,
            "driver_cpu_share": driver / wall if wall else 0,
            "failures": rec.failures,
            "errors": rec.errors,
        }
        result["idle_rss_mb"] = idle_rss
        result["rss_after_crowd_mb"] = procs.rss_mb(bot.pid)
        result["peak_rss_before_burst_mb"] = procs.peak_rss_mb(bot.pid)
        if burst and opts.burst:
            result["burst"] = await chart_burst(api, opts, count + 1)
            result["rss_after_burst_mb"] = procs.rss_mb(bot.pid)
        result["peak_rss_mb"] = procs.peak_rss_mb(bot.pid)
        result["exit_code"] = await procs.stop(bot)
        result["violations"] = api.violations[:5] + api.internal_errors[:5]
        result["rejected_429"] = api.rejected_429
    if db is not None:
        with sqlite3.connect(db) as conn:
            assessments = conn.execute("select count(*) from assessments").fetchone()[0]
        result["db_bytes"] = db_files_size(db)
        result["assessments"] = assessments
    return result


async def startup_times(opts: Options, db: Path) -> list[float]:
    """Process start to first getUpdates for `cluster-journey run` on the stored-users DB."""
    times = []
    async with ObservedApi() as api:
        for _ in range(opts.startups):
            bot = await procs.start(
                api, SHIPPED, opts.workdir, "startup", {"DATABASE_URL": f"sqlite:///{db}"}
            )
            times.append(bot.startup)
            await procs.stop(bot)
    return times


async def first_summaries(opts: Options) -> list[float]:
    """Last tap → summary text on a quiet machine, as a new install sees it: the shipped bot
    on an empty database with empty data and cache folders (no font or other cache made yet);
    `opts.fresh` users one after the other, the first being the very first summary. Each reads
    the last question for READING_S before tapping, as a person does: without that pause the
    per-chat budget (3 at once, then 1/s) of a user tapping non-stop would be measured."""
    fresh = Path(tempfile.mkdtemp(prefix="fresh-", dir=opts.workdir))
    env = {
        "DATABASE_URL": f"sqlite:///{fresh / 'journey.db'}",
        "HOME": str(fresh),
        "XDG_DATA_HOME": str(fresh / "data"),
        "XDG_CACHE_HOME": str(fresh / "cache"),
    }
    rng = random.Random(7)
    async with ObservedApi() as api:
        bot = await procs.start(api, SHIPPED, opts.workdir, "fresh", env)
        rec = users.Recorder(opts.timeout)
        for user_id in range(1, opts.fresh + 1):
            user = users.new_user(api, user_id)
            await users.quick_check(api, rec, user, rng, answers=QUESTIONS - 1)
            await asyncio.sleep(READING_S)  # reads the last question, then taps
            await rec.press(api, user, f"ans:{rng.choice(ANSWERS)}", "final")
        await procs.stop(bot)
    return [s.latency for s in rec.samples if s.kind == "final"]


def copy_db(template: Path, target: Path) -> Path:
    shutil.copy(template, target)
    return target


def revision() -> str:
    """The code measured: commit, and whether the work tree differs from it."""

    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", *args], cwd=procs.ROOT, capture_output=True, text=True, timeout=10
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + (
        " (with local changes)"
        if git("status", "--porcelain", "--", "bot", "flows", "content", "locales")
        else ""
    )


async def benchmark(opts: Options) -> dict[str, Any]:
    content = load_content()
    replies = write_sample(content, opts.workdir)
    template = opts.workdir / "stored.db"
    out: dict[str, Any] = {
        "options": {k: str(v) for k, v in vars(opts).items()},
        "revision": revision(),
        "cpus": os.cpu_count(),
    }
    out["populate_s"] = await inproc.populate(content, template, opts.stored)
    out["stored_db_bytes"] = db_files_size(template)
    print(f"stored {opts.stored} users in {out['populate_s']:.1f} s", file=sys.stderr)
    if opts.profile:
        out["ours"] = await run_bot(
            "Cluster Journey, relaxed pacing, profiled",
            ["-m", "cProfile", "-o", str(opts.profile), *RELAXED],
            opts,
            opts.users,
            copy_db(template, opts.workdir / "p.db"),
            burst=False,
        )
        return out
    runs = [
        (
            "baseline",
            "baseline (bare PTB)",
            ["-m", "bench.baseline", str(replies)],
            opts.users,
            None,
        ),
        ("ours", "Cluster Journey, relaxed pacing", RELAXED, opts.users, "relaxed.db"),
    ]
    if opts.paced_users:
        runs += [
            (
                "baseline_paced",
                "baseline + product's limiter",
                ["-m", "bench.baseline", str(replies), "--paced"],
                opts.paced_users,
                None,
            ),
            ("shipped", "Cluster Journey as shipped", SHIPPED, opts.paced_users, "shipped.db"),
        ]
    for key, label, args, count, db_name in runs:
        print(f"running {label} with {count} users…", file=sys.stderr)
        db = copy_db(template, opts.workdir / db_name) if db_name else None
        out[key] = await run_bot(label, args, opts, count, db)
    out["startup_s"] = await startup_times(opts, copy_db(template, opts.workdir / "start.db"))
    out["first_summaries_s"] = await first_summaries(opts) if opts.fresh else []
    out.update(await inproc.measure_all(content, opts.workdir, opts.rounds))
    return out


# --- report ---------------------------------------------------------------------------------


def num(value: float, digits: int = 1) -> str:
    return "–" if value != value else f"{value:.{digits}f}"  # NaN: no samples


def _row(r: dict[str, Any]) -> list[str]:
    lat = r["latency"]
    return [
        r["label"],
        num(r["updates_per_s"], 0),
        num(lat["p50"]),
        num(lat["p95"]),
        num(lat["p99"]),
        num(r["cpu_ms_per_update"], 2),
        num(r["peak_rss_mb"], 0),
        num(r["startup_s"], 2),
        f"{r['errors']} / {len(r['failures'])}",
    ]


def _ratio(ours: dict[str, Any], base: dict[str, Any]) -> list[str]:
    def div(a: float, b: float) -> str:
        return f"{a / b:.2f}×" if b and a == a and b == b else "–"

    lo, lb = ours["latency"], base["latency"]
    return [
        "ratio ours / baseline",
        div(ours["updates_per_s"], base["updates_per_s"]),
        div(lo["p50"], lb["p50"]),
        div(lo["p95"], lb["p95"]),
        div(lo["p99"], lb["p99"]),
        div(ours["cpu_ms_per_update"], base["cpu_ms_per_update"]),
        div(ours["peak_rss_mb"], base["peak_rss_mb"]),
        div(ours["startup_s"], base["startup_s"]),
        "",
    ]


def table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


HEAD = [
    "bot",
    "updates/s",
    "median ms",
    "p95 ms",
    "p99 ms",
    "CPU ms/update",
    "peak RSS MB",
    "start-up s",
    "apologies / gave up",
]


def report(out: dict[str, Any]) -> str:
    o = out["options"]
    codes = sorted(
        {out[k]["revision"] for k in ("baseline", "ours", "baseline_paced", "shipped") if k in out}
    )
    parts = [f"Code {', '.join(codes)}; {out['cpus']} CPUs; {o['stored']} stored users."]
    pairs = [("baseline", "ours", o["users"]), ("baseline_paced", "shipped", o["paced_users"])]
    for base_key, ours_key, count in pairs:
        if base_key not in out:
            continue
        base, ours = out[base_key], out[ours_key]
        parts.append(
            f"### Quick check, {count} users, at most {o['concurrency']} at a time\n\n"
            + table(HEAD, [_row(base), _row(ours), _ratio(ours, base)])
        )
        kinds = [
            [r["label"], k, str(v["n"]), num(v["p50"]), num(v["p95"]), num(v["p99"])]
            for r in (base, ours)
            for k, v in r["by_kind"].items()
        ]
        parts.append(table(["bot", "update", "n", "median ms", "p95 ms", "p99 ms"], kinds))
        bursts = []
        for r in (base, ours):
            b = r.get("burst")
            if b:
                quiet, during = b["quiet"], b["burst"]
                bursts.append(
                    [
                        r["label"],
                        num(quiet["p50"]),
                        num(quiet["p99"]),
                        num(during["p50"]),
                        num(during["p99"]),
                        num(during["p99"] / quiet["p99"], 2) + "×",
                        num(b["seconds"]),
                        num(b["finals"]["p99"], 0),
                        f"{b['errors']} / {len(b['failures'])}",
                    ]
                )
        if bursts:
            parts.append(
                f"Chart burst: {o['burst']} users answer their last question at once while "
                f"{o['others']} others keep answering ({o['think']} s think time).\n\n"
                + table(
                    [
                        "bot",
                        "others quiet p50",
                        "quiet p99",
                        "during burst p50",
                        "burst p99",
                        "p99 burst / quiet",
                        "burst s",
                        "summaries p99 ms",
                        "apologies / gave up",
                    ],
                    bursts,
                )
            )
        notes = []
        for r in (base, ours):
            if r["failures"] or r.get("burst", {}).get("failures") or r["violations"]:
                notes.append(
                    f"{r['label']}: {len(r['failures'])} failures, e.g. "
                    f"{r['failures'][:3]} "
                    f"{r.get('burst', {}).get('failures', [])[:3]}; "
                    f"violations {r['violations']}"
                )
            if r["driver_cpu_share"] > 0.9:
                notes.append(
                    f"{r['label']}: the driver (server and users) was busy "
                    f"{r['driver_cpu_share']:.0%} of the time: throughput may be the "
                    "driver's, compare CPU ms/update"
                )
        parts.extend(notes)
    ours = out["ours"]
    engine, chart = out["engine_us"], out["chart_ms"]
    per_assessment = ours["db_bytes"] / max(ours["assessments"], 1) / 1024
    marginal = (ours["db_bytes"] - out["stored_db_bytes"]) / max(ours["users"], 1) / 1024
    startup = out["startup_s"]
    first = out.get("first_summaries_s", [])
    parts.append(
        table(
            ["figure", "value"],
            [
                [
                    "start-up to ready (`cluster-journey run`, process start → first getUpdates)",
                    f"median {statistics.median(startup):.2f} s of "
                    f"{', '.join(f'{t:.2f}' for t in startup)}"
                    if startup
                    else "not measured",
                ],
                [
                    "last tap → summary text, quiet, fresh install (first summary; then)",
                    (
                        f"{first[0] * 1e3:.0f} ms"
                        + (
                            f"; median of the next {statistics.median(first[1:]) * 1e3:.0f} ms"
                            if len(first) > 1
                            else ""
                        )
                    )
                    if first
                    else "not measured",
                ],
                [
                    "engine only, per event (quick check; answers / last answer)",
                    f"{engine['all']:.0f} µs ({engine['answer']:.0f} / {engine['final']:.0f})",
                ],
                [
                    "engine + SQLite storage (EventRunner.handle), per event",
                    f"{out['conversation']['us']:.0f} µs, "
                    f"{out['conversation']['round_trips']:.1f} database round trips",
                ],
                [
                    "summary chart render (bot.render.charts.readiness_png)",
                    f"{chart['median']:.0f} ms (first call {chart['first']:.0f} ms)",
                ],
                [
                    f"database per completed assessment ({ours['assessments']} assessments, "
                    f"{o['stored']} stored users + {ours['users']} new)",
                    f"{per_assessment:.2f} KB (new users only: {marginal:.2f} KB)",
                ],
                [
                    f"peak RSS with {o['stored']} stored users "
                    "(relaxed run; before the chart burst)",
                    f"{ours['peak_rss_mb']:.0f} MB ({ours['peak_rss_before_burst_mb']:.0f} MB)",
                ],
            ],
        )
    )
    return "\n\n".join(parts)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--users", type=int, default=1000, help="users per bot (default 1000)")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=200,
        help="users active at a time, at most 200 (default 200)",
    )
    parser.add_argument(
        "--paced-users",
        type=int,
        default=100,
        help="users for the runs with the product's flood pacing (0: skip)",
    )
    parser.add_argument(
        "--burst", type=int, default=100, help="users reaching their summary at once (0: no burst)"
    )
    parser.add_argument(
        "--others", type=int, default=20, help="users answering during the burst (default 20)"
    )
    parser.add_argument(
        "--quiet",
        type=float,
        default=10.0,
        help="seconds of the window before the burst (default 10)",
    )
    parser.add_argument(
        "--think",
        type=float,
        default=0.5,
        help="think time of the others between answers, s (default 0.5)",
    )
    parser.add_argument(
        "--stored", type=int, default=10_000, help="users already in the database (default 10000)"
    )
    parser.add_argument(
        "--answers",
        type=int,
        default=QUESTIONS,
        choices=range(QUESTIONS + 1),
        metavar="0-10",
        help="answers per user (default 10: up to the summary; 9: no summary, no chart)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=300,
        help="quick checks for the in-process figures (default 300)",
    )
    parser.add_argument(
        "--startups",
        type=int,
        default=3,
        help="start-ups of `cluster-journey run` to time (default 3)",
    )
    parser.add_argument(
        "--fresh",
        type=int,
        default=5,
        help="users timed from the last tap to the summary text on a fresh install (default 5)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=1800.0,
        help="seconds a user waits for a reply before giving up (default 1800)",
    )
    parser.add_argument(
        "--no-markup-check",
        action="store_true",
        help="the server skips parsing the HTML of texts (lighter driver)",
    )
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument(
        "--profile",
        type=Path,
        help="only run Cluster Journey (relaxed pacing) under cProfile, write the "
        "profile here and print the largest costs per update",
    )
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (logs, DBs)")
    args = parser.parse_args(argv)
    if not 1 <= args.concurrency <= 200:
        parser.error("--concurrency must be 1–200")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cj-bench-") as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        opts = Options(
            args.users,
            args.concurrency,
            args.paced_users,
            args.burst,
            args.others,
            args.quiet,
            args.think,
            args.stored,
            args.answers,
            args.rounds,
            args.startups,
            args.fresh,
            args.timeout,
            not args.no_markup_check,
            workdir.resolve(),
            args.profile.resolve() if args.profile else None,
        )
        out = asyncio.run(benchmark(opts))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, default=str))
    if opts.profile:
        from bench.profile import report as profile_report

        print(profile_report(opts.profile, out["ours"]["updates"]))
        return 0
    print(report(out))
    failed = any(
        out[k]["failures"] or out[k]["violations"]
        for k in ("baseline", "ours", "baseline_paced", "shipped")
        if k in out
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
