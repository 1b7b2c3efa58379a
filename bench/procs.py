"""Bot processes under measurement: start against the local server, time to ready, peak RSS and
CPU time from /proc (Linux), a clean stop by SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.observed import ObservedApi

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class BotProcess:
    process: asyncio.subprocess.Process
    spawned: float  # perf_counter just before the exec
    ready: float  # perf_counter of the first getUpdates
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def startup(self) -> float:
        return self.ready - self.spawned


def bot_env(api: ObservedApi, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        "CLUSTER_JOURNEY_WEB_PORT": "0",  # the web pages on a free port: runs never collide
    }
    return {**env, **(extra or {})}


async def start(
    api: ObservedApi,
    args: list[str],
    workdir: Path,
    name: str,
    env: dict[str, str] | None = None,
    timeout: float = 60,
) -> BotProcess:
    """Start `python <args>` in `workdir` (no stray .env) and wait for its first getUpdates."""
    ready = api.poll_after(api.polls)
    log = workdir / f"{name}.log"
    with log.open("ab") as out:
        spawned = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            *args,
            cwd=workdir,
            env=bot_env(api, env),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=out,
            stderr=out,
        )
    exited = asyncio.ensure_future(process.wait())
    done, _pending = await asyncio.wait(
        {ready, exited}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
    )
    if ready not in done:
        exited.cancel()
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        raise RuntimeError(
            f"{name} did not start (exit {process.returncode}); see {log}:\n"
            + log.read_text()[-2000:]
        )
    exited.cancel()
    return BotProcess(process, spawned, ready.result(), log)


async def stop(bot: BotProcess, timeout: float = 20) -> int:
    """SIGTERM and wait; SIGKILL if it does not stop in time. Returns the exit code."""
    return await stop_process(bot.process, timeout)


async def stop_process(process: asyncio.subprocess.Process, timeout: float = 20) -> int:
    """`stop` for any child process (the replica tests' webhook processes too)."""
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), timeout)
        except TimeoutError:
            process.kill()
            await process.wait()
    return process.returncode or 0


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the most resident memory the process has had."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc status")


def rss_mb(pid: int) -> float:
    """VmRSS: the resident memory the process has now."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc status")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of the process (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS
