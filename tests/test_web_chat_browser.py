"""The browser chat in a real browser (headless Chromium): a Swedish newcomer on a phone takes
the quick check, sees the summary and the chart and downloads the plan, with JavaScript and
without it; the quick check with the keyboard alone; the pages pass an axe-core audit with no
serious or critical violation; nothing scrolls sideways and every button is a thumb's size.

Screenshots go to build/screenshots/ for people to look at."""

from __future__ import annotations

import asyncio
import io
import re
from pathlib import Path

import pytest
from axe_playwright_python.async_playwright import Axe
from icalendar import Calendar
from pypdf import PdfReader

from bot.storage import Storage
from bot.storage.regional import RegionalStore
from bot.storage.workshops import WorkshopStore
from bot.web import access
from flows.workshop.port import ParticipantAnswers
from tests import telegram_harness as tg
from tests.web_harness import WebPages

SCREENSHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1920, "height": 1080}
QUICK = ("Ja", "Ja", "Delvis", "Nej", "Vet inte", "Nej", "Nej", "Nej", "Nej", "Nej")


@pytest.fixture
async def web(database, content):
    storage = await Storage.open(database.url)
    pages = await WebPages(storage, content).start()
    yield pages
    await pages.stop()
    await storage.close()


async def audit(page, name: str) -> None:
    """axe-core finds no serious or critical violation on the page as it stands."""
    results = await Axe().run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{name}: " + "\n".join(bad)


async def fits(page) -> bool:
    return await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


async def small_targets(page) -> list[str]:
    """Buttons, links that look like buttons and the menu smaller than 44 × 44 px."""
    return await page.evaluate(
        """() => [...document.querySelectorAll('button, summary, a.file, a.link, a.back')]
            .filter(e => e.offsetParent !== null)
            .map(e => [e.textContent.trim(), e.getBoundingClientRect()])
            .filter(([, r]) => r.height < 44 || r.width < 44)
            .map(([t, r]) => `${t}: ${Math.round(r.width)}×${Math.round(r.height)}`)"""
    )


async def latest(page) -> str | None:
    try:
        return await page.locator(".log > li").last.get_attribute("id", timeout=1000)
    except Exception:  # the page is being replaced
        return None


async def answered(page, before: str | None) -> None:
    """Wait until the answer is on the page: a new latest message, with or without a reload."""
    for _wait in range(100):
        await asyncio.sleep(0.05)
        now = await latest(page)
        if now is not None and now != before:
            await page.wait_for_load_state()
            return
    raise AssertionError("no answer on the page")


async def press(page, label: str) -> None:
    """The button of the latest messages with this label (older ones are not active)."""
    before = await latest(page)
    await page.locator(".log button", has_text=label).last.click()
    await answered(page, before)


async def send(page, text: str) -> None:
    before = await latest(page)
    await page.fill("#message", text)
    await page.click("button.send")
    await answered(page, before)


async def quick_check(page, shots: str = "") -> None:
    await press(page, "Starta självskattningen")
    await press(page, "Snabbkoll")
    for number, answer in enumerate(QUICK, start=1):
        await page.locator(".log > li:last-child", has_text=f"Fråga {number} av 10").wait_for()
        if shots and number == 1:
            await page.screenshot(path=str(SCREENSHOTS / f"{shots}-question.png"))
        await press(page, answer)
    await page.locator(".log li", has_text="Sammanfattning").first.wait_for()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
async def test_a_swedish_newcomer_on_a_phone(web, browser, javascript):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shots = f"chat-sv-phone-{'js' if javascript else 'nojs'}"
    context = await browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="sv-SE",
        java_script_enabled=javascript,
        accept_downloads=True,
    )
    page = await context.new_page()
    await page.goto(f"{web.base_url}/")
    assert await page.get_attribute("html", "lang") == "sv"
    assert "Välkommen till Klusterresan" in await page.inner_text(".log")
    await page.screenshot(path=str(SCREENSHOTS / f"{shots}-welcome.png"))
    if javascript:
        await page.evaluate("window.notReloaded = true")
    await quick_check(page, shots)
    if javascript:
        assert await page.evaluate("window.notReloaded === true")  # updated in place

    chart = page.locator(".log img").last
    await chart.scroll_into_view_if_needed()
    for _wait in range(50):  # drawn when the page asks for it
        if await chart.evaluate("img => img.complete && img.naturalWidth > 600"):
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("the chart did not load")
    assert await fits(page)
    assert await small_targets(page) == []
    await page.screenshot(path=str(SCREENSHOTS / f"{shots}-summary.png"), full_page=True)

    await press(page, "Plan (PDF)")
    await send(page, "Skogsklustret")
    async with page.expect_download() as waiting:
        await page.locator(".log a.file").last.click()
    download = await waiting.value
    assert download.suggested_filename.endswith(".pdf")
    pdf = PdfReader(io.BytesIO(Path(await download.path()).read_bytes()))
    text = "".join(p.extract_text() for p in pdf.pages)
    assert "Skogsklustret" in text and "Ni är på steg 3 av 10" in text

    # no reminders in a browser: "in a week" gives a calendar file instead
    await send(page, "/remind")
    await press(page, "Om en vecka")
    async with page.expect_download() as waiting:
        await page.locator(".log a.file").last.click()
    download = await waiting.value
    assert download.suggested_filename.endswith(".ics")
    event = Calendar.from_ical(Path(await download.path()).read_bytes()).walk("VEVENT")[0]
    start = event.decoded("DTSTART")
    assert (start.hour, start.minute, str(start.tzinfo)) == (9, 30, "Europe/Stockholm")
    assert str(event.get("URL")).endswith("/chat")
    await context.close()


async def test_the_quick_check_with_the_keyboard_alone(web, browser):
    context = await browser.new_context(viewport=DESKTOP, locale="en-GB")
    page = await context.new_page()
    await page.goto(f"{web.base_url}/chat")
    # the page opens with the focus on the latest message's first button; Enter presses it,
    # and each answer takes the focus to the next message's first button
    for label in ("Start the self-assessment", "Quick check"):
        assert await page.evaluate("document.activeElement.textContent") == label
        before = await latest(page)
        await page.keyboard.press("Enter")
        await answered(page, before)
    for number in range(1, 11):
        await page.locator(".log > li:last-child", has_text=f"Question {number} of 10").wait_for()
        assert await page.evaluate("document.activeElement.textContent") == "Yes"
        await page.keyboard.press("Tab")
        await page.keyboard.press("Tab")  # "No"
        before = await latest(page)
        await page.keyboard.press("Enter")
        await answered(page, before)
    await page.locator(".log li", has_text="Summary").first.wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "chat-en-desktop-summary.png"))
    await context.close()


async def test_every_page_passes_an_accessibility_audit(web, browser, database):
    """The chat (sv, en; phone and desktop), its menu, the personal link, a refused form, the
    projector page and the regional view."""
    storage = web.pages.storage
    context = await browser.new_context(viewport=PHONE, locale="sv-SE")
    page = await context.new_page()
    await page.goto(f"{web.base_url}/chat")
    await audit(page, "chat, welcome")
    await page.click("summary")
    await audit(page, "chat, menu open")
    await page.click("summary")
    await press(page, "Starta självskattningen")
    await press(page, "Snabbkoll")
    await audit(page, "chat, a question")
    await page.goto(f"{web.base_url}/chat/device")
    await audit(page, "continue on another device")
    await page.screenshot(path=str(SCREENSHOTS / "chat-sv-phone-device.png"))
    # a form without its token: the polite refusal
    await page.goto(f"{web.base_url}/chat")
    await page.evaluate("document.querySelectorAll('input[name=csrf]').forEach(i => i.value='')")
    await page.fill("#message", "Ja")
    await page.click("button.send")
    await page.locator("h2", has_text="Formuläret har gått ut").wait_for()
    await audit(page, "expired form")
    await context.close()

    desktop = await browser.new_context(viewport=DESKTOP, locale="en-GB")
    page = await desktop.new_page()
    await page.goto(f"{web.base_url}/chat")
    await audit(page, "chat, English desktop")
    assert await fits(page)
    await page.screenshot(path=str(SCREENSHOTS / "chat-en-desktop-welcome.png"))

    # the projector page with an answer, and the regional view
    workshops = WorkshopStore(storage)
    workshop = await workshops.create("tg:1", "Klusterdagen", 1.0)
    answer = ParticipantAnswers(3, ("Vi saknar tid",), ("funding",), (), "Almi", "sv")
    await workshops.save_answer(workshop.id, "tg:2", answer, 2.0)
    links = access.PageLinks(web.base_url)
    await page.goto(await links.workshop_page(workshop, storage))
    await page.wait_for_selector("#code")
    await audit(page, "projector page")
    await page.goto(await links.host_page(workshop, storage))  # the facilitator's view
    await page.wait_for_selector("#host")
    await audit(page, "projector page, facilitator view")
    observer = await RegionalStore(storage).create_observer("SE-O", "Västra Götaland", 1.0)
    token = access.sign(await links.secret(storage), observer.id, 1, access.OBSERVER)
    await page.goto(f"{web.base_url}{access.REGIONAL_PATH}{token}")
    await audit(page, "regional view")
    await desktop.close()


async def test_a_workshop_from_the_browser_with_browser_and_telegram_participants(
    api, web_bot, browser, content
):
    """A facilitator creates a workshop in the browser chat and opens the projector page; two
    participants join through the join link in their browsers, one through Telegram; the wall
    counts all three."""
    _running, web = web_bot
    desk = await browser.new_context(viewport=DESKTOP, locale="sv-SE")
    facilitator = await desk.new_page()
    await facilitator.goto(f"{web.base_url}/chat")
    await send(facilitator, "/workshop")
    await press(facilitator, "Skapa en workshop")
    await send(facilitator, "Klusterdagen i Östersund")
    join = re.search(
        r"http://127\.0\.0\.1:\d+/j/([A-Z0-9]{6})", await facilitator.inner_text(".log")
    )
    assert join is not None, await facilitator.inner_text(".log")
    code = join.group(1)
    await press(facilitator, "Projektorsida")
    found = re.search(r"http://127\.0\.0\.1:\d+/w/\S+", await facilitator.inner_text(".log"))
    assert found is not None
    wall = await desk.new_page()
    await wall.goto(found.group(0))
    await wall.wait_for_selector("#participants:text-is('0')")

    for number, step in enumerate((3, 4), start=1):
        phone = await browser.new_context(viewport=PHONE, locale="sv-SE", is_mobile=True)
        participant = await phone.new_page()
        await participant.goto(join.group(0))
        assert "Klusterdagen i Östersund" in await participant.inner_text("body")
        if number == 1:
            await audit(participant, "join page")
            await participant.screenshot(path=str(SCREENSHOTS / "join-via-chat-sv-phone.png"))
        await participant.click("text=Svara här")
        await participant.wait_for_load_state()
        await press(participant, f"{step}. {content.step(step).short.sv}")
        await send(participant, "Vi saknar kontakter i Norge")
        await wall.wait_for_selector(f"#participants:text-is('{number}')", timeout=5000)
        await phone.close()

    olle = api.user(8001, "Olle", "sv")
    await tg.command(api, olle, "/start", f"ws_{code}")
    await tg.press(api, olle, f"3. {content.step(3).short.sv}")
    await tg.say(api, olle, "Svårt att hitta finansiering")
    await wall.wait_for_selector("#participants:text-is('3')", timeout=5000)
    await wall.wait_for_selector("text=Svårt att hitta finansiering", timeout=5000)
    assert await wall.locator("text=Vi saknar kontakter i Norge").count() == 2
    assert await wall.get_attribute("html", "lang") == "sv"  # the facilitator's browser's
    await wall.screenshot(path=str(SCREENSHOTS / "projector-three-participants.png"))
    await desk.close()
