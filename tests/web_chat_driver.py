"""A person in the browser chat, over HTTP without a browser: the real ASGI application in the
test's event loop (httpx's ASGI transport), the cookie kept as a browser keeps it. Reads the
page as a person reads it: the messages' texts and the buttons they can press."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import httpx

from bot.storage import Storage
from bot.web import asgi
from bot.web.pages import Pages
from flows.content_model import Content

BASE = "http://testserver"
_MESSAGE = re.compile(r'<li class="msg (user|bot)" id="m(\d+)"[^>]*>(.*?)</li>', re.S)
_TEXT = re.compile(r'<p class="text">(.*?)</p>', re.S)
_BUTTON = re.compile(r'<button name="button" value="([0-9.]+)">(.*?)</button>', re.S)
_COMMAND = re.compile(r'<button name="command" value="(\w+)">')
_CSRF = re.compile(r'name="csrf" value="([^"]*)"')
_FILE = re.compile(r'(?:src|href)="(/chat/file/[^"]+)"')


def replica(
    storage: Storage, content: Content, base_url: str = BASE, **options
) -> httpx.AsyncClient:
    """One replica of the web server (its own Pages on its own storage) and a client to it."""
    app = asgi.build(storage, Pages(storage, content, base_url=base_url, **options))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)


@dataclass
class Message:
    id: int
    who: str
    text: str
    buttons: list[tuple[str, str]]  # (value, label)
    files: list[str]


@dataclass
class WebUser:
    """One browser: `clients` are the replicas it reaches in turn (a round-robin)."""

    clients: list[httpx.AsyncClient]
    accept_language: str = "sv-SE,sv;q=0.9,en;q=0.5"
    cookies: httpx.Cookies = field(default_factory=httpx.Cookies)
    page: str = ""
    status: int = 0
    _next: int = 0

    def _client(self) -> httpx.AsyncClient:
        client = self.clients[self._next % len(self.clients)]
        self._next += 1
        return client

    async def request(self, method: str, url: str, **kwargs) -> httpx.Response:
        client = self._client()
        client.cookies = self.cookies
        headers = {"Accept-Language": self.accept_language, **kwargs.pop("headers", {})}
        response = await client.request(method, url, headers=headers, **kwargs)
        while response.is_redirect:  # followed on the next replica, as a browser would
            self.cookies.extract_cookies(response)
            client = self._client()
            client.cookies = self.cookies
            response = await client.get(response.headers["location"], headers=headers)
        self.cookies.extract_cookies(response)
        if "text/html" in response.headers.get("content-type", ""):
            self.page, self.status = response.text, response.status_code
        return response

    async def open(self, path: str = "/chat") -> WebUser:
        await self.request("GET", path)
        return self

    def csrf(self) -> str:
        found = _CSRF.search(self.page)
        return found.group(1) if found else ""

    def messages(self) -> list[Message]:
        out = []
        for who, number, inner in _MESSAGE.findall(self.page):
            text = html.unescape(re.sub(r"<[^>]+>", "", " ".join(_TEXT.findall(inner))))
            buttons = [(v, html.unescape(label)) for v, label in _BUTTON.findall(inner)]
            out.append(Message(int(number), who, text, buttons, _FILE.findall(inner)))
        return out

    def texts(self) -> list[str]:
        return [m.text for m in self.messages() if m.who == "bot"]

    def last_text(self) -> str:
        return self.texts()[-1]

    def buttons(self) -> list[tuple[str, str]]:
        return [b for m in self.messages() for b in m.buttons]

    def labels(self) -> list[str]:
        return [label for _value, label in self.buttons()]

    def commands(self) -> list[str]:
        return _COMMAND.findall(self.page)

    async def post(self, **form: str) -> httpx.Response:
        return await self.request("POST", "/chat", data={"csrf": self.csrf(), **form})

    async def press(self, label: str) -> httpx.Response:
        for value, shown in reversed(self.buttons()):
            if shown == label:
                return await self.post(button=value)
        raise AssertionError(f"no button {label!r} among {self.labels()}")

    async def say(self, text: str) -> httpx.Response:
        return await self.post(text=text)

    async def command(self, name: str) -> httpx.Response:
        return await self.post(command=name)
