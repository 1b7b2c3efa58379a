"""The benchmark harness still works: `python -m bench.run` with a handful of users, both bots,
a small chart burst. Checks what was measured, never how fast (see docs/PERFORMANCE.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
USERS = 6
UPDATES_PER_USER = 12  # /assess, Quick check, ten answers


def test_benchmark_smoke_run(tmp_path):
    figures = tmp_path / "figures.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.run",
            "--users",
            str(USERS),
            "--concurrency",
            str(USERS),
            "--paced-users",
            "0",
            "--burst",
            "2",
            "--others",
            "1",
            "--quiet",
            "0.5",
            "--stored",
            "100",
            "--rounds",
            "3",
            "--startups",
            "0",
            "--fresh",
            "1",
            "--timeout",
            "30",
            "--json",
            str(figures),
            "--keep",
            str(tmp_path / "work"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert "ratio ours / baseline" in result.stdout
    out = json.loads(figures.read_text())
    for key in ("baseline", "ours"):
        run = out[key]
        assert run["updates"] == USERS * UPDATES_PER_USER, run["failures"]
        assert run["failures"] == [] and run["violations"] == []
        assert run["exit_code"] == 0
        assert run["peak_rss_mb"] > 0 and run["startup_s"] > 0
        assert run["burst"]["finals"]["n"] == 2 and run["burst"]["failures"] == []
    assert out["ours"]["assessments"] == 100 + USERS + 2
    assert out["engine_us"]["all"] > 0 and out["chart_ms"]["median"] > 0
    assert out["startup_s"] == []
    assert len(out["first_summaries_s"]) == 1  # the first summary on a fresh install, timed
    assert "last tap → summary text" in result.stdout


async def test_projector_pages_benchmark_smoke():
    """`bench.pages` with four pages read by a process of its own: every answer measured on
    every page, and the pages' reads of the workshop counted."""
    from bench import pages

    figures = await pages.run(4, 3, 0.1, readers=1)
    assert figures["pages"] == 4 and figures["missed"] == 0
    assert 0 < figures["workshop_reads_per_s"] <= 1.5
