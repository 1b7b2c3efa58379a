"""How long the two charts take to draw, and the memory they need (a report, not a test).

    python -m bench.charts [--renders 200]

Each chart is described by the flows from the real content (the readiness chart of a typical
quick check, the workshop chart of a room of 30), in Swedish and in English, and drawn by
`bot/render/charts.py`: the first render in this process (fonts loaded, texts laid out and
cached), then the median and p95 of `--renders` more, the PNG's size, and the charts per second
on one and on two threads. Memory is the process's peak RSS before the first chart and after
all of them.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import threading
import time
from collections.abc import Callable

from bot.render.charts import count_png, readiness_png
from flows.content_loader import load_content
from flows.content_model import Content
from flows.i18n import _, use_language
from flows.messages import CountChart, ReadinessChart
from flows.scoring import score
from flows.summary import chart_attachment
from flows.workshop.answers import ParticipantAnswers
from flows.workshop.results import aggregate, count_chart


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def readiness_data(content: Content, lang: str) -> ReadinessChart:
    rng = random.Random(12)
    answers = {
        q.id: rng.choice(["yes", "yes", "partly", "no", "unsure"])
        for step in content.steps
        for q in step.questions
    }
    with use_language(lang):
        chart = chart_attachment(content, score(content, answers)).content
    assert isinstance(chart, ReadinessChart)
    return chart


def count_data(content: Content, lang: str) -> CountChart:
    rng = random.Random(12)
    room = [ParticipantAnswers(step=rng.choice([1, 2, 2, 3, 4, 4, 4, 7, None])) for _ in range(30)]
    with use_language(lang):
        title = _("Where the participants are on the journey")
        return count_chart(content, aggregate(content, room), title)


def timed(render: Callable[[], bytes]) -> float:
    start = time.perf_counter()
    render()
    return (time.perf_counter() - start) * 1e3


def per_second(render: Callable[[], bytes], threads: int, seconds: float = 1.5) -> float:
    done = [0] * threads
    stop = time.perf_counter() + seconds

    def work(slot: int) -> None:
        while time.perf_counter() < stop:
            render()
            done[slot] += 1

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(done) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=200)
    args = parser.parse_args()

    content = load_content()
    jobs: list[tuple[str, Callable[[], bytes]]] = []
    for lang in ("sv", "en"):
        readiness, count = readiness_data(content, lang), count_data(content, lang)
        jobs.append((f"readiness_png ({lang})", lambda r=readiness: readiness_png(r)))
        jobs.append((f"count_png ({lang})", lambda c=count: count_png(c)))

    before = peak_rss_mb()
    print(f"{'chart':<22} {'first ms':>9} {'median ms':>10} {'p95 ms':>8} {'PNG KB':>7}"
          f" {'1 thread/s':>11} {'2 threads/s':>12}")  # fmt: skip
    for name, render in jobs:
        first = timed(render)
        times = sorted(timed(render) for _ in range(args.renders))
        median = statistics.median(times)
        p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
        size = len(render()) / 1024
        one, two = per_second(render, 1), per_second(render, 2)
        print(f"{name:<22} {first:>9.1f} {median:>10.2f} {p95:>8.2f} {size:>7.0f}"
              f" {one:>11.0f} {two:>12.0f}")  # fmt: skip
    after = peak_rss_mb()
    print(f"peak RSS: {before:.0f} MB before the first chart, {after:.0f} MB after all "
          f"(+{after - before:.1f} MB)")  # fmt: skip


if __name__ == "__main__":
    main()
