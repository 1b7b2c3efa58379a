"""`cluster-journey web` as a facilitator would try it without a token: create a workshop in
the terminal chat, ask for the projector page, serve the pages, open the link; bad settings get
one line."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from tests.cli_driver import one_line, run


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_a_workshop_made_in_the_terminal_on_the_served_page(tmp_path: Path):
    port = free_port()
    env = {"CLUSTER_JOURNEY_WEB_PORT": str(port)}
    chat = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", "--lang", "sv", "--user", "lena"],
        input="/workshop\nSkapa en workshop\nKlusterdagen i Luleå\nProjektorsida\n/quit\n",
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'journey.db'}",
            "HOME": str(tmp_path),
            "XDG_DATA_HOME": str(tmp_path / "data"),
            **env,
        },
        cwd=tmp_path,
        timeout=60,
    )
    assert chat.returncode == 0, chat.stderr
    link = re.search(rf"http://127\.0\.0\.1:{port}/w/\S+", chat.stdout)
    code = re.search(r"Kod för att delta: ([A-Z0-9]{6})", chat.stdout)
    assert link is not None and code is not None, chat.stdout

    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "web",
        env={
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'journey.db'}",
            "HOME": str(tmp_path),
            **env,
        },
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        first = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        assert f"http://127.0.0.1:{port}" in first, first
        async with httpx.AsyncClient(timeout=10) as client:
            for _attempt in range(50):
                try:
                    health = await client.get(f"http://127.0.0.1:{port}/healthz")
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.1)
            assert health.status_code == 200 and health.json() == {"database": "ok"}
            page = await client.get(link.group(0))
            assert page.status_code == 200
            assert code.group(1) in page.text and "Klusterdagen i Luleå" in page.text
            assert 'lang="sv"' in page.text
            # never used with the bot: no username for a QR code, the command still shown
            assert f"/workshop join {code.group(1)}" in page.text
            refused = await client.get(f"http://127.0.0.1:{port}/w/1.1.AAAAAAAAAAAAAAAAAAAAAA")
            assert refused.status_code == 404
    finally:
        process.send_signal(signal.SIGTERM)
        returncode = await asyncio.wait_for(process.wait(), 15)
    assert returncode == 0
    assert process.stderr is not None
    assert "Traceback" not in (await process.stderr.read()).decode()


def test_a_web_port_in_use(tmp_path: Path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        line = one_line(run(tmp_path, ["web", "--port", str(port)]))
    assert line.startswith(f"cannot listen on 127.0.0.1:{port}"), line


def test_a_public_url_that_is_not_one(tmp_path: Path):
    line = one_line(run(tmp_path, ["web"], CLUSTER_JOURNEY_PUBLIC_URL="klusterresan.se"))
    assert "CLUSTER_JOURNEY_PUBLIC_URL" in line and "https://" in line, line
