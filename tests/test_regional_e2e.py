"""The regional picture end to end: clusters answer the quick check through the local Bot API
server and agree to share; the peers line appears in another cluster's summary once five are at
its step; the regional view in a real browser shows the distribution with small cells
suppressed, and with them the cells that would give them away; a withdrawn consent and /delete
take a cluster out of both."""

from __future__ import annotations

from pathlib import Path

from bot.storage import Storage
from bot.storage.regional import RegionalStore
from bot.web import access
from flows.i18n import _, use_language
from tests.telegram_harness import command, last_text, press, text_with_buttons

SCREENSHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"
AT_STEP_3 = ["yes", "yes", "no", "partly", "yes", "no", "no", "unsure", "no", "no"]
AT_STEP_5 = ["yes", "yes", "yes", "yes", "no", "no", "partly", "no", "no", "no"]
LABELS = {
    "sv": {"yes": "Ja", "no": "Nej", "partly": "Delvis", "unsure": "Vet inte"},
    "en": {"yes": "Yes", "no": "No", "partly": "Partly", "unsure": "Not sure"},
}


def tr(lang: str, message: str) -> str:
    with use_language(lang):
        return _(message)


async def quick_check(api, user, lang: str, answers: list[str]) -> str:
    """The summary text, after the check's last answer."""
    await command(api, user, "/assess")
    await press(api, user, tr(lang, "Quick check"))
    for answer in answers:
        await press(api, user, LABELS[lang][answer])
    await api.wait_for(lambda: tr(lang, "Next actions:") in text_with_buttons(api, user))
    await api.settle(quiet=0.2)
    return text_with_buttons(api, user)


async def share(api, user, lang: str, region: str, field: str) -> None:
    await press(api, user, tr(lang, "Yes, share anonymously"))
    await press(api, user, region)
    await press(api, user, field)
    assert ("Tack!" if lang == "sv" else "Thank you.") in last_text(api, user)
    assert region in last_text(api, user)


async def test_five_sharing_clusters_on_the_regional_page_and_in_a_peers_line(
    api, web_bot, browser, content, database
):
    _running, web = web_bot
    # five clusters at step 3 and one at step 5, in Västra Götaland, Swedish and English
    for number in range(6):
        lang = "sv" if number % 2 == 0 else "en"
        user = api.user(9100 + number, f"Cluster {number}", lang)
        answers = AT_STEP_3 if number < 5 else AT_STEP_5
        await quick_check(api, user, lang, answers)
        assert tr(lang, "Share your result anonymously for the regional picture?") in last_text(
            api, user
        )
        region = "Västra Götalands län" if lang == "sv" else "Västra Götaland County"
        field = "Skog och trä" if lang == "sv" else "Forest and wood"
        await share(api, user, lang, region, field)

    # a seventh cluster at step 3, not sharing: its summary gets the peers line
    seventh = api.user(9200, "Sjunde", "sv")
    summary = await quick_check(api, seventh, "sv", AT_STEP_3)
    assert "5 andra kluster som delar sina resultat är också på steg 3." in summary
    assert "De brukar nå " not in summary and "%" not in summary.split("5 andra kluster")[1]
    # five of five lack the same question: one cluster could change it, so it is not named
    assert "Det som oftast håller dem tillbaka här:" not in summary
    await press(api, seventh, "Nej tack")
    assert "delas ingenting" in last_text(api, seventh)

    # an operator's link for the region, opened in a browser
    storage = Storage.create(database.url)
    try:
        observer = await RegionalStore(storage).create_observer(
            "SE-O", "Regionens handläggare", 0.0
        )
        secret = await access.PageLinks("").secret(storage)
        token = access.sign(secret, observer.id, 1, access.OBSERVER)
    finally:
        await storage.close()
    link = f"{web.base_url}/r/{token}"
    context = await browser.new_context(viewport={"width": 1600, "height": 1000})
    page = await context.new_page()
    response = await page.goto(link)
    assert response is not None and response.status == 200
    assert await page.inner_text("#clusters") == "6"
    rows = page.locator(".steps > ol:not(.small-bars) > li")
    assert await rows.count() == 11  # ten steps and "every step ready"
    # step 5: one cluster, hidden; step 3's five with it, else 6 - 5 would give it away
    assert (await rows.nth(4).inner_text()).split()[-1] == ".."
    assert (await rows.nth(2).inner_text()).split()[-1] == ".."
    assert (await rows.nth(0).inner_text()).split()[-1] == "0"
    body = await page.inner_text("body")
    assert "Cluster 1" not in body and "9101" not in body
    unmet = await page.inner_text(".unmet")
    assert content.step(6).key_question.text.sv in unmet  # six of six
    assert content.step(3).key_question.text.sv not in unmet  # five of six: one said yes
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "regional-sv.png"), full_page=True)
    await page.click("a.lang")
    await page.wait_for_selector("html[lang=en]")
    assert "Where the clusters are on the journey" in await page.inner_text("body")
    await page.screenshot(path=str(SCREENSHOTS / "regional-en.png"), full_page=True)
    csv = await context.request.get(f"{link}/export.csv?lang=sv")
    table = (await csv.body()).decode("utf-8-sig")
    assert csv.status == 200 and "3. Identifiera möjligheter;visas inte;" in table
    assert "5. Genomför utbildning;visas inte;" in table and ";5;" not in table

    # the field filter: nobody shared under another field
    await page.goto(f"{link}?lang=sv&field=digital")
    assert await page.locator("#too-few").is_visible()

    # a cluster withdraws its consent: step 3 now has four, suppressed, and no peers line
    first = api.user(9100, "Cluster 0", "sv")
    await command(api, first, "/privacy")
    assert "Den regionala bilden: du delar dina egna självskattningar anonymt" in last_text(
        api, first
    )
    await press(api, first, "Ta tillbaka mitt samtycke")
    assert "Du har tagit tillbaka samtycket" in last_text(api, first)
    await page.goto(f"{link}?lang=sv")
    assert await page.inner_text("#clusters") == "5"
    assert ".." in await page.locator(".steps > ol:not(.small-bars) > li").nth(2).inner_text()
    await command(api, seventh, "/summary")
    assert "andra kluster som delar" not in text_with_buttons(api, seventh)

    # another erases everything with /delete: four clusters left, nothing is shown
    second = api.user(9102, "Cluster 2", "sv")
    await command(api, second, "/delete")
    await press(api, second, "Ja, radera mina uppgifter")
    await page.goto(f"{link}?lang=sv")
    assert await page.locator("#too-few").is_visible()
    assert await page.locator("#clusters").count() == 0  # not even how many
    assert await page.locator(".steps").count() == 0

    # a revoked link is a plain 404
    storage = Storage.create(database.url)
    try:
        assert await RegionalStore(storage).revoke_observer(observer.id)
    finally:
        await storage.close()
    refused = await page.goto(link)
    assert refused is not None and refused.status == 404
    await context.close()
