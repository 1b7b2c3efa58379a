"""The action plan end to end through the local Bot API server: a quick check, owners and a
due month set with taps, then `/plan` sends a PDF and a Markdown file a board could read."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime

from pypdf import PdfReader

from flows.actionplan.ownership import month_label
from tests.telegram_harness import command, last_text, press, say

ANSWERS = {"yes": "Ja", "partly": "Delvis", "no": "Nej", "unsure": "Vet inte"}


def documents(api, user) -> list[dict]:
    return [r for r in api.sent(user.id) if r["method"] == "sendDocument"]


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


async def test_plan_with_an_owner_through_telegram(api, bot, content):
    assert "plan" in [c["command"] for c in api.my_commands(language_code="sv")]
    assert "plan" in [c["command"] for c in api.my_commands()]
    anna = api.user(301, "Anna", "sv")
    await command(api, anna, "/start", "assess")
    await press(api, anna, "Snabbkoll")
    for answer in ["yes", "partly", "no", "yes", "unsure", "partly", "yes", "no", "yes", "yes"]:
        await press(api, anna, ANSWERS[answer])
    await api.wait_for(lambda: any(r["method"] == "sendPhoto" for r in api.sent(anna.id)))
    summary = next(
        r["plain_text"]
        for r in reversed(api.sent(anna.id))
        if "Att göra härnäst" in (r.get("plain_text") or "")
    )
    assert "(steg 2)" in summary and "(steg 3)" in summary

    # an owner and a month for the first action, with a few taps
    summary_id = next(
        r["message_id"]
        for r in reversed(api.sent(anna.id))
        if "Att göra härnäst" in (r.get("plain_text") or "")
    )
    await press(api, anna, "Ansvariga")
    assert "Välj en för att ge den en ansvarig" in last_text(api, anna)
    kept = next(r for r in api.sent(anna.id) if r["message_id"] == summary_id)
    assert kept["plain_text"] == summary  # the summary stays; the list comes as a new message
    await press(api, anna, "1")
    await press(api, anna, "Ange ansvarig")
    await say(api, anna, "Åsa Öberg / styrelsen")
    assert "Ansvarig: Åsa Öberg / styrelsen" in last_text(api, anna)
    months = [(label, data) for label, data in api.buttons(anna.id) if data and ":due:" in data]
    label, data = months[1]  # next month
    await press(api, anna, label)
    due = month_label(data.rsplit(":", 1)[1], "sv")
    assert f"Klart senast: {due}" in last_text(api, anna)

    # /plan asks for the cluster's name once, then sends both files
    await command(api, anna, "/plan")
    assert "Vad heter ert kluster?" in last_text(api, anna)
    await say(api, anna, "Skogsklustret Älvdalen")
    await api.wait_for(lambda: len(documents(api, anna)) == 2)
    pdf, markdown = documents(api, anna)
    today = datetime.fromtimestamp(time.time(), UTC).strftime("%Y-%m-%d")
    assert pdf["filename"] == f"handlingsplan-{today}.pdf"
    assert markdown["filename"] == f"handlingsplan-{today}.md"
    assert pdf["document"].startswith(b"%PDF-")
    assert 20_000 < len(pdf["document"]) < 2_000_000
    assert 1_000 < len(markdown["document"]) < 100_000
    assert pdf["caption"].startswith("Handlingsplan (PDF), ")

    text = pdf_text(pdf["document"])
    assert "Skogsklustret Älvdalen" in text
    assert "Ni är på steg 2 av 10: Bedöm er mognad" in text
    assert "snabbkoll" in text
    assert "Åsa Öberg / styrelsen" in text and due in text
    for step in (2, 3, 5, 6, 8):  # every step with an action appears with its number
        assert f"{step}. {content.step(step).title.sv}" in text
    first = content.step(2).key_question.action.sv
    assert " ".join(first.split()[:6]) in text
    assert content.step(5).key_question.text.sv.split()[0] in text  # the "vet inte" question

    md = markdown["document"].decode("utf-8")
    assert md.startswith("# ")
    assert "| Steg |" in md and "Åsa Öberg / styrelsen" in md
    assert "Skogsklustret Älvdalen" in md

    # the second /plan does not ask again
    await command(api, anna, "/plan")
    await api.wait_for(lambda: len(documents(api, anna)) == 4)
    assert api.unanswered_callbacks() == []


async def test_plan_without_an_assessment_says_what_to_do(api, bot):
    eric = api.user(302, "Eric", "en")
    await command(api, eric, "/plan")
    assert "you have none yet" in last_text(api, eric)
    assert "Start the self-assessment" in [label for label, _ in api.buttons(eric.id)]
    assert documents(api, eric) == []
