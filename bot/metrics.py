"""Operators' figures for `/metrics` in Prometheus' text format (prometheus-client), one set
per process, so each replica serves its own.

Off unless CLUSTER_JOURNEY_METRICS is set (`bot.config`): then `enable` loads the library and
the bot's web server answers `/metrics` beside `/healthz`, on the same address. While off,
every figure is a no-op and the library is not imported. Labels are closed sets named here
(kinds of update, lanes, outcomes): never a user, a chat, a text or a workshop.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# seconds from an update's arrival to its last reply (Telegram's per-chat pace included)
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
KINDS = ("button", "command", "text", "other")
LANES = ("interactive", "later", "bulk")


class _Off:
    """A figure while metrics are off: takes every call, keeps nothing."""

    def labels(self, *_args: Any, **_kwargs: Any) -> _Off:
        return self

    def inc(self, _amount: float = 1) -> None:
        pass

    def dec(self, _amount: float = 1) -> None:
        pass

    def observe(self, _value: float) -> None:
        pass


OFF = _Off()


class Figures:
    """The figures; each attribute is a prometheus-client metric once `enable` ran."""

    updates: Any = OFF  # updates handled, by kind
    event_seconds: Any = OFF  # arrival → last reply, by kind
    outcomes: Any = OFF  # events' outcomes: ok, duplicate, stale
    sends: Any = OFF  # messages sent, by lane
    flood_waits: Any = OFF  # 429 answers, by lane
    retries: Any = OFF  # sends tried again after a 429, by lane
    streams: Any = OFF  # projector pages' open update streams
    reminders_due: Any = OFF  # reminders claimed as due
    reminders_sent: Any = OFF  # reminders Telegram accepted
    round_trips: Any = OFF  # database statements, BEGINs and COMMITs
    registry: Any = None


FIGURES = Figures()


def enabled() -> bool:
    return FIGURES.registry is not None


def enable() -> None:
    """Create the figures in a registry of their own (idempotent)."""
    if enabled():
        return
    from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

    registry = CollectorRegistry()
    FIGURES.updates = Counter(
        "cj_updates_handled", "updates handled from Telegram", ["kind"], registry=registry
    )
    FIGURES.event_seconds = Histogram(
        "cj_event_latency_seconds",
        "from an update's arrival to its last reply being sent",
        ["kind"],
        buckets=LATENCY_BUCKETS,
        registry=registry,
    )
    FIGURES.outcomes = Counter(
        "cj_events", "events run, by outcome (ok, duplicate, stale)", ["outcome"], registry=registry
    )
    FIGURES.sends = Counter(
        "cj_sends", "messages sent to chats, by pacing lane", ["lane"], registry=registry
    )
    FIGURES.flood_waits = Counter(
        "cj_send_flood_waits", "429 (flood wait) answers to sends", ["lane"], registry=registry
    )
    FIGURES.retries = Counter(
        "cj_send_retries", "sends tried again after a flood wait", ["lane"], registry=registry
    )
    FIGURES.streams = Gauge(
        "cj_projector_streams", "open projector pages' update streams", registry=registry
    )
    FIGURES.reminders_due = Counter(
        "cj_reminders_due", "reminders claimed for sending when due", registry=registry
    )
    FIGURES.reminders_sent = Counter(
        "cj_reminders_sent", "reminders that Telegram accepted", registry=registry
    )
    FIGURES.round_trips = Counter(
        "cj_db_round_trips", "database round trips (statements, BEGIN, COMMIT)", registry=registry
    )
    for kind in KINDS:  # every series from the start, so rates work from the first scrape
        FIGURES.updates.labels(kind)
        FIGURES.event_seconds.labels(kind)
    for lane in LANES:
        FIGURES.sends.labels(lane)
        FIGURES.flood_waits.labels(lane)
        FIGURES.retries.labels(lane)
    FIGURES.registry = registry


def lane_name(rate_limit_args: Any) -> str:
    """The pacing lane of a send as a label: one of LANES."""
    return rate_limit_args if rate_limit_args in ("later", "bulk") else "interactive"


@contextmanager
def timed_update(kind: str) -> Iterator[None]:
    """Count an update of `kind` and time it until its handler returns."""
    if not enabled():
        yield
        return
    start = time.perf_counter()
    try:
        yield
    finally:
        FIGURES.updates.labels(kind).inc()
        FIGURES.event_seconds.labels(kind).observe(time.perf_counter() - start)


def count_round_trips(sync_engine: Any) -> None:
    """Count the engine's statements, BEGINs and COMMITs (while metrics are on)."""
    if not enabled():
        return
    from sqlalchemy import event

    def count(*_args: Any) -> None:
        FIGURES.round_trips.inc()

    for name in ("before_cursor_execute", "begin", "commit"):
        event.listen(sync_engine, name, count)


def routes() -> list[Any]:
    """`/metrics`, when metrics are on."""
    if not enabled():
        return []
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
    from starlette.responses import Response
    from starlette.routing import Route

    async def scrape(_request: Any) -> Response:
        return Response(generate_latest(FIGURES.registry), media_type=CONTENT_TYPE_LATEST)

    return [Route("/metrics", scrape, methods=["GET"])]
