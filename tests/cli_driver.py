"""The `cluster-journey` command (`python -m bot.cli`) in a throw-away home: a SQLite
database, data and HOME in the test's `tmp_path`, the real content; as the command's `main` in
this process where it sets nothing up for the process, else as a real process."""

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

IN_PROCESS = {"admin", "chat", "content", "db"}  # commands that leave the process as it was


def home(tmp_path: Path) -> dict[str, str]:
    """The throw-away home's variables: its database, data folder and HOME."""
    return {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'journey.db'}",
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }


def run(tmp_path: Path, args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    """`cluster-journey <args>` with no input; `env` adds or overrides variables. The commands
    that set nothing up for the process (`IN_PROCESS`) run as the command's `main` in this
    process, which saves an interpreter's start-up each; `run` and `web`, which set up logging
    and serve, as a process of their own."""
    variables = {**home(tmp_path), **env}
    if args and args[0] in IN_PROCESS:
        return in_process(tmp_path, args, variables, "")
    return process(tmp_path, args, variables, "", timeout=60)


def process(
    tmp_path: Path, args: list[str], env: dict[str, str], typed: str, timeout: float
) -> subprocess.CompletedProcess[str]:
    """`python -m bot.cli <args>` as a process of its own in `tmp_path`, `typed` piped in."""
    environ = {**os.environ, **env}
    environ.pop("CLUSTER_JOURNEY_CONTENT_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=typed,
        capture_output=True,
        text=True,
        env=environ,
        cwd=tmp_path,
        timeout=timeout,
    )


def in_process(
    tmp_path: Path, args: list[str], env: dict[str, str], typed: str
) -> subprocess.CompletedProcess[str]:
    """The command's `main` with this environment, folder and standard input, in a thread of
    its own (so that async tests may call it too); what it wrote and its exit code, as a
    process would give them. An exception it lets out fails the test, as a traceback would."""
    stdin, stdout, stderr = io.StringIO(typed), io.StringIO(), io.StringIO()
    box: dict[str, object] = {}

    def command() -> None:
        try:
            box["code"] = main(args)
        except SystemExit as exit_:  # argparse's refusals
            box["code"] = exit_.code if isinstance(exit_.code, int) else 2
        except BaseException as exc:  # handed to the test
            box["error"] = exc

    saved, folder = dict(os.environ), os.getcwd()
    try:
        os.environ.update(env)
        os.environ.pop("CLUSTER_JOURNEY_CONTENT_DIR", None)
        os.chdir(tmp_path)
        with (
            mock.patch.object(sys, "stdin", stdin),
            contextlib.redirect_stdout(stdout),
            contextlib.redirect_stderr(stderr),
        ):
            thread = threading.Thread(target=command)
            thread.start()
            thread.join(timeout=120)
    finally:
        os.chdir(folder)
        os.environ.clear()
        os.environ.update(saved)
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    code = box.get("code")
    return subprocess.CompletedProcess(args, code, stdout.getvalue(), stderr.getvalue())


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one line a refused start-up writes (exit 2, no traceback, nothing on stdout)."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def chat(tmp_path: Path, lines: list[str], *args: str) -> str:
    """The terminal chat (`cluster-journey chat <args>`) fed `lines` as typed; all it wrote.
    In this process (`in_process`): the same code as the piped process of `test_terminal`,
    without an interpreter's start-up for each of the suite's many short chats."""
    typed = "".join(f"{line}\n" for line in lines)
    result = in_process(tmp_path, ["chat", *args], home(tmp_path), typed)
    assert result.returncode == 0, result.stderr
    return result.stdout


def chat_process(tmp_path: Path, lines: list[str], *args: str) -> str:
    """The same as `chat`, as a separate process with the lines piped to its standard input."""
    typed = "".join(f"{line}\n" for line in lines)
    result = process(tmp_path, ["chat", *args], home(tmp_path), typed, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout
