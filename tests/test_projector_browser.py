"""The workshop's projector page in a real browser (headless Chromium): a facilitator gets the
link from the bot, the page shows the join code and QR code, a participant's answer sent
through the local Bot API server appears without a reload, the layout holds on a 16:9
projector and on a phone, and wrong, revoked or closed links are refused.

Screenshots go to build/screenshots/ for people to look at."""

from __future__ import annotations

import re
from pathlib import Path

from flows.i18n import _, use_language
from tests.telegram_harness import command, last_text, press, say

SCREENSHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"
PROJECTOR = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}


def sv(message: str) -> str:
    with use_language("sv"):
        return _(message)


async def open_workshop(api, facilitator, title: str) -> tuple[str, str]:
    """A Swedish facilitator creates a workshop and asks for the projector page's link."""
    await command(api, facilitator, "/workshop")
    await press(api, facilitator, sv("Create a workshop"))
    await say(api, facilitator, title)
    await api.wait_for(lambda: any("Deltagare: 0" in t for t in api.texts(facilitator.id)))
    code = re.search(r"Kod för att delta: ([A-Z0-9]{6})", "\n".join(api.texts(facilitator.id)))
    assert code is not None
    await press(api, facilitator, sv("Projector page"))
    link = re.search(r"http://127\.0\.0\.1:\d+/w/\S+", last_text(api, facilitator))
    assert link is not None, last_text(api, facilitator)
    # the facilitator's own view comes with it, on its own path
    assert re.search(r"http://127\.0\.0\.1:\d+/wf/\S+", last_text(api, facilitator))
    return code.group(1), link.group(0)


async def answer(api, content, user, code: str, lang: str, step: int, challenge: str) -> None:
    await command(api, user, "/start", f"ws_{code}")
    await press(api, user, f"{step}. {content.step(step).short.get(lang)}")
    await say(api, user, challenge)


async def fits(page) -> bool:
    """Nothing sticks out sideways (no horizontal scrolling)."""
    return await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


async def test_the_projector_page_live_in_sv_and_en(api, web_bot, browser, content):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    fac = api.user(1, "Cecilia", "sv")
    code, link = await open_workshop(api, fac, "Skånes kluster, 12 mars")
    # the results message kept its buttons: the link came as a new message
    assert any("Deltagare: 0" in t for t in api.texts(fac.id))

    context = await browser.new_context(viewport=PROJECTOR)
    page = await context.new_page()
    response = await page.goto(link)
    assert response is not None and response.status == 200
    await page.wait_for_selector("#code")
    assert await page.inner_text("#code") == code
    assert await page.locator(".qr svg").count() == 1
    assert "Skånes kluster, 12 mars" in await page.inner_text("h1")
    assert await page.inner_text("#participants") == "0"
    assert await page.get_attribute("html", "lang") == "sv"
    await page.evaluate("window.notReloaded = true")

    # a Swedish and an English participant answer through the local Bot API server
    anna = api.user(7001, "Anna", "sv")
    await answer(api, content, anna, code, "sv", 3, "Svårt att hitta partner i Tyskland")
    # (waits by selector: the page's Content-Security-Policy forbids evaluated strings)
    await page.wait_for_selector("#participants:text-is('1')", timeout=3000)
    await page.wait_for_selector("text=Svårt att hitta partner i Tyskland", timeout=3000)
    emma = api.user(7002, "Emma", "en")
    await answer(api, content, emma, code, "en", 3, "Finding a partner in Germany takes time")
    await press(api, emma, "Done →")
    await press(api, emma, content.workshop.support_kinds[0].label.en)
    await page.wait_for_selector("#participants:text-is('2')", timeout=3000)
    kind = content.workshop.support_kinds[0].label.sv
    await page.wait_for_selector(f".support li:has-text('{kind}')", timeout=3000)
    assert await page.evaluate("window.notReloaded === true")  # updated in place
    body = await page.inner_text("body")
    assert "Skånes kluster" in body and "Anna" not in body and "Emma" not in body
    assert "partner" in await page.inner_text(".words")  # the most frequent word
    step3 = page.locator(".steps li").nth(2)
    assert "top" in (await step3.get_attribute("class") or "")
    assert (await step3.inner_text()).strip().endswith("2")

    # 16:9: the code, the QR code and the whole step chart are in view, nothing sideways
    assert await fits(page)
    for selector in ("#code", ".qr svg", ".steps li:last-child"):
        box = await page.locator(selector).bounding_box()
        assert box is not None and box["y"] + box["height"] <= PROJECTOR["height"], selector
    await page.screenshot(path=str(SCREENSHOTS / "projector-sv-1920x1080.png"))

    # the switch to English, then a phone
    await page.click("a.lang")
    await page.wait_for_selector("html[lang=en]")
    assert "Where we are on the journey" in await page.inner_text("body")
    assert "Svårt att hitta partner i Tyskland" in await page.inner_text("body")
    await page.screenshot(path=str(SCREENSHOTS / "projector-en-1920x1080.png"))
    phone = await browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    for lang in ("sv", "en"):
        small = await phone.new_page()
        await small.goto(f"{link}?lang={lang}")
        await small.wait_for_selector("#code")
        assert await fits(small), lang
        code_box = await small.locator("#code").bounding_box()
        assert code_box is not None and code_box["x"] >= 0
        await small.screenshot(
            path=str(SCREENSHOTS / f"projector-{lang}-phone.png"), full_page=True
        )
    await phone.close()

    # a participant who deletes their data takes their words off the wall
    await command(api, anna, "/delete")
    await press(api, anna, sv("Yes, erase my data"))
    await page.locator("text=Svårt att hitta partner i Tyskland").wait_for(
        state="detached", timeout=3000
    )
    assert await page.inner_text("#participants") == "2"  # their coded choices still count

    # closing the workshop: the open page says so and keeps the results; the link then stops
    await command(api, fac, "/workshop")
    await press(api, fac, sv("My workshops"))
    await press(api, fac, f"Skånes kluster, 12 mars ({code})")
    await press(api, fac, sv("Close"))
    await page.wait_for_selector(".is-closed", timeout=3000)
    assert "Closed" in await page.inner_text(".badge")
    assert not await page.locator(".qr svg").is_visible()  # nobody is invited to join
    assert "Finding a partner in Germany takes time" in await page.inner_text("body")
    await page.screenshot(path=str(SCREENSHOTS / "projector-en-closed.png"))
    again = await context.new_page()
    refused = await again.goto(link)
    assert refused is not None and refused.status == 404
    await context.close()


async def test_wrong_and_revoked_links_are_refused(api, web_bot, browser, content):
    _running, web = web_bot
    fac = api.user(2, "Cecilia", "sv")
    code, link = await open_workshop(api, fac, "Workshop i Umeå")
    context = await browser.new_context(viewport=PHONE)
    page = await context.new_page()
    assert (await page.goto(link)).status == 200
    csv = await context.request.get(link + "/export.csv")
    assert csv.status == 200 and (await csv.body()).decode("utf-8-sig").startswith("Del av sidan;")

    # a forged token (one character changed, or another workshop's number) is a plain 404
    token = link.rsplit("/", 1)[1]
    workshop_id, generation, mac = token.split(".")
    forged = [
        f"{workshop_id}.{generation}.{mac[:-1]}{'A' if mac[-1] != 'A' else 'B'}",
        f"{int(workshop_id) + 1}.{generation}.{mac}",
        "nothing",
    ]
    other = await context.new_page()
    for bad in forged:
        for suffix in ("", "/events", "/export.csv"):
            refused = await other.goto(f"{web.base_url}/w/{bad}{suffix}")
            assert refused is not None and refused.status == 404, (bad, suffix)
            assert (await refused.text()) == "Not Found"

    # "New link": the old one stops, on the open page too, and the new one works
    await press(api, fac, sv("New link"))
    new = re.search(r"http://127\.0\.0\.1:\d+/w/\S+", last_text(api, fac))
    assert new is not None and new.group(0) != link
    await page.wait_for_selector(".gone", timeout=3000)
    assert "Be" in await page.inner_text(".gone")  # the Swedish "Be workshopledaren …"
    assert (await other.goto(link)).status == 404
    assert (await other.goto(link + "/export.csv")).status == 404
    assert (await other.goto(new.group(0))).status == 200
    assert await other.inner_text("#code") == code
    await context.close()
