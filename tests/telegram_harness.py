"""Starting and stopping the real Application against the local Bot API server in tests."""

from __future__ import annotations

import copy
import itertools
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.storage import Storage
from bot.telegram_app import ChatPacingRateLimiter, build_application
from flows.content_model import Content
from tests.fake_bot_api import FakeBotApi


class RunningBot:
    """The bot process stand-in: the real Application, polling the fake server over HTTP."""

    def __init__(self, api: FakeBotApi, content: Content, db: Path) -> None:
        self.api = api
        self.settings = Settings(token=api.token, api_base_url=api.base_url,
                                 database_url=f"sqlite:///{db}", timezone="Europe/Stockholm",
                                 content_dir=None)
        self.storage = Storage.create(self.settings.database_url)
        self.app = build_application(
            self.settings, content, self.storage,
            rate_limiter=ChatPacingRateLimiter(chat_burst=100, chat_period=1),
            builder=api.application_builder(),
        )

    async def start(self) -> RunningBot:
        await self.app.initialize()
        await self.app.post_init(self.app)  # type: ignore[misc]
        assert self.app.updater is not None
        await self.app.updater.start_polling(poll_interval=0, timeout=1)
        await self.app.start()
        return self

    async def stop(self) -> None:
        assert self.app.updater is not None
        await self.app.updater.stop()
        await self.app.stop()
        await self.app.shutdown()
        await self.app.post_shutdown(self.app)  # type: ignore[misc]


_forged_ids = itertools.count(1)


def forged_press(api: FakeBotApi, user_id: int, data: str) -> dict[str, Any]:
    """A callback query with arbitrary data on the bot's latest message (a forged button)."""
    record = api.last_message(user_id)
    assert record is not None
    query_id = f"forged-{next(_forged_ids)}"
    # known to the server as a real press of that message, so the bot may answer it
    api._queries[query_id] = {"answered": False, "chat_id": user_id,
                              "message_id": record["message_id"], "data": data,
                              "user_id": user_id}
    return api.push_update({"callback_query": {
        "id": query_id,
        "from": {"id": user_id, "is_bot": False, "first_name": "Mallory", "language_code": "en"},
        "message": copy.deepcopy(record["message"]),
        "chat_instance": "1",
        "data": data,
    }})
