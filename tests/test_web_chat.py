"""The browser chat over HTTP, as a person without Telegram meets it: a Swedish newcomer takes
the quick check, sees the summary and the chart, downloads the plan; forms that are forged,
expired, too many or too large are refused politely and lose nothing; two replicas serve one
browser alternately; the personal link continues the chat on another device and can be
revoked; /delete erases the data and the cookie. On SQLite and PostgreSQL."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from bot.storage import Storage
from bot.web.ratelimit import Limits, Window
from tests.web_chat_driver import WebUser, replica

QUICK = ("Ja", "Ja", "Delvis", "Nej", "Vet inte", "Nej", "Nej", "Nej", "Nej", "Nej")


@pytest.fixture
async def storage(database):
    storage = await Storage.open(database.url)
    yield storage
    await storage.close()


async def quick_check(user: WebUser, answers=QUICK) -> None:
    await user.press("Starta självskattningen")
    await user.press("Snabbkoll")
    for answer in answers:
        assert "Fråga" in user.last_text() or "Sammanfattning" in user.last_text()
        await user.press(answer)


async def test_a_swedish_newcomer_takes_the_quick_check(storage, content, database):
    async with replica(storage, content) as client:
        anna = WebUser([client])
        first = await anna.request("GET", "/chat")
        assert anna.status == 200
        assert "Välkommen till Klusterresan" in anna.texts()[0]
        cookie = first.headers["set-cookie"].lower()
        assert cookie.startswith("cj_chat=") and "httponly" in cookie and "samesite=lax" in cookie
        assert "secure" not in cookie  # served over http here; https makes it Secure
        assert "help" in anna.commands() and "privacy" in anna.commands()

        await quick_check(anna)
        texts = anna.texts()
        summary = next(t for t in texts if t.startswith("Sammanfattning"))
        assert "steg 3" in summary, summary
        chart = next(m for m in anna.messages() if m.files)
        image = await anna.request("GET", chart.files[0])
        assert image.status_code == 200
        assert image.headers["content-type"] == "image/png" and image.content[:4] == b"\x89PNG"

        await anna.press("Plan (PDF)")
        await anna.say("Skogsklustret")  # the cluster's name, asked once
        document = next(m for m in reversed(anna.messages()) if m.files)
        pdf = await anna.request("GET", document.files[0])
        assert pdf.headers["content-type"] == "application/pdf"
        assert "attachment" in pdf.headers["content-disposition"]
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
        assert "Skogsklustret" in text and "Ni är på steg 3 av 10" in text

        # the stored answers are the user's, under a web: id
        user_id = database.value("SELECT user_id FROM assessments")
        assert user_id.startswith("web:")

        # nobody else gets the file
        other = await WebUser([client]).open()
        assert (await other.request("GET", document.files[0])).status_code == 404


async def test_the_cookie_is_secure_behind_https(storage, content):
    async with replica(storage, content, base_url="https://klusterresan.example.se") as client:
        response = await WebUser([client]).request("GET", "/chat")
        assert "secure" in response.headers["set-cookie"].lower()


async def test_english_from_the_browser_then_the_users_choice(storage, content):
    async with replica(storage, content) as client:
        bob = await WebUser([client], accept_language="en-GB,en;q=0.9").open()
        assert "Welcome to Cluster Journey" in bob.texts()[0]
        assert '<html lang="en">' in bob.page
        await bob.command("language")
        await bob.press("Svenska")
        assert '<html lang="sv">' in bob.page and "Skicka" in bob.page


async def test_forged_expired_and_stale_forms_change_nothing(storage, content, database):
    async with replica(storage, content) as client:
        anna = await WebUser([client]).open()
        await anna.press("Starta självskattningen")
        await anna.press("Snabbkoll")
        before = database.value("SELECT state FROM users")

        # no CSRF token: refused, what was typed is kept for sending again
        response = await anna.request("POST", "/chat", data={"text": "Ja, absolut"})
        assert response.status_code == 403
        assert "Formuläret har gått ut" in anna.page and "Ja, absolut" in anna.page
        # a wrong token
        response = await anna.request("POST", "/chat", data={"csrf": "x" * 22, "text": "Ja"})
        assert response.status_code == 403
        assert database.value("SELECT state FROM users") == before

        # a forged button (a message id that is not hers) is answered as a stale button
        await anna.open()
        await anna.post(button="999999.0")
        assert "Den knappen är inte längre aktiv." in anna.texts()
        assert database.value("SELECT state FROM users") == before

        # a button of an earlier question, pressed again after it was answered: stale
        first_yes = next(v for v, label in anna.buttons() if label == "Ja")
        await anna.press("Ja")
        state = database.value("SELECT state FROM users")
        await anna.post(button=first_yes)
        assert database.value("SELECT state FROM users") == state
        assert anna.texts()[-1] == "Den knappen är inte längre aktiv."


async def test_a_burst_past_the_rate_limit_loses_no_answer(storage, content, database):
    limits = Limits(user=Window(limit=5, seconds=60), address=Window(limit=100, seconds=60))
    async with replica(storage, content, chat_limits=limits) as client:
        anna = await WebUser([client]).open()  # a GET is not counted
        await anna.press("Starta självskattningen")
        await anna.press("Snabbkoll")
        for answer in ("Ja", "Ja", "Delvis"):
            await anna.press(answer)
        refused = await anna.say("Nej")  # the sixth post in a minute
        assert refused.status_code == 429 and refused.headers["retry-after"]
        assert "Vänta en liten stund" in anna.page and "Nej" in anna.page
        await anna.open()
        assert anna.last_text().startswith("Steg 4 av 10")  # the three answers stand


async def test_too_large_a_post_is_refused_politely(storage, content):
    async with replica(storage, content) as client:
        anna = await WebUser([client]).open()
        response = await anna.say("x" * 20_000)
        assert response.status_code == 413 and "Det blev för långt" in anna.page


async def test_two_replicas_serve_one_browser_alternately(content, database):
    one, two = await Storage.open(database.url), await Storage.open(database.url)
    try:
        async with replica(one, content) as first, replica(two, content) as second:
            anna = await WebUser([first, second]).open()
            await quick_check(anna)
            assert any(t.startswith("Sammanfattning") for t in anna.texts())
            assert database.value("SELECT COUNT(*) FROM assessments") == 1
            assert database.value("SELECT COUNT(*) FROM users") == 1
    finally:
        await one.close()
        await two.close()


async def test_the_personal_link_continues_on_another_device_until_revoked(storage, content):
    async with replica(storage, content) as client:
        phone = await WebUser([client]).open()
        await phone.press("Starta självskattningen")
        await phone.press("Snabbkoll")
        await phone.request("GET", "/chat/device")
        assert "Fortsätt på en annan enhet" in phone.page
        link = phone.page.split('<p class="personal"><a href="')[1].split('"')[0]
        path = link.removeprefix("http://testserver")

        laptop = WebUser([client])
        await laptop.request("GET", path)
        assert laptop.last_text().startswith("Steg 1 av 10")  # where the phone left off
        await laptop.press("Ja")
        await phone.open()
        assert phone.last_text().startswith("Steg 2 av 10")

        # a new link: the old one stops, the laptop is signed out, the phone stays
        await phone.request("GET", "/chat/device")
        await phone.request("POST", "/chat/device", data={"csrf": phone.csrf()})
        assert "den gamla länken fungerar inte längre" in phone.page
        stranger = WebUser([client])
        await stranger.request("GET", path)
        assert stranger.status == 404 and "Länken fungerar inte längre" in stranger.page
        await laptop.open()
        assert "Välkommen till Klusterresan" in laptop.texts()[0]  # a new, empty chat
        await phone.open()
        assert phone.last_text().startswith("Steg 2 av 10")


async def test_delete_erases_the_data_and_the_cookie(storage, content, database):
    async with replica(storage, content) as client:
        anna = await WebUser([client]).open()
        await quick_check(anna)
        await anna.command("delete")
        response = await anna.press(anna.labels()[0])  # "Ja, radera allt"
        assert response.status_code == 200 and "Dina uppgifter är raderade" in anna.page
        assert "max-age=0" in response.headers["set-cookie"].lower()
        for table in ("users", "assessments", "web_messages", "web_identities"):
            assert database.value(f"SELECT COUNT(*) FROM {table}") == 0, table


async def test_a_deep_link_joins_a_workshop(storage, content, database):
    async with replica(storage, content) as client:
        lena = await WebUser([client]).open()
        await lena.command("workshop")
        await lena.press("Skapa en workshop")
        await lena.say("Klusterdagen i Umeå")
        code = database.value("SELECT code FROM workshops")
        per = await WebUser([client]).open(f"/chat?start=ws_{code}")
        assert "Klusterdagen i Umeå" in "\n".join(per.texts())
        await per.press(per.labels()[1])  # a step
        assert database.value("SELECT COUNT(*) FROM workshop_answers") == 1
