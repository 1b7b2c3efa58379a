"""One screen: the projector page (join panel, steps, challenges, support, "from whom") fits a
16:9 wall at 1920×1080 and at 1280×720 without scrolling, with 5, 20 and 60 participants, in
sv and en: long lists are shortened ("…och N till"), and the column under the step chart is
used. Measured in headless Chromium: the bottom of the lowest panel plus the footer against
the viewport's height (the body's min-height would hide an overflow from scrollHeight alone).

Screenshots go to build/screenshots/ for people to look at."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.storage import Storage
from bot.storage.workshops import WorkshopStore
from tests.wall_samples import room
from tests.web_harness import WebPages

SCREENSHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"

SIZES = ({"width": 1920, "height": 1080}, {"width": 1280, "height": 720})
NEEDED = """Math.ceil(Math.max(
    ...[...document.querySelectorAll("main .panel, .status")]
        .map(e => e.getBoundingClientRect().bottom))
  + document.querySelector("footer").getBoundingClientRect().height)"""


@pytest.mark.parametrize("participants", [5, 20, 60])
async def test_the_wall_fits_one_screen(database, browser, content, participants):
    if database.kind != "sqlite":
        pytest.skip("the page is the same on either database")
    storage = Storage.create(database.url)
    await storage.prepare()
    web = await WebPages(storage, content).start()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        store = WorkshopStore(storage, web.pages._links)
        workshop = await store.create("tg:1", "Skånes kluster: internationalisering", 1.0)
        for number, answers in enumerate(room(content, participants)):
            await store.save_answer(workshop.id, f"tg:{100 + number}", answers, time.time())
        link = await store.page_link(workshop)
        for size in SIZES:
            context = await browser.new_context(viewport=size)
            page = await context.new_page()
            for lang in ("sv", "en"):
                await page.goto(f"{link}?lang={lang}")
                needed = await page.evaluate(NEEDED)
                scrolled = await page.evaluate("document.documentElement.scrollHeight")
                print(
                    f"{participants} participants, {size['width']}×{size['height']}, {lang}: "
                    f"{needed} px of {size['height']}"
                )
                assert needed <= size["height"] and scrolled <= size["height"], (lang, needed)
                assert await page.evaluate(
                    "document.documentElement.scrollWidth <= window.innerWidth + 1"
                )
                assert await page.locator("#participants").inner_text() == str(participants)
                for selector in ("#code", ".qr svg", ".steps li:last-child", ".support"):
                    box = await page.locator(selector).bounding_box()
                    assert box is not None and box["y"] + box["height"] <= size["height"]
                if participants >= 20:  # the lists are shortened, and say so
                    more = "…och" if lang == "sv" else "…and"
                    assert more in await page.inner_text(".challenges")
                    assert more in await page.inner_text(".from-whom")
                name = f"projector-fit-{participants}-{size['width']}x{size['height']}-{lang}.png"
                await page.screenshot(path=str(SCREENSHOTS / name))
            await context.close()
    finally:
        await web.stop()
        await storage.close()
