"""The `cluster-journey` command (`python -m bot.cli`) run as a real process in a throw-away
home: a SQLite database, data and HOME in the test's `tmp_path`, the real content."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import threading
from pathlib import Path
from unittest import mock

from bot.cli import main


def run(tmp_path: Path, args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    """`cluster-journey <args>` with no input; `env` adds or overrides variables."""
    environ = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'journey.db'}",
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        **env,
    }
    environ.pop("CLUSTER_JOURNEY_CONTENT_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input="",
        capture_output=True,
        text=True,
        env=environ,
        cwd=tmp_path,
        timeout=60,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one line a refused start-up writes (exit 2, no traceback, nothing on stdout)."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def chat(tmp_path: Path, lines: list[str], *args: str) -> str:
    """The terminal chat (`cluster-journey chat <args>`) fed `lines` as typed; all it wrote.
    The command's own `main`, in this process (in a thread of its own, so that async tests may
    call it too): the same code as the piped process of `test_terminal`, without an
    interpreter's start-up for each of the suite's many short chats."""
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'journey.db'}",
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "HOME": str(tmp_path),
    }
    stdin = io.StringIO("".join(f"{line}\n" for line in lines))
    stdout, stderr = io.StringIO(), io.StringIO()
    box: dict[str, object] = {}
    saved = dict(os.environ)
    folder = os.getcwd()
    try:
        os.environ.update(env)
        os.environ.pop("CLUSTER_JOURNEY_CONTENT_DIR", None)
        os.chdir(tmp_path)
        with (
            mock.patch.object(sys, "stdin", stdin),
            contextlib.redirect_stdout(stdout),
            contextlib.redirect_stderr(stderr),
        ):
            thread = threading.Thread(target=lambda: box.update(code=main(["chat", *args])))
            thread.start()
            thread.join(timeout=120)
    finally:
        os.chdir(folder)
        os.environ.clear()
        os.environ.update(saved)
    assert box.get("code") == 0, stderr.getvalue()
    return stdout.getvalue()


def chat_process(tmp_path: Path, lines: list[str], *args: str) -> str:
    """The same as `chat`, as a separate process with the lines piped to its standard input."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'journey.db'}",
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "HOME": str(tmp_path),
    }
    env.pop("CLUSTER_JOURNEY_CONTENT_DIR", None)
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", *args],
        input="".join(f"{line}\n" for line in lines),
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout
