"""The facilitator's view of the projector page in a real browser (headless Chromium), beside
the wall's page as the room sees it: hiding an answer takes it off the open wall within a
second or two and "Show again" brings it back; an insult waits, held back, until it is let
through; "Hide the results" leaves only the count on the wall, which still rises, and "Show the
results" brings the chart back; the forms work without JavaScript; a forged form or the wall's
link on the facilitator's path changes nothing; the report downloads from the view.

Screenshots go to build/screenshots/ for people to look at."""

from __future__ import annotations

import io
import time
from pathlib import Path

from pypdf import PdfReader

from bot.storage import Storage
from bot.storage.workshops import WorkshopStore
from flows.workshop.answers import ParticipantAnswers
from tests.web_harness import WebPages

SCREENSHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"
PROJECTOR = {"width": 1920, "height": 1080}

INSULT = "Styrelsen är ett gäng jävla pucko"
PLAIN = "Svårt att hitta partner i Tyskland"
OTHER = "Vi saknar finansiering för mässor"


async def _room(database, content):
    storage = Storage.create(database.url)
    await storage.prepare()
    web = await WebPages(storage, content).start()
    store = WorkshopStore(storage, web.pages._links)
    workshop = await store.create("tg:1", "Skånes kluster, 12 mars", time.time())
    kinds = (content.workshop.support_kinds[0].id,)
    for number, (step, text) in enumerate(((3, PLAIN), (3, OTHER), (4, INSULT)), start=1):
        answers = ParticipantAnswers(step, (text,), kinds, (), "Region Skåne", "sv")
        await store.save_answer(workshop.id, f"tg:{100 + number}", answers, time.time())
    return storage, web, store, workshop


async def test_the_facilitator_hides_shows_and_reveals_on_the_open_wall(database, browser, content):
    storage, web, store, workshop = await _room(database, content)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        wall_link, host_link = await store.page_link(workshop), await store.host_link(workshop)
        assert wall_link and host_link and wall_link != host_link
        context = await browser.new_context(viewport=PROJECTOR)
        wall = await context.new_page()
        await wall.goto(wall_link + "?lang=sv")
        await wall.wait_for_selector(f"text={PLAIN}")
        assert INSULT not in await wall.inner_text("body")  # held back by the filter
        assert await wall.locator("#host, form").count() == 0  # the room sees no controls
        host = await context.new_page()
        await host.goto(host_link + "?lang=sv")
        held = host.locator("#host li.is-held")
        assert INSULT in await held.inner_text()
        assert "Släpp igenom" in await held.locator("button").inner_text()

        # hide an answer: it leaves the open wall (no reload), the view marks it
        await wall.evaluate("window.notReloaded = true")
        row = host.locator("#host li", has_text=PLAIN)
        await row.locator("button").click()
        await host.wait_for_selector(f"#host li.is-hidden:has-text('{PLAIN}')")
        await wall.locator(f"text={PLAIN}").wait_for(state="detached", timeout=3000)
        assert OTHER in await wall.inner_text(".challenges")
        assert await wall.evaluate("window.notReloaded === true")
        await host.screenshot(
            path=str(SCREENSHOTS / "projector-host-hidden-sv.png"), full_page=True
        )
        await wall.screenshot(path=str(SCREENSHOTS / "projector-wall-hidden-sv.png"))

        # the insult let through, then the hidden answer shown again
        await host.locator("#host li.is-held button").click()
        await wall.wait_for_selector(f"text={INSULT}", timeout=3000)
        await host.locator("#host li.is-hidden button").click()
        await wall.wait_for_selector(f"text={PLAIN}", timeout=3000)

        # reveal when ready: the chart goes, the count stays and still rises
        await host.click("#conceal")
        await wall.locator("#results").wait_for(state="detached", timeout=3000)
        await wall.wait_for_selector("#waiting")
        assert PLAIN not in await wall.inner_text("body")
        late = ParticipantAnswers(5, ("Sent in",), (), (), "", "en")
        await store.save_answer(workshop.id, "tg:200", late, time.time())
        await wall.wait_for_selector("#participants:text-is('4')", timeout=3000)
        assert await wall.locator("#results").count() == 0
        await wall.screenshot(path=str(SCREENSHOTS / "projector-wall-waiting-sv.png"))
        await host.click("#reveal")
        await wall.wait_for_selector("#results .bars", timeout=3000)
        assert await wall.locator("#waiting").count() == 0

        # the report, from the view
        async with host.expect_download() as download:
            await host.click("text=Rapport (PDF)")
        saved = await (await download.value).path()
        pdf = PdfReader(io.BytesIO(saved.read_bytes()))
        text = "\n".join(page.extract_text() for page in pdf.pages)
        assert "Skånes kluster, 12 mars" in text and "4 deltagare" in text
        await context.close()
    finally:
        await web.stop()
        await storage.close()


async def test_the_facilitator_view_without_javascript_and_refused_forms(
    database, browser, content
):
    storage, web, store, workshop = await _room(database, content)
    try:
        wall_link, host_link = await store.page_link(workshop), await store.host_link(workshop)
        context = await browser.new_context(viewport=PROJECTOR, java_script_enabled=False)
        host = await context.new_page()
        await host.goto(host_link + "?lang=en")
        row = host.locator("#host li", has_text=OTHER)
        assert await row.locator("button").inner_text() == "Hide"
        await row.locator("button").click()  # a plain POST, answered with the page again
        await host.wait_for_selector(f"#host li.is-hidden:has-text('{OTHER}')")
        assert host.url.endswith("?lang=en")
        assert OTHER not in await host.inner_text(".challenges")
        page = await context.new_page()
        await page.goto(wall_link)
        assert OTHER not in await page.inner_text("body")
        # the facilitator's CSV marks the hidden and held-back texts; the wall's leaves them out
        marked = (await (await context.request.get(host_link + "/export.csv")).body()).decode()
        assert f"[hidden] {OTHER}" in marked or f"[dold] {OTHER}" in marked
        assert INSULT in marked
        plain = (await (await context.request.get(wall_link + "/export.csv")).body()).decode()
        assert OTHER not in plain and INSULT not in plain and PLAIN in plain

        # a form without the view's signature, and the wall's token on the facilitator's path
        forged = await context.request.post(
            host_link, form={"action": "conceal", "csrf": "x" * 22}, max_redirects=0
        )
        assert forged.status == 403
        assert (await store.get(workshop.id)).revealed
        token = wall_link.rsplit("/", 1)[1]
        for path in (f"/wf/{token}", f"/wf/{token}/report.pdf"):
            assert (await context.request.get(web.base_url + path)).status == 404
        refused = await context.request.post(
            f"{web.base_url}/wf/{token}", form={"action": "conceal"}, max_redirects=0
        )
        assert refused.status == 404 and (await store.get(workshop.id)).revealed
        await context.close()
    finally:
        await web.stop()
        await storage.close()
