"""Starting and stopping the real Application against the local Bot API server in tests."""

from __future__ import annotations

import re
from pathlib import Path

from bot.config import Settings
from bot.storage import Storage
from bot.telegram.app import build_application, slots_for
from bot.telegram.pacing import Pacing
from flows.content_model import Content
from tests.fakebotapi import FakeBotApi


class RunningBot:
    """The bot process stand-in: the real Application, polling the fake server over HTTP."""

    def __init__(
        self,
        api: FakeBotApi,
        content: Content,
        database: Path | str,
        public_url: str | None = None,  # where the projector pages are served
        results_interval: float = 3.0,  # the live results' edits, as in production
    ) -> None:
        self.api = api
        self.settings = Settings(
            token=api.token,
            api_base_url=api.base_url,
            database_url=database if isinstance(database, str) else f"sqlite:///{database}",
            timezone="Europe/Stockholm",
            content_dir=None,
            public_url=public_url,
        )
        self.storage = Storage.create(self.settings.database_url)
        self.app = build_application(
            self.settings,
            content,
            self.storage,
            pacing=Pacing(slots_for(self.storage), chat_interval=0.01, chat_burst=100),
            builder=api.application_builder(),
            results_interval=results_interval,
        )

    async def start(self) -> RunningBot:
        await self.app.initialize()
        await self.app.post_init(self.app)  # type: ignore[misc]
        assert self.app.updater is not None
        await self.app.updater.start_polling(poll_interval=0, timeout=1)
        await self.app.start()
        self.api.busy.append(self.handling)
        return self

    def handling(self) -> bool:
        """Whether an update is being handled or waits to be (`FakeBotApi.settle` asks)."""
        processor = self.app.update_processor
        return processor.current_concurrent_updates > 0 or not self.app.update_queue.empty()

    async def stop(self) -> None:
        if self.handling in self.api.busy:
            self.api.busy.remove(self.handling)
        assert self.app.updater is not None
        await self.app.updater.stop()
        await self.app.stop()
        await self.app.shutdown()
        await self.app.post_shutdown(self.app)  # type: ignore[misc]


# --- driving a user as a person would: act, then wait for what they see ---------------------


async def press(api, user, label: str, settle: bool = True, timeout: float = 5) -> None:
    """Press the button with this label on the bot's newest message that has one (as a person
    scrolls up to it), and wait for the bot."""
    found = None
    for record in reversed(api.sent(user.id)):
        buttons = api.buttons(user.id, record["message_id"])
        data = next((d for text, d in buttons if text == label), None)
        if data is not None:
            found = (data, record["message_id"])
            break
    assert found is not None, f"no button {label!r} in {api.buttons(user.id)}"
    before = chat_view(api, user)
    await user.press(*found)
    await api.wait_for(lambda: chat_view(api, user) != before, timeout=timeout)
    if settle:  # let trailing messages arrive (not with many users at once: never quiet)
        await api.settle(quiet=0.1)


async def say(api, user, text: str, settle: bool = True, timeout: float = 5) -> None:
    """Send free text and wait for the bot's answer."""
    before = chat_view(api, user)
    await user.send_text(text)
    await api.wait_for(lambda: chat_view(api, user) != before, timeout=timeout)
    if settle:  # let trailing messages arrive (not with many users at once: never quiet)
        await api.settle(quiet=0.1)


def chat_view(api, user) -> list:
    """What the user sees: every bot message's text and buttons."""
    return [
        (r["message_id"], r.get("plain_text"), r.get("caption"), str(r.get("reply_markup")))
        for r in api.sent(user.id)
    ]


async def command(
    api, user, text: str, payload: str | None = None, settle: bool = True, timeout: float = 5
) -> None:
    """Send a command and wait for the bot's answer in this user's chat."""
    before = chat_view(api, user)
    await user.send_command(text, payload)
    await api.wait_for(lambda: chat_view(api, user) != before, timeout=timeout)
    if settle:  # let trailing messages arrive (not with many users at once: never quiet)
        await api.settle(quiet=0.1)


def last_text(api, user) -> str:
    record = api.last_message(user.id)
    assert record is not None
    return record.get("plain_text") or record.get("text") or record.get("caption") or ""


def text_with_buttons(api, user) -> str:
    """The text of the bot's latest message with buttons: after an assessment, the summary (the
    reminder question after it, its chart and the one-off question whether to share the result
    for the regional picture are passed over)."""
    for record in reversed(api.sent(user.id)):
        rows = (record.get("reply_markup") or {}).get("inline_keyboard") or []
        data = [button.get("callback_data") or "" for row in rows for button in row]
        answers_a_question = all(".rem:" in d or ".share:" in d for d in data)
        if data and not answers_a_question:
            return record.get("plain_text") or record.get("text") or record.get("caption") or ""
    return ""


async def create_workshop(api, facilitator, title: str) -> str:
    """A new workshop made by `facilitator` (in English) through /workshop; its join code."""
    await command(api, facilitator, "/workshop")
    await press(api, facilitator, "Create a workshop")
    await say(api, facilitator, title)
    await api.wait_for(lambda: any(r["method"] == "sendPhoto" for r in api.sent(facilitator.id)))
    await api.wait_for(lambda: live_results(api, facilitator))  # sent after the QR code
    text = next(t for t in api.texts(facilitator.id) if "Join code:" in t)
    code = re.search(r"Join code: ([A-Z0-9]{6})", text).group(1)
    assert f"https://t.me/cluster_journey_test_bot?start=ws_{code}" in text
    return code


def live_results(api, facilitator) -> dict:
    """The facilitator's live results message."""
    return next(
        r
        for r in reversed(api.sent(facilitator.id))
        if "Participants" in (r.get("plain_text") or "")
    )
