"""Telegram adapter units without a server: callback codec, rendering, per-user ordering."""

from __future__ import annotations

import pytest

from bot.events import PLAIN
from bot.telegram.callback_data import decode, encode
from bot.telegram.links import TelegramChannel, pasted_link_event, start_payload
from bot.telegram.sending import escape, keyboard, split_text
from flows.channel import fit_label
from flows.messages import Choice, Event, Reply


def test_callback_round_trip_and_size():
    data = encode("a1b2c3", "guide:10:examples")
    assert data == "j.a1b2c3.guide:10:examples" and len(data.encode()) <= 64
    parsed = decode(data)
    assert parsed is not None and (parsed.token, parsed.choice) == ("a1b2c3", "guide:10:examples")


def test_buttons_of_the_first_privacy_dialogue_still_work():
    parsed = decode("p..confirm")
    assert parsed is not None and parsed.choice == "privacy:confirm"


@pytest.mark.parametrize(
    "forged",
    [
        None,
        "",
        "x",
        "j..",
        "z.abc.ans:yes",
        "j.zz.ans:yes",
        "j.abc." + "a" * 60,
        "j.abc.ans:yes;drop",
        "å" * 40,
        "j.abc.ans yes",
    ],
)
def test_forged_callback_data_is_rejected(forged):
    assert decode(forged) is None


def test_buttons_of_a_message_to_keep_say_so():
    """A summary's buttons carry `k.`: the press is answered with new messages, no edit."""
    data = encode("a1b2c3", "plan:pdf", keep=True)
    assert data == "k.a1b2c3.plan:pdf"
    parsed = decode(data)
    assert parsed is not None and parsed.keep and parsed.choice == "plan:pdf"
    plain = decode(encode("a1b2c3", "plan:pdf"))
    assert plain is not None and not plain.keep


def test_a_reply_that_stays_and_a_choice_that_opens_beside_leave_their_message():
    """What the flows say of a reply (it stays) or a choice (it opens something beside its
    message) becomes Telegram's `k.`: the press is answered with new messages."""
    stays = Reply("Summary", (Choice("plan:pdf", "PDF"),), stays=True)
    beside = Reply(
        "Results",
        (Choice("wsf:open:1", "Refresh"), Choice("wsf:chart:1", "Chart", opens_beside=True)),
    )
    markup = keyboard(stays, "a1b2c3")
    assert markup is not None and markup.inline_keyboard[0][0].callback_data.startswith("k.")
    markup = keyboard(beside, "a1b2c3")
    assert markup is not None
    assert [row[0].callback_data[0] for row in markup.inline_keyboard] == ["j", "k"]


def test_telegrams_capabilities():
    """Telegram counts UTF-16 code units, takes 4096 of them in a message and shows 64
    characters of a label; the terminal has no such limits, and neither links nor reminders."""
    chat = TelegramChannel("cluster_journey_bot", 42)
    assert chat.length("😀a") == 3 and PLAIN.length("😀a") == 2
    assert (chat.longest_message, chat.longest_label, chat.edits_in_place) == (4096, 64, True)
    assert chat.reminder_chat == 42 and chat.start_link("assess") is not None
    label = "Use “" + "x" * 80 + "”"
    assert fit_label(label, chat) == label[:64] and fit_label(label, PLAIN) == label
    assert PLAIN.start_link("assess") is None and PLAIN.reminder_chat is None
    assert PLAIN.longest_message is None and not PLAIN.edits_in_place


def test_encode_refuses_what_does_not_fit():
    with pytest.raises(ValueError):
        encode("abc", "x" * 70)
    with pytest.raises(ValueError):
        encode("abc", "ans yes")


@pytest.mark.parametrize(
    ("text", "payload"),
    [
        ("https://t.me/ClusterBot?start=ws_abc234", "ws_abc234"),
        ("  t.me/ClusterBot?start=ws_abc234 ", "ws_abc234"),
        ("https://t.me/ClusterBot", None),
        ("https://example.org/?start=ws_abc234", None),
        ("start=ws_abc234 please", None),
        ("ABC234", None),
    ],
)
def test_a_pasted_deep_link_means_its_start_command(text, payload):
    assert start_payload(text) == payload
    event = pasted_link_event(text)
    assert event == (Event("command", "start", payload) if payload else None)


def test_split_at_paragraphs():
    paragraphs = [" ".join([f"Stycke {i}."] * 40) for i in range(20)]
    text = "\n\n".join(paragraphs)
    parts = split_text(text)
    assert len(parts) > 1 and all(len(p) <= 4096 for p in parts)
    # every cut falls between paragraphs: each part is a run of whole paragraphs
    assert all(p.split("\n\n")[-1] in paragraphs for p in parts)
    assert "\n\n".join(parts) == text


def test_split_without_breaks_still_fits():
    parts = split_text("x" * 9000)
    assert [len(p) for p in parts] == [4096, 4096, 808]


def test_escape_keeps_content_from_breaking_html():
    assert escape("R&D <b>") == "R&amp;D &lt;b&gt;"


def test_keyboard_rows_and_data():
    reply = Reply(
        "Q",
        (Choice("ans:yes", "Ja"), Choice("ans:no", "Nej"), Choice("nav:back", "← Tillbaka")),
        rows=(2, 1),
    )
    markup = keyboard(reply, "abc")
    assert markup is not None
    rows = markup.inline_keyboard
    assert [[b.text for b in row] for row in rows] == [["Ja", "Nej"], ["← Tillbaka"]]
    assert rows[0][0].callback_data == "j.abc.ans:yes"
    assert keyboard(Reply("no buttons"), "abc") is None


async def test_updates_of_one_user_in_order_of_different_users_concurrently():
    import asyncio
    from datetime import UTC, datetime

    from telegram import Chat, Message, Update, User

    from bot.telegram.ordering import PerUserUpdateProcessor

    def update(update_id: int, user_id: int) -> Update:
        user = User(user_id, "U", False)
        message = Message(
            update_id, datetime.now(UTC), Chat(user_id, "private"), from_user=user, text="hi"
        )
        return Update(update_id, message=message)

    processor = PerUserUpdateProcessor(16)
    log: list[str] = []
    release = asyncio.Event()

    async def work(name: str, wait: bool = False) -> None:
        log.append(f"start {name}")
        if wait:
            await release.wait()
        log.append(f"end {name}")

    tasks = [
        asyncio.create_task(processor.process_update(update(1, 7), work("a1", wait=True))),
        asyncio.create_task(processor.process_update(update(2, 7), work("a2"))),
        asyncio.create_task(processor.process_update(update(3, 8), work("b1"))),
    ]
    await asyncio.sleep(0.05)
    assert log == ["start a1", "start b1", "end b1"]  # user 8 is not held up by user 7
    release.set()
    await asyncio.gather(*tasks)
    assert log[3:] == ["end a1", "start a2", "end a2"]  # user 7's updates in order
