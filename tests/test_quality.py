"""House rules: ruff clean, mypy clean on flows/, flows/ free of Telegram and bot imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_is_clean():
    result = run("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean_on_flows():
    result = run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_flows_know_nothing_of_telegram_or_adapters():
    for path in (ROOT / "flows").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for banned in ("import telegram", "from telegram", "from bot", "import bot"):
            assert banned not in text, f"{path.name} uses {banned!r}"
