"""The people of a test: simulated users and groups talking to the bot through the server.

Get them from the server (`api.user(1001, "Anna")`, `api.group()`); what they do becomes an
update the bot receives by long polling, built as Telegram builds it and checked against the spec.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.fakebotapi.markup import utf16_len

if TYPE_CHECKING:
    from tests.fakebotapi.server import FakeBotApi


class FakeUser:
    """A simulated Telegram user talking to the bot in their private chat."""

    def __init__(
        self,
        api: FakeBotApi,
        user_id: int,
        first_name: str,
        language_code: str | None,
        last_name: str | None = None,
        username: str | None = None,
    ) -> None:
        self.api = api
        self.id = user_id
        self.chat_id = user_id
        self.first_name = first_name
        self.language_code = language_code
        self.last_name = last_name
        self.username = username

    def json(self) -> dict[str, Any]:
        """The Telegram User object."""
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key):
                user[key] = getattr(self, key)
        return user

    async def send_text(self, text: str, reply_to: int | None = None) -> dict[str, Any]:
        """Send a plain text message; returns the queued Update."""
        return self.api._user_message(self.chat_id, self, text, reply_to=reply_to)

    async def send_command(self, command: str, payload: str | None = None) -> dict[str, Any]:
        """Send ``/command [payload]`` with a bot_command entity at offset 0."""
        return await _command(self.api, self.chat_id, self, command, payload)

    async def press(self, callback_data: str, message_id: int | None = None) -> dict[str, Any]:
        """Press the inline button with ``callback_data`` on the latest bot message carrying it
        (or on ``message_id``); returns the queued callback_query Update."""
        return self.api._press(self.chat_id, self, callback_data, message_id)

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The bot's messages in this user's private chat."""
        return self.api.sent(self.chat_id)


class FakeGroup:
    """A simulated supergroup where users talk to the bot."""

    def __init__(self, api: FakeBotApi, chat_id: int) -> None:
        self.api = api
        self.chat_id = chat_id

    def _member(self, user: FakeUser | int) -> FakeUser:
        if isinstance(user, FakeUser):
            return user
        known = self.api._chats.get(user, {})
        return FakeUser(self.api, user, known.get("first_name", f"User {user}"), None)

    async def send_text(self, user: FakeUser | int, text: str) -> dict[str, Any]:
        """A group message from ``user``; returns the queued Update."""
        return self.api._user_message(self.chat_id, self._member(user), text)

    async def send_command(
        self, user: FakeUser | int, command: str, payload: str | None = None, mention: bool = False
    ) -> dict[str, Any]:
        """``/command[@bot] [payload]`` from ``user`` in the group."""
        if mention:
            command = f"{command}@{self.api.bot_user['username']}"
        return await _command(self.api, self.chat_id, self._member(user), command, payload)

    async def press(
        self, user: FakeUser | int, callback_data: str, message_id: int | None = None
    ) -> dict[str, Any]:
        """``user`` presses an inline button on a bot message in the group."""
        return self.api._press(self.chat_id, self._member(user), callback_data, message_id)

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The bot's messages in this group."""
        return self.api.sent(self.chat_id)


async def _command(
    api: FakeBotApi, chat_id: int, user: FakeUser, command: str, payload: str | None
) -> dict[str, Any]:
    if not command.startswith("/"):
        command = "/" + command
    text = command if payload is None else f"{command} {payload}"
    entity = {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
    return api._user_message(chat_id, user, text, [entity])
