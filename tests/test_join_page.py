"""A workshop's join page (`/j/<code>`) as a participant meets it: the title and code, "Answer
here" into the browser chat with the deep link's payload, "Open in Telegram" only when the bot
has a username, in the browser's language; a code that opens nothing gets a polite 404 in that
language. And every join link leading there: the facilitator's link and QR code, the group's
button, the projector's QR code, falling back to the channel's link and then the command where
phones cannot open the page. On SQLite and PostgreSQL; in Chromium at phone and desktop size,
with screenshots in build/screenshots/."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bot.render.qr import qr_svg
from bot.storage import Storage, values
from bot.storage.workshops import WorkshopStore
from bot.web import asgi
from bot.web.access import PageLinks
from bot.web.pages import Pages
from bot.web.responses import SECURITY_HEADERS
from flows import commands
from flows.i18n import _, use_language
from flows.messages import QrCode, Reply
from flows.router import Router
from flows.workshop.facilitator import join_link
from flows.workshop.port import WorkshopInfo
from tests.helpers import Engine
from tests.memory_ports import Memory, MemoryWorkshops
from tests.telegram_harness import command, press, say
from tests.workshop_driver import Person, create_workshop

BOT = "cluster_journey_test_bot"
PUBLIC = "https://klusterresan.example.se"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1920, "height": 1080}


def sv(message: str) -> str:
    with use_language("sv"):
        return _(message)


@dataclass
class Site:
    storage: Storage
    client: httpx.AsyncClient
    username: list[str | None]  # what the running bot answers for its username

    async def workshop(self, title: str = "Skånes kluster, 12 mars") -> WorkshopInfo:
        return await WorkshopStore(self.storage).create("tg:4242", title, 1.0)

    async def get(self, path: str, lang: str | None = None) -> httpx.Response:
        headers = {"Accept-Language": lang} if lang else {}
        return await self.client.get(path, headers=headers)


@pytest.fixture
async def site(database, content) -> AsyncIterator[Site]:
    """The bot's real ASGI application on the test's database, asked over HTTP in process."""
    storage = Storage.create(database.url)
    await storage.prepare()
    username: list[str | None] = [BOT]

    async def bot_username() -> str | None:
        return username[0]

    app = asgi.build(storage, Pages(storage, content, bot_username))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Site(storage, client, username)
    await storage.close()


def text_of(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>(.*?)</', html, re.S)
    assert found is not None, element_id
    return re.sub(r"<[^>]+>", " ", found.group(1)).strip()


def href_of(html: str, element_id: str) -> str | None:
    found = re.search(rf'id="{element_id}" href="([^"]*)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


# --- the page ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "lang", "answer", "app"),
    [
        ("sv-SE,sv;q=0.9,en;q=0.8", "sv", "Svara här", "Öppna i Telegram"),
        ("en-GB,en;q=0.9", "en", "Answer here", "Open in Telegram"),
        ("de-DE,fr;q=0.5", "en", "Answer here", "Open in Telegram"),  # neither: the default
    ],
)
async def test_a_known_code_in_the_browsers_language(site, accept, lang, answer, app):
    workshop = await site.workshop()
    response = await site.get(f"/j/{workshop.code}", accept)
    assert response.status_code == 200
    html = response.text
    assert f'<html lang="{lang}">' in html
    assert "<h1>Skånes kluster, 12 mars</h1>" in html
    assert text_of(html, "code") == workshop.code
    assert answer in text_of(html, "answer-here") and app in text_of(html, "open-app")
    # exactly the payload Telegram's deep link carries, for the browser chat's /start
    assert href_of(html, "answer-here") == f"/chat?start=ws_{workshop.code}"
    assert href_of(html, "open-app") == f"https://t.me/{BOT}?start=ws_{workshop.code}"
    # the other language, on the same page
    other = "en" if lang == "sv" else "sv"
    assert f'href="/j/{workshop.code}?lang={other}"' in html
    for header, value in SECURITY_HEADERS.items():
        assert response.headers[header] == value
    # nobody's id, no script, nothing from another host
    assert "4242" not in html and f">{workshop.id}<" not in html
    assert "<script" not in html and "style=" not in html
    assert not re.search(r'(?:src|href)="(?:https?:)?//(?!t\.me/)', html)


async def test_the_language_asked_for_wins_over_the_browsers(site):
    workshop = await site.workshop()
    response = await site.get(f"/j/{workshop.code}?lang=sv", "en-US,en")
    assert '<html lang="sv">' in response.text and "Svara här" in response.text
    broken = await site.get(f"/j/{workshop.code}?lang=xx", "sv;q=abc, en;q=0.1")
    assert broken.status_code == 200 and '<html lang="en">' in broken.text


@pytest.mark.parametrize("typed", ["{code}", "{lower}", "ws_{lower}", "{lower3}-{rest}"])
async def test_codes_in_any_case_and_form_open_the_page(site, typed):
    workshop = await site.workshop("Västerbotten")
    code = workshop.code
    path = typed.format(code=code, lower=code.lower(), lower3=code[:3].lower(), rest=code[3:])
    response = await site.get(f"/j/{path}", "sv")
    assert response.status_code == 200
    assert text_of(response.text, "code") == code
    assert href_of(response.text, "answer-here") == f"/chat?start=ws_{code}"
    assert f'href="/j/{code}?lang=en"' in response.text  # the canonical address


@pytest.mark.parametrize(
    "path",
    ["ABC234", "abc23", "ABC2340", "ABCD1O", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "ws_",
     "x" * 600, "%C3%85%C3%84%C3%96123", "..%2F..%2Fetc", "ABC234/extra"],
)  # fmt: skip
async def test_unknown_and_garbage_codes_get_a_polite_404_in_the_language(site, path):
    await site.workshop()  # another workshop exists
    for accept, lang, words in (
        ("sv-SE", "sv", "Jag hittar ingen workshop med den koden"),
        ("en", "en", "I can&#39;t find a workshop with that code"),
    ):
        response = await site.get(f"/j/{path}", accept)
        assert response.status_code == 404, path
        assert f'<html lang="{lang}">' in response.text
        assert words in response.text
        assert '<form class="code-form" method="get" action="/j">' in response.text
        assert "<script" not in response.text and "Traceback" not in response.text
        assert (
            response.headers["Content-Security-Policy"]
            == SECURITY_HEADERS["Content-Security-Policy"]
        )


async def test_a_closed_workshop_says_so_in_the_language(site):
    workshop = await site.workshop("Vårmötet")
    await WorkshopStore(site.storage).set_closed(workshop.id, True)
    response = await site.get(f"/j/{workshop.code.lower()}", "sv")
    assert response.status_code == 404
    assert "Workshoppen ”Vårmötet” är stängd" in response.text
    assert "answer-here" not in response.text and "open-app" not in response.text
    english = await site.get(f"/j/{workshop.code}", "en")
    assert "“Vårmötet” is closed and takes no more answers" in english.text
    await WorkshopStore(site.storage).set_closed(workshop.id, False)
    assert (await site.get(f"/j/{workshop.code}")).status_code == 200  # reopened


async def test_open_in_telegram_only_with_a_username(site):
    workshop = await site.workshop()
    site.username[0] = None  # the pages served without the bot, before it ever ran
    page = (await site.get(f"/j/{workshop.code}", "en")).text
    assert href_of(page, "answer-here") == f"/chat?start=ws_{workshop.code}"
    assert "open-app" not in page and "t.me" not in page and "Telegram" not in page
    site.username[0] = "x"  # not a name Telegram gives: no link, and no error either
    broken = await site.get(f"/j/{workshop.code}", "en")
    assert broken.status_code == 200 and "open-app" not in broken.text
    site.username[0] = None
    # the name the bot stored when it last started (`cluster-journey run`)
    await values.put(site.storage, values.BOT_USERNAME, "KlusterresanBot")
    page = (await site.get(f"/j/{workshop.code}", "en")).text
    assert href_of(page, "open-app") == f"https://t.me/KlusterresanBot?start=ws_{workshop.code}"


async def test_a_code_typed_into_the_page(site):
    workshop = await site.workshop()
    asked = await site.get("/j", "sv")
    assert asked.status_code == 200 and "Skriv workshoppens kod" in asked.text
    typed = await site.get(f"/j?code=+{workshop.code[:3].lower()} {workshop.code[3:]}&lang=sv")
    assert typed.status_code == 303
    assert typed.headers["location"] == f"/j/{workshop.code}?lang=sv"
    wrong = await site.get("/j?code=hello&lang=en", "sv")
    assert wrong.status_code == 404 and '<html lang="en">' in wrong.text
    assert 'href="/j?code=hello&amp;lang=sv"' in wrong.text  # the switch keeps what was typed


# --- the projector's QR code and printed link ---------------------------------------------------


async def _projector(site: Site, workshop: WorkshopInfo, host: str = "") -> str:
    link = await PageLinks(host or "http://testserver").workshop_page(workshop, site.storage)
    response = await site.client.get(link)
    assert response.status_code == 200
    return response.text


async def test_the_projectors_qr_code_and_link_open_the_join_page(site):
    workshop = await site.workshop()
    page = await _projector(site, workshop)
    join = f"http://testserver/j/{workshop.code}"
    assert href_of(page, "join-link") == join
    printed = re.search(r'id="join-link"[^>]*>(.*?)</a>', page)
    assert printed is not None
    assert re.sub(r"<[^>]+>", "", printed.group(1)) == f"testserver/j/{workshop.code}"
    assert qr_svg(join) in page
    site.username[0] = None  # no username: the wall still has its way in
    assert qr_svg(join) in await _projector(site, workshop)


async def test_a_projector_on_this_machines_address_shows_the_telegram_link(site):
    """Phones in the room cannot open 127.0.0.1: the deep link when there is a username."""
    workshop = await site.workshop()
    deep = f"https://t.me/{BOT}?start=ws_{workshop.code}"
    page = await _projector(site, workshop, "http://127.0.0.1:8080")
    assert qr_svg(deep) in page and "join-link" not in page  # too long to type: not printed
    site.username[0] = None
    local = await _projector(site, workshop, "http://localhost:8080")
    assert href_of(local, "join-link") == f"http://localhost:8080/j/{workshop.code}"


# --- the link every join reply gives ------------------------------------------------------------


class Channel:
    """A channel whose links open the bot, or (`links=False`) one without links."""

    def __init__(self, links: bool = True) -> None:
        self.links = links

    def start_link(self, payload: str) -> str | None:
        return f"https://example.org/open?start={payload}" if self.links else None


async def test_the_join_link_prefers_the_page_then_the_channel_then_this_machine():
    public = MemoryWorkshops(Memory(web=PUBLIC))
    local = MemoryWorkshops(Memory(web="http://127.0.0.1:8080", web_local=True))
    none = MemoryWorkshops(Memory())
    code = "abc234"
    assert await join_link(public, Channel(), code) == f"{PUBLIC}/j/ABC234"
    assert await join_link(local, Channel(), code) == "https://example.org/open?start=ws_ABC234"
    assert await join_link(local, Channel(False), code) == "http://127.0.0.1:8080/j/ABC234"
    assert await join_link(none, Channel(), code) == "https://example.org/open?start=ws_ABC234"
    assert await join_link(none, Channel(False), code) is None


async def test_the_join_page_is_the_same_from_memory_and_the_database(database):
    storage = Storage.create(database.url)
    await storage.prepare()
    try:
        for base, local in (
            (PUBLIC, False),
            (PUBLIC + "/", False),
            ("http://127.0.0.1:8080", True),
        ):
            stored = WorkshopStore(storage, PageLinks(base, local=local))
            twin = MemoryWorkshops(Memory(web=base, web_local=local))
            for code in ("ABC234", "abc 234", "ws_abc234"):
                for asked in (False, True):
                    assert await stored.join_page(code, asked) == await twin.join_page(code, asked)
            assert await stored.join_page("abc234", True) == base.rstrip("/") + "/j/ABC234"
        assert await WorkshopStore(storage).join_page("ABC234", True) is None  # no web server
        assert await MemoryWorkshops(Memory()).join_page("ABC234", True) is None
    finally:
        await storage.close()


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_facilitators_link_and_qr_code_open_the_join_page(content, lang):
    engine = Engine(Router(content))
    engine.memory.web = PUBLIC
    facilitator = Person(engine, lang, "tg:1")
    facilitator.command("workshop")
    facilitator.choose("wsf:new")
    replies = facilitator.text("Klusterdagen")
    code = re.search(r"\b([A-Z0-9]{6})\b", replies[0].text.split("\n")[2]).group(1)
    page = f"{PUBLIC}/j/{code}"
    with use_language(lang):
        assert _("Link: {link}").format(link=page) in replies[0].text
        assert _("Or send the bot: /workshop join {code}").format(code=code) in replies[0].text
    [qr] = [r for r in replies if r.attachment is not None]
    assert isinstance(qr.attachment.content, QrCode) and qr.attachment.content.text == page


def test_without_a_web_server_or_links_the_command_is_the_way_in(content):
    facilitator = Person(Engine(Router(content)), "en", "cli:1")  # the terminal: no links
    _id, code = create_workshop(facilitator)
    shown = facilitator.choose(f"wsf:qr:{_id}")
    assert "Link:" not in shown[0].text and all(r.attachment is None for r in shown)
    assert f"/workshop join {code}" in shown[0].text


def _workshop() -> WorkshopInfo:
    return WorkshopInfo(id=1, code="ABC234", invite="i", title="Spring", owner="tg:1", closed=False)


def _group(
    lang: str, channel: Channel, join_page: Callable[[str], Awaitable[str | None]] | None
) -> Reply:
    async def facilitated() -> list[WorkshopInfo]:
        return [_workshop()]

    with use_language(lang):
        return asyncio.run(commands.group_reply("workshop", channel, facilitated, join_page))


def test_a_groups_join_button_opens_the_join_page_then_the_chat():
    async def page(code: str) -> str | None:
        return f"{PUBLIC}/j/{code}"

    async def no_page(code: str) -> str | None:
        return None

    reply = _group("sv", Channel(), page)
    assert reply.choices[0].url == f"{PUBLIC}/j/ABC234"
    assert "webbläsaren" in reply.text and "Spring" in reply.text
    for join_page in (no_page, None):
        chat = _group("en", Channel(), join_page)
        assert chat.choices[0].url == "https://example.org/open?start=ws_ABC234"
        assert "answer in a private chat" in chat.text
    typed = _group("sv", Channel(False), no_page)
    assert typed.choices == () and "/workshop join ABC234" in typed.text


# --- through Telegram and in the browser ------------------------------------------------------


async def fits(page) -> bool:
    """Nothing sticks out sideways (no horizontal scrolling)."""
    return await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


async def touch_targets(page) -> list[tuple[str, float, float]]:
    """The links, buttons and fields smaller than 44 px in either direction."""
    small = []
    for selector in ("a", "button", "input:not([type=hidden])"):
        for element in await page.locator(selector).all():
            box = await element.bounding_box()
            assert box is not None, selector
            if box["height"] < 44 or box["width"] < 44:
                small.append((selector, box["width"], box["height"]))
    return small


async def test_a_facilitators_join_link_in_chromium_at_phone_and_desktop_size(
    api, web_bot, browser
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    _running, web = web_bot  # the bot's public address is the pages' server
    fac = api.user(31, "Cecilia", "sv")
    await command(api, fac, "/workshop")
    await press(api, fac, sv("Create a workshop"))
    await say(api, fac, "Skånes kluster, 12 mars: internationalisering i praktiken")
    await api.wait_for(lambda: any(r["method"] == "sendPhoto" for r in api.sent(fac.id)))
    text = next(t for t in api.texts(fac.id) if "Kod för att delta:" in t)
    code = re.search(r"Kod för att delta: ([A-Z0-9]{6})", text).group(1)
    link = f"{web.base_url}/j/{code}"
    assert f"Länk: {link}" in text and "t.me" not in text

    # the group's button opens the same page
    group = api.group()
    await group.send_command(fac, "/workshop")
    await api.wait_for(lambda: api.last_message(group.chat_id) is not None)
    button = api.last_message(group.chat_id)["reply_markup"]["inline_keyboard"][0][0]
    assert button["url"] == link

    for lang, locale in (("sv", "sv-SE"), ("en", "en-GB")):
        for size, viewport in (("390x844", PHONE), ("1920x1080", DESKTOP)):
            context = await browser.new_context(
                viewport=viewport, locale=locale, is_mobile=viewport is PHONE
            )
            page = await context.new_page()
            response = await page.goto(link.replace(code, code.lower()))
            assert response is not None and response.status == 200
            assert await page.get_attribute("html", "lang") == lang
            assert await page.inner_text("#code") == code
            href = await page.get_attribute("#answer-here", "href")
            assert href == f"/chat?start=ws_{code}"
            assert await page.get_attribute("#open-app", "href") == (
                f"https://t.me/{BOT}?start=ws_{code}"
            )
            assert await fits(page), (lang, size)
            assert await touch_targets(page) == [], (lang, size)
            for selector in ("#code", "#answer-here", "#open-app"):
                box = await page.locator(selector).bounding_box()
                assert box is not None and box["y"] + box["height"] <= viewport["height"]
            await page.screenshot(path=str(SCREENSHOTS / f"join-{lang}-{size}.png"))
            await context.close()

    # a mistyped code: the page says so and takes the code again
    context = await browser.new_context(viewport=PHONE, locale="sv-SE", is_mobile=True)
    page = await context.new_page()
    response = await page.goto(f"{web.base_url}/j/ABC12")
    assert response is not None and response.status == 404
    assert "Jag hittar ingen workshop" in await page.inner_text("#message")
    assert await fits(page) and await touch_targets(page) == []
    await page.screenshot(path=str(SCREENSHOTS / "join-sv-unknown-390x844.png"))
    await page.fill("#code-field", code.lower())
    await page.click("button[type=submit]")
    await page.wait_for_selector("#code")
    assert await page.inner_text("#code") == code and page.url.endswith(f"/j/{code}?lang=sv")
    await context.close()
