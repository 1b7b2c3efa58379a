"""The charts as PNG, drawn with matplotlib's Agg backend from the flows' descriptions.

matplotlib is imported inside the functions so that start-up stays fast; adapters call them off
the event loop. No pyplot: a bare Figure is safe to use from worker threads.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

from flows.messages import CountChart, ReadinessChart


def readiness_png(data: ReadinessChart) -> bytes:
    """Horizontal bars, step 1 at the top, threshold line, the current step highlighted."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    # 1000 × 1000 px: sharp on a phone, and fixed margins instead of tight_layout (which
    # costs as much as the drawing itself)
    figure = Figure(figsize=(8, 8), dpi=125)
    figure.subplots_adjust(left=0.36, right=0.95, top=0.88, bottom=0.09)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    count = len(data.labels)
    positions = list(range(count))[::-1]
    values = [p or 0 for p in data.percents]
    colours = _colours(data.percents, data.threshold, data.current)
    axes.barh(positions, values, color=colours, height=0.7)
    axes.set_yticks(positions, labels=data.labels, fontsize=13)
    axes.set_xlim(0, 100)
    axes.set_xlabel(data.axis_label, fontsize=12)
    axes.axvline(data.threshold, color="#333333", linestyle="--", linewidth=1.5)
    axes.text(
        data.threshold + 1,
        count - 0.45,
        data.threshold_label,
        fontsize=11,
        color="#333333",
        va="bottom",
    )
    for y, value, percent in zip(positions, values, data.percents, strict=True):
        label = "–" if percent is None else data.value_format.format(percent=percent)
        axes.text(min(value + 1.5, 88), y, label, va="center", fontsize=12)
    axes.set_title(data.title, fontsize=15, loc="left", pad=22)
    axes.spines[["top", "right"]].set_visible(False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _colours(percents: Sequence[int | None], threshold: int, current: int | None) -> list[str]:
    colours = []
    for number, percent in enumerate(percents, start=1):
        if number == current:
            colours.append("#e07a1f")  # the step to work on now
        elif percent is not None and percent >= threshold:
            colours.append("#2e7d5b")
        else:
            colours.append("#9db4c8")
    return colours


def count_png(data: CountChart) -> bytes:
    """Participants per step as horizontal bars (step 1 at the top); large type for a
    projector that stays legible on a phone."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    labels = list(data.labels)
    counts = list(data.counts)
    largest = max(counts, default=0)
    figure = Figure(figsize=(9.6, 7.2), dpi=150)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(labels)))[::-1]
    colours = ["#e07a1f" if largest and c == largest else "#3f7cac" for c in counts]
    axes.barh(positions, counts, color=colours, height=0.7)
    axes.set_yticks(positions, labels=labels, fontsize=16)
    for tick in axes.get_yticklabels():
        tick.set_parse_math(False)
    axes.set_xlim(0, max(largest, 1) * 1.15)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.tick_params(axis="x", labelsize=13)
    for y, count in zip(positions, counts, strict=True):
        axes.text(
            count + max(largest, 1) * 0.015,
            y,
            str(count),
            va="center",
            fontsize=16,
            fontweight="bold" if count else "normal",
        )
    axes.set_xlabel(data.note, fontsize=14, parse_math=False)
    heading = "\n".join(textwrap.wrap(" ".join(data.title.split()), 48)[:2]) or " "
    axes.set_title(heading, fontsize=19, loc="left", pad=16, parse_math=False)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
