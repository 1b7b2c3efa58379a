"""Reading a cProfile of the bot process: where its event-loop thread spends time per update.

    python -m bench.run --users 300 --profile /tmp/bot.prof    (runs and prints this report)
    python -m bench.profile /tmp/bot.prof UPDATES               (the report of a saved profile)

Only the main thread is profiled (chart rendering runs in worker threads; see the chart figure).
Time is grouped by package (site-packages name, project package, or standard-library module);
waiting in epoll is the loop being idle, not a cost.
"""

from __future__ import annotations

import pstats
import sys
from collections import defaultdict
from pathlib import Path

IDLE = "<method 'poll' of 'select.epoll' objects>"


def package(filename: str, function: str) -> str:
    if filename == "~":
        return "idle (epoll wait)" if function == IDLE else f"builtin {function}"
    path = Path(filename)
    parts = path.parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].removesuffix(".py")
    for project in ("bot", "flows", "bench"):
        if project in parts:
            return project
    return f"stdlib {path.stem if path.parent.name.startswith('python3') else path.parent.name}"


def report(profile: Path, updates: int, top: int = 15) -> str:
    stats = pstats.Stats(str(profile))
    table = stats.stats  # type: ignore[attr-defined]
    by_package: dict[str, float] = defaultdict(float)
    total = 0.0
    for (filename, _line, function), (_cc, _nc, tottime, _ct, _callers) in table.items():
        by_package[package(filename, function)] += tottime
        total += tottime
    busy = total - by_package.get("idle (epoll wait)", 0.0)
    lines = [
        f"Main-thread profile: {total:.1f} s, of which busy {busy:.1f} s "
        f"({busy / updates * 1e3:.2f} ms per update over {updates} updates; cProfile "
        "overhead included)",
        "",
        "| package | ms per update | share of busy |",
        "|---|---|---|",
    ]
    for name, seconds in sorted(by_package.items(), key=lambda kv: -kv[1])[:top]:
        if name != "idle (epoll wait)":
            lines.append(f"| {name} | {seconds / updates * 1e3:.3f} | {seconds / busy:.0%} |")
    lines += [
        "",
        "Functions by own time:",
        "",
        "| function | calls per update | ms per update (own) | ms per update (with callees) |",
        "|---|---|---|---|",
    ]
    ranked = sorted(table.items(), key=lambda kv: -kv[1][2])
    for (filename, line, function), (_cc, ncalls, tottime, cumtime, _callers) in ranked:
        if function == IDLE:
            continue
        where = f"{Path(filename).name}:{line}" if filename != "~" else "builtin"
        lines.append(
            f"| `{function}` {where} | {ncalls / updates:.1f} | "
            f"{tottime / updates * 1e3:.3f} | {cumtime / updates * 1e3:.3f} |"
        )
        if len(lines) > 10 + top + top:
            break
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(Path(sys.argv[1]), int(sys.argv[2])))
