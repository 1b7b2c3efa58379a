"""What the web server refuses and adds, over real HTTP on uvicorn: security headers on every
answer (404s and static files too) and no `server` header; bodies over the cap refused unread;
a request head or body that stops arriving closed; projector streams capped per link and per
address; bad query values ignored; closed tabs leaving no "Task was destroyed" behind."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.storage import Storage
from bot.storage.workshops import WorkshopStore
from bot.web import access, guard, server
from bot.web.streams import StreamLimits
from tests.web_harness import WebPages


@pytest.fixture
async def site(tmp_path, content) -> AsyncIterator[tuple[WebPages, Storage]]:
    storage = Storage.create(f"sqlite:///{tmp_path / 'web.db'}")
    await storage.prepare()
    pages = await WebPages(
        storage, content, streams=StreamLimits(per_link=3, per_address=5)
    ).start()
    yield pages, storage
    await pages.stop()
    await storage.close()


async def projector_path(storage: Storage, title: str = "Skog och trä") -> str:
    workshop = await WorkshopStore(storage).create("facilitator", title, 0.0)
    secret = await access.PageLinks("").secret(storage)
    return access.PAGE_PATH + access.sign(secret, workshop.id, workshop.link_generation)


async def raw(base_url: str, data: bytes, wait: float = 5.0) -> bytes:
    """Send `data` on a fresh connection and read until the server closes it (or `wait`)."""
    host, port = base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(data)
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(), wait)
    finally:
        writer.close()


async def test_every_answer_carries_the_security_headers_and_no_server_name(site):
    pages, storage = site
    projector = await projector_path(storage)
    async with httpx.AsyncClient(base_url=pages.base_url) as client:
        for path, status in [
            ("/no-such-page", 404),
            ("/w/1.1.forged-token-forged-token", 404),
            ("/static/projector.css", 200),
            ("/healthz", 200),
            (projector, 200),
            ("/chat", 200),
        ]:
            response = await client.get(path)
            assert response.status_code == status, path
            headers = response.headers
            assert "server" not in headers, path
            assert headers["cache-control"] == "no-store", path
            assert headers["x-content-type-options"] == "nosniff", path
            policy = headers["content-security-policy"]
            assert "base-uri 'none'" in policy and "form-action 'self'" in policy, path
            assert "frame-ancestors 'none'" in policy, path


async def test_a_body_over_the_cap_is_refused_without_being_read(site):
    pages, _storage = site
    declared = await raw(
        pages.base_url,
        b"POST /chat HTTP/1.1\r\nHost: x\r\nContent-Length: 52428800\r\n\r\n" + b"a" * 1000,
    )
    assert declared.startswith(b"HTTP/1.1 413"), declared[:80]
    chunk = b"b" * 64 * 1024
    chunked = b"%x\r\n%s\r\n" % (len(chunk), chunk)  # no length given: counted as it comes
    counted = await raw(
        pages.base_url,
        b"POST /chat HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked * 17,
    )
    assert counted.startswith(b"HTTP/1.1 413"), counted[:80]
    assert counted.endswith(b"Request Entity Too Large")


async def test_a_head_or_body_that_stops_arriving_is_closed(site, monkeypatch):
    pages, _storage = site
    monkeypatch.setattr(server, "HEAD_TIMEOUT", 0.5)
    monkeypatch.setattr(guard, "BODY_TIMEOUT", 0.5)
    loop = asyncio.get_running_loop()
    started = loop.time()
    # the head never ends: closed with nothing answered
    assert await raw(pages.base_url, b"GET /chat HTTP/1.1\r\nHost: x\r\nX-Slow: ") == b""
    assert loop.time() - started < 3
    # the head is in, the body stops half-way: 408, and nothing acted on
    answer = await raw(
        pages.base_url,
        b"POST /chat HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\ntext=half",
    )
    assert answer.startswith(b"HTTP/1.1 408"), answer[:80]


async def test_projector_streams_are_capped_per_link_and_per_address(site):
    pages, storage = site
    first, second = await projector_path(storage, "A"), await projector_path(storage, "B")
    async with httpx.AsyncClient(base_url=pages.base_url, timeout=10) as client:
        opened = []

        async def open_stream(path: str) -> int:
            request = client.build_request("GET", path + "/events")
            response = await client.send(request, stream=True)
            if response.status_code == 200:
                opened.append(response)
            else:
                await response.aclose()
            return response.status_code

        assert [await open_stream(first) for _ in range(4)] == [200, 200, 200, 429]
        assert pages.pages.streams.open == 3
        await opened.pop().aclose()  # a tab closed: its place is free again
        for _ in range(50):
            if pages.pages.streams.open == 2:
                break
            await asyncio.sleep(0.05)
        assert await open_stream(first) == 200
        # the same address on another link: up to five in all
        assert [await open_stream(second) for _ in range(3)] == [200, 200, 429]
        refused = await client.get(second + "/events")
        assert refused.status_code == 429 and refused.headers["retry-after"] == "30"
        for response in opened:
            await response.aclose()


@pytest.mark.parametrize("since", ["²", "9" * 5000, "-1", "1e5", ""])
async def test_a_bad_since_value_is_ignored(site, since):
    pages, storage = site
    path = await projector_path(storage)
    async with (
        httpx.AsyncClient(base_url=pages.base_url, timeout=10) as client,
        client.stream("GET", path + "/events", params={"since": since}) as response,
    ):
        assert response.status_code == 200
        seen = ""
        async for chunk in response.aiter_text():
            seen += chunk
            if "event: results" in seen:
                break
        assert "event: results" in seen  # shown whole, as to a page that has shown nothing


async def test_closed_tabs_leave_no_destroyed_tasks(site, caplog):
    pages, storage = site
    path = await projector_path(storage)
    caplog.set_level(logging.DEBUG)
    host, port = pages.base_url.removeprefix("http://").split(":")
    for _ in range(3):  # a tab that reads the first update and is closed
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(f"GET {path}/events HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        assert b"200 OK" in await reader.readuntil(b"event: results")
        writer.transport.abort()
    for _ in range(50):
        if pages.pages.streams.open == 0:
            break
        await asyncio.sleep(0.05)
    assert pages.pages.streams.open == 0
    gc.collect()
    await asyncio.sleep(0.1)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Task was destroyed" not in logged
    assert "Traceback" not in caplog.text and "Exception in ASGI" not in logged
