"""Team mode end to end through the local Bot API server: a cluster manager and two
colleagues answer for one cluster, and the manager sees where they disagree."""

from __future__ import annotations

import re

from tests.telegram_harness import command, last_text, press, say


async def test_a_team_answers_and_the_owner_sees_the_disagreements(api, bot, content):
    manager = api.user(1, "Maria", "sv")
    await command(api, manager, "/team")
    await press(api, manager, "Skapa ett team för ert kluster")
    await say(api, manager, "Kluster Norr")
    await api.wait_for(lambda: any(r["method"] == "sendPhoto" for r in api.sent(manager.id)))
    text = next(t for t in api.texts(manager.id) if "Skicka den här inbjudan" in t)
    invite = re.search(r"\?start=(tm_[0-9a-f]{12})", text).group(1)
    assert f"https://t.me/cluster_journey_test_bot?start={invite}" in text
    assert "0 av 1 medlem har svarat; teamets resultat visas när två har svarat." in (
        last_text(api, manager)
    )

    # two colleagues open the link and answer the quick check, differently
    key = [next(q for q in s.questions if q.key) for s in content.steps]
    colleagues = [
        (api.user(7001, "Anna", "sv"), ["Ja"] * 10, "Gå med i teamet", "Snabbkoll", "Tack:"),
        (api.user(7002, "Erik", "en"), ["No"] + ["Yes"] * 9, "Join the team", "Quick check",
         "Thank you:"),
    ]  # fmt: skip
    for user, answers, join, quick, thanks in colleagues:
        await command(api, user, "/start", invite)
        assert "Kluster Norr" in last_text(api, user)
        await press(api, user, join)
        await press(api, user, quick)
        for answer in answers:
            await press(api, user, answer)
        await api.wait_for(
            lambda user=user, thanks=thanks: any(thanks in t for t in api.texts(user.id))
        )
    erik = colleagues[1][0]
    thanks = next(t for t in api.texts(erik.id) if "Thank you:" in t)
    assert "your answers count for the team for “Kluster Norr”" in thanks
    assert "2 of 3 members have answered." in thanks
    assert any("Your readiness summary (quick check)" in t for t in api.texts(erik.id))

    # the owner's /team: the team summary with the disagreement, as counts
    await command(api, manager, "/team")
    summary = next(t for t in reversed(api.texts(manager.id)) if "Teamets resultat" in t)
    assert "2 av 3 medlemmar har svarat." in summary
    assert "Frågorna att prata om först:" in summary
    assert f"1. {key[0].text.sv}\n" in summary  # two answers: no counts (issue 27)
    assert "1 ja, 1 nej" not in summary and "visas inga antal" in summary
    assert "Anna" not in summary and "Erik" not in summary
    # the team's plan, from the combined answers
    await press(api, manager, "Teamets handlingsplan (PDF)")
    await api.wait_for(lambda: any(r["method"] == "sendDocument" for r in api.sent(manager.id)))

    # a colleague cannot see the team result until the owner allows it
    await command(api, erik, "/team")
    assert "Team result" not in dict(api.buttons(erik.id))
    result = next(
        r
        for r in reversed(api.sent(manager.id))
        if "Teamets resultat" in (r.get("plain_text") or "")
    )
    pdf = dict(api.buttons(manager.id, result["message_id"]))["Teamets handlingsplan (PDF)"]
    team_id = re.search(r"team:pdf:(\d+)", pdf).group(1)
    api.forge_press(erik.id, f"j..team:result:{team_id}")
    await api.wait_for(lambda: "has not shared the team result" in last_text(api, erik))
