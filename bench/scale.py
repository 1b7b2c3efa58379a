"""How the costs grow with the data: the scaling table of docs/PERFORMANCE.md.

    .venv/bin/python -m bench.scale [--stored 1000,10000,100000] [--pages 50,200,1000]
                                    [--clusters 100,1000,10000] [--users 200] [--burst 100]

- **Stored users**: the relaxed bot (`bench.serve`, its own process, as `bench.run` runs it)
  on a SQLite file holding that many users with a completed quick check each; `--users`
  users take the quick check (at most 200 at a time), then a burst of `--burst` summaries
  while 20 others keep answering. Updates/s, p99, resident memory idle, after the crowd and
  after the burst, and the peak; the database per completed assessment.
- **Open projector pages** (`bench.pages`, the pages read by two processes of their own):
  answer → every open page p50/p99/max for an answer taken by the server's process and p99
  for one taken by another replica (SQLite: found by the look a second), the reads of the
  workshop a second (one shared poller), the server's CPU.
- **Consenting clusters**: a SQLite file with that many consenting clusters (two assessments
  each, the regional summary tables filled as the bot keeps them); the regional view served
  through the web application (an observer's link for every region): median of five requests
  each right after a cluster completed a check (the protected picture drawn again), and of
  five with nothing changed (the picture kept); and
  the peers line (its two reads of the counts and its sentence, median of twenty), against
  the scan of every assessment it did before revision 0010 (the same line, checked).

Each part can be left out with an empty list (`--pages ""`). Figures print as Markdown rows.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench import inproc, pages
from bench.run import RELAXED, Options, copy_db, db_files_size, run_bot
from bench.workload import write_sample
from flows.content_loader import load_content
from flows.content_model import Content


def sizes(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


# --- stored users ------------------------------------------------------------------------------


async def stored_users(counts: list[int], users: int, burst: int, work: Path) -> list[dict]:
    content = load_content()
    write_sample(content, work)
    rows = []
    for stored in counts:
        template = work / f"stored-{stored}.db"
        populate_s = await inproc.populate(content, template, stored)
        opts = Options(
            users=users, concurrency=200, paced_users=0, burst=burst, others=20, quiet=5.0,
            think=0.5, stored=stored, answers=10, rounds=0, startups=0, fresh=0,
            timeout=1800, check_markup=False, workdir=work, profile=None,
        )  # fmt: skip
        print(f"{stored} stored users ({populate_s:.0f} s to make)…", file=sys.stderr)
        db = copy_db(template, work / f"relaxed-{stored}.db")
        result = await run_bot("Cluster Journey, relaxed pacing", RELAXED, opts, users, db)
        result["stored"] = stored
        result["db_kb_per_assessment"] = db_files_size(db) / result["assessments"] / 1024
        rows.append(result)
        print(stored_row(result), file=sys.stderr)
    return rows


def stored_row(r: dict[str, Any]) -> str:
    burst = r.get("burst", {})
    cells = [
        f"{r['stored']:,}".replace(",", " "),
        f"{r['updates_per_s']:.0f}",
        f"{r['latency']['p99'] / 1000:.2f}",
        f"{r['idle_rss_mb']:.0f}",
        f"{r['rss_after_crowd_mb']:.0f}",
        f"{r.get('rss_after_burst_mb', 0):.0f}",
        f"{r['peak_rss_mb']:.0f}",
        f"{burst['quiet']['p99']:.0f} / {burst['burst']['p99']:.0f}" if burst else "–",
        f"{r['db_kb_per_assessment']:.2f}",
    ]
    return "| " + " | ".join(cells) + " |"


STORED_HEAD = (
    "| stored users | updates/s | p99 s | RSS idle MB | after the crowd | after the burst "
    "| peak MB | others' p99 quiet / burst ms | KB per assessment |\n"
    "|---|---|---|---|---|---|---|---|---|"
)


# --- projector pages ---------------------------------------------------------------------------


async def projector(counts: list[int]) -> list[dict]:
    rows = []
    for count in counts:
        print(f"{count} open projector pages…", file=sys.stderr)
        figures = await pages.run(count, 20, 0.25)
        figures["replica_p99"] = (await pages.run(count, 20, 0.25, writer="replica"))["delay_p99"]
        rows.append(figures)
        print(pages_row(figures), file=sys.stderr)
    return rows


def pages_row(f: dict[str, Any]) -> str:
    return (
        f"| {f['pages']} | {f['delay_p50']:.2f} / {f['delay_p99']:.2f} / {f['delay_max']:.2f} "
        f"| {f['replica_p99']:.2f} | {f['missed']} | {f['workshop_reads_per_s']:.1f} "
        f"| {f['cpu_share']:.0%} |"
    )


PAGES_HEAD = (
    "| open pages | answer → every page p50 / p99 / max s | another replica's answer p99 s "
    "| never shown | workshop reads a second | server CPU |\n"
    "|---|---|---|---|---|---|"
)


# --- consenting clusters -----------------------------------------------------------------------


def fill_clusters(content: Content, db: Path, count: int) -> None:
    """`count` consenting clusters in the län of Sweden and the fields, two own quick checks
    each, their summary rows as `bot.storage.clusters` keeps them."""
    from flows.regional.places import FIELDS, LAN
    from flows.scoring import score

    rng = random.Random(count)
    questions = [q.id for step in content.steps for q in step.questions[:1]]
    answer_ids = ["yes", "partly", "no", "unsure"]
    engine = sa.create_engine(f"sqlite:///{db}")
    users, assessed, consents, clusters = [], [], [], []
    now = time.time()
    for n in range(count):
        user = f"tg:{10_000_000 + n}"
        region, field = rng.choice(LAN).code, rng.choice(FIELDS).code
        users.append(
            {"id": user, "lang": "sv", "timezone": "Europe/Stockholm", "state": "{}",
             "created": now, "updated": now}
        )  # fmt: skip
        history = []
        for k in range(2):
            answers = {q: rng.choice(answer_ids) for q in questions}
            result = score(content, answers)
            completed = now - 86400 * (2 - k)
            history.append((answers, result, completed))
            assessed.append(
                {"user_id": user, "mode": "quick", "started": completed - 300,
                 "completed": completed,
                 "answers": json.dumps({q: [a, completed] for q, a in answers.items()}),
                 "percents": json.dumps(list(result.percents)), "position": result.position,
                 "team_id": None}
            )  # fmt: skip
        consents.append({"user_id": user, "region": region, "field": field, "consented": now})
        (first, _r0, _c0), (answers, result, completed) = history
        clusters.append(
            {"user_id": user, "region": region, "field": field, "position": result.position,
             "answers": json.dumps(answers), "percents": json.dumps(list(result.percents)),
             "completed": completed, "first_position": score(content, first).position,
             "assessed": 2}
        )  # fmt: skip
    from collections import Counter

    from bot.storage.clusters import contribution, encode
    from bot.storage.schema import (
        assessments,
        regional_answers,
        regional_cells,
        regional_clusters,
        regional_consents,
    )
    from bot.storage.schema import users as users_table
    from flows.regional.port import ClusterCounts

    counts: Counter[tuple[int, str, str]] = Counter()
    cells: dict[tuple[str, str], ClusterCounts] = {}
    for row in clusters:
        counts.update(contribution(row["position"], json.loads(row["answers"])))
        cell = cells.setdefault(
            (row["region"], row["field"]), ClusterCounts(row["region"], row["field"])
        )
        cell.count(row["position"], json.loads(row["answers"]), row["first_position"], 2)
    answer_rows = [
        {"position": p, "question_id": q, "answer_id": a, "clusters": n}
        for (p, q, a), n in counts.items()
    ]
    cell_rows = [
        {"region": c.region, "field": c.field, "clusters": c.clusters, "counts": encode(c)}
        for c in cells.values()
    ]

    with engine.begin() as conn:
        for table, rows in (
            (users_table, users),
            (assessments, assessed),
            (regional_consents, consents),
            (regional_clusters, clusters),
            (regional_answers, answer_rows),
            (regional_cells, cell_rows),
        ):
            conn.execute(table.insert(), rows)
    engine.dispose()


def _median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


async def regional(counts: list[int], work: Path) -> list[dict]:
    import httpx

    from bot.storage import Storage
    from bot.storage.regional import RegionalStore
    from bot.web import access, asgi
    from bot.web.pages import Pages
    from flows.regional.peers import peers_line, step_line
    from flows.regional.port import SharedAssessment, SharedCluster

    content = load_content()
    rows = []
    for count in counts:
        db = work / f"clusters-{count}.db"
        storage = await Storage.open(f"sqlite:///{db}")
        fill_clusters(content, db, count)
        store = RegionalStore(storage)
        observer = await store.create_observer(None, "bench", time.time())
        links = access.PageLinks("")
        token = access.sign(await links.secret(storage), observer.id, 1, access.OBSERVER)
        app = asgi.build(storage, Pages(storage, content))
        transport = httpx.ASGITransport(app=app)
        page = f"{access.REGIONAL_PATH}{token}?lang=sv"
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            assert (await client.get(page)).status_code == 200  # loads the templates
            changed_times, view_times = [], []
            rng = random.Random(count)
            for _ in range(5):  # a cluster completes a check, then the page is asked for
                await new_assessment(
                    content, storage, f"tg:{10_000_000 + rng.randrange(count)}", rng
                )
                start = time.perf_counter()
                response = await client.get(page)
                changed_times.append(time.perf_counter() - start)
                assert response.status_code == 200, response.status_code
            for _ in range(5):  # nothing changed: the picture kept
                start = time.perf_counter()
                response = await client.get(page)
                view_times.append(time.perf_counter() - start)
        asker = "tg:10000000"
        position = 1
        peer_times, lines = [], set()
        for _ in range(20):
            start = time.perf_counter()
            counted = await store.step_peers(asker, position)
            lines.add(step_line(content, position, counted))
            peer_times.append(time.perf_counter() - start)
        # before the summary table: every consenting cluster's assessments, the latest kept
        scan_times = []
        for _ in range(5):
            start = time.perf_counter()
            async with storage.transaction() as conn:
                scanned = (
                    await conn.execute(
                        sa.text(
                            "SELECT c.user_id, c.region, c.field, a.answers, a.percents,"
                            " a.position, a.completed FROM regional_consents c"
                            " JOIN assessments a ON a.user_id = c.user_id"
                            " WHERE a.team_id IS NULL AND c.user_id != :me"
                            " AND a.completed = (SELECT max(o.completed) FROM assessments o"
                            " WHERE o.user_id = a.user_id AND o.team_id IS NULL)"
                        ),
                        {"me": asker},
                    )
                ).all()
            old = [
                SharedCluster(
                    r.region,
                    r.field,
                    (
                        SharedAssessment(
                            {q: v[0] for q, v in json.loads(r.answers).items()},
                            tuple(json.loads(r.percents)),
                            r.position,
                            r.completed,
                        ),
                    ),
                )
                for r in scanned
            ]
            old_line = peers_line(content, position, old)
            scan_times.append(time.perf_counter() - start)
        assert lines == {old_line}, (lines, old_line)  # the same line, read either way
        at_step = counted.clusters
        count_rows = sum(len(a) for a in counted.answers.values()) + 1
        row = {
            "clusters": count,
            "view_ms": _median_ms(view_times),
            "changed_ms": _median_ms(changed_times),
            "cell_rows": len((await store.shared_counts()).rows),
            "view_kb": len(response.content) / 1024,
            "peers_ms": _median_ms(peer_times),
            "peers_at_step": at_step,
            "peers_rows": count_rows,
            "scan_ms": _median_ms(scan_times),
        }
        await storage.close()
        rows.append(row)
        print(regional_row(row), file=sys.stderr)
    return rows


async def new_assessment(content: Content, storage: Any, user: str, rng: random.Random) -> None:
    """`user` completes another quick check: stored, and the regional summaries kept, in one
    transaction, as the bot does it."""
    from bot.storage.clusters import refresh_cluster
    from bot.storage.schema import assessments
    from flows.scoring import score

    questions = [q.id for step in content.steps for q in step.questions[:1]]
    answers = {q: rng.choice(["yes", "partly", "no", "unsure"]) for q in questions}
    result = score(content, answers)
    now = time.time()
    async with storage.transaction() as conn:
        await conn.execute(
            assessments.insert().values(
                user_id=user, mode="quick", started=now - 300, completed=now,
                answers=json.dumps({q: [a, now] for q, a in answers.items()}),
                percents=json.dumps(list(result.percents)), position=result.position,
                team_id=None,
            )
        )  # fmt: skip
        await refresh_cluster(conn, user)


def regional_row(r: dict[str, Any]) -> str:
    return (
        f"| {r['clusters']:,} | {r['changed_ms']:.0f} / {r['view_ms']:.1f} ({r['cell_rows']} rows) "
        f"| {r['peers_ms']:.1f} ({r['peers_rows']} rows; {r['peers_at_step']} at the step) "
        f"| {r['scan_ms']:.1f} |"
    ).replace(",", " ")


REGIONAL_HEAD = (
    "| consenting clusters | regional view ms: after a change / unchanged (rows read) "
    "| peers line ms (rows read) | peers line before: scan of every assessment, ms |\n"
    "|---|---|---|---|"
)


async def main_async(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        out: dict[str, Any] = {}
        if sizes(args.clusters):
            out["regional"] = await regional(sizes(args.clusters), work)
        if sizes(args.pages):
            out["pages"] = await projector(sizes(args.pages))
        if sizes(args.stored):
            out["stored"] = await stored_users(sizes(args.stored), args.users, args.burst, work)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1, default=str))
    if "stored" in out:
        print(STORED_HEAD, *(stored_row(r) for r in out["stored"]), "", sep="\n")
    if "pages" in out:
        print(PAGES_HEAD, *(pages_row(r) for r in out["pages"]), "", sep="\n")
    if "regional" in out:
        print(REGIONAL_HEAD, *(regional_row(r) for r in out["regional"]), "", sep="\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stored", default="1000,10000,100000", help="stored users, a list")
    parser.add_argument("--pages", default="50,200,1000", help="open projector pages, a list")
    parser.add_argument("--clusters", default="100,1000,10000", help="consenting clusters")
    parser.add_argument("--users", type=int, default=200, help="users in each crowd")
    parser.add_argument("--burst", type=int, default=100, help="summaries at once (0: none)")
    parser.add_argument("--json", help="also write the raw figures here")
    return asyncio.run(main_async(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
