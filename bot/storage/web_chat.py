"""The browser chat's own storage: the recent messages of each browser user (theirs and the
bot's, the attachments as data) and their sign-in generation. Everything a page shows is read
from here, so any replica serves any page and a restart loses nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from bot.storage.database import Storage, upsert
from bot.storage.personal_data import Holding, delete_where, rows_where
from bot.storage.schema import web_identities, web_messages

KEPT = 80  # messages kept per user: the page shows them, older ones go


@dataclass(frozen=True)
class StoredMessage:
    id: int
    turn: int
    body: dict[str, Any]  # "who" ("user" or "bot"), "text", "choices", "token" …
    attachment: str | None  # `bot.web.codec` JSON


class WebChatStore:
    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    async def add(
        self,
        user_id: str,
        messages: list[tuple[dict[str, Any], str | None]],
        now: float,
    ) -> None:
        """One exchange: the user's message and the bot's answers, as the next turn; the oldest
        messages past KEPT go."""
        if not messages:
            return
        async with self.storage.transaction() as conn:
            last = (
                await conn.execute(
                    sa.select(sa.func.max(web_messages.c.turn)).where(
                        web_messages.c.user_id == user_id
                    )
                )
            ).scalar_one_or_none()
            turn = (last or 0) + 1
            await conn.execute(
                web_messages.insert(),
                [
                    {
                        "user_id": user_id,
                        "turn": turn,
                        "created": now,
                        "body": json.dumps(body, ensure_ascii=False, separators=(",", ":")),
                        "attachment": attachment,
                    }
                    for body, attachment in messages
                ],
            )
            oldest_kept = (
                await conn.execute(
                    sa.select(web_messages.c.id)
                    .where(web_messages.c.user_id == user_id)
                    .order_by(web_messages.c.id.desc())
                    .offset(KEPT - 1)
                    .limit(1)
                )
            ).scalar_one_or_none()
            if oldest_kept is not None:
                await conn.execute(
                    web_messages.delete().where(
                        web_messages.c.user_id == user_id, web_messages.c.id < oldest_kept
                    )
                )

    async def recent(self, user_id: str) -> list[StoredMessage]:
        """The kept messages, oldest first."""
        async with self.storage.transaction() as conn:
            rows = (
                await conn.execute(
                    sa.select(
                        web_messages.c.id,
                        web_messages.c.turn,
                        web_messages.c.body,
                        web_messages.c.attachment,
                    )
                    .where(web_messages.c.user_id == user_id)
                    .order_by(web_messages.c.id)
                )
            ).all()
        return [StoredMessage(r.id, r.turn, json.loads(r.body), r.attachment) for r in rows]

    async def message(self, user_id: str, message_id: int) -> StoredMessage | None:
        """One of the user's kept messages (a pressed button's), None for anyone else's."""
        async with self.storage.transaction() as conn:
            row = (
                await conn.execute(
                    sa.select(
                        web_messages.c.id,
                        web_messages.c.turn,
                        web_messages.c.body,
                        web_messages.c.attachment,
                    ).where(web_messages.c.id == message_id, web_messages.c.user_id == user_id)
                )
            ).first()
        return StoredMessage(row.id, row.turn, json.loads(row.body), None) if row else None

    async def attachment(self, user_id: str, message_id: int) -> str | None:
        """A message's attachment, only to the user it was sent to."""
        async with self.storage.transaction() as conn:
            return (
                await conn.execute(
                    sa.select(web_messages.c.attachment).where(
                        web_messages.c.id == message_id, web_messages.c.user_id == user_id
                    )
                )
            ).scalar_one_or_none()

    async def generation(self, user_id: str) -> int:
        """The user's sign-in generation: 1 until they first revoke their links."""
        async with self.storage.transaction() as conn:
            found = (
                await conn.execute(
                    sa.select(web_identities.c.generation).where(
                        web_identities.c.user_id == user_id
                    )
                )
            ).scalar_one_or_none()
        return found or 1

    async def renew(self, user_id: str, now: float) -> int:
        """A new generation: the old cookie and personal link stop working; the new one."""
        generation = await self.generation(user_id) + 1
        async with self.storage.transaction() as conn:
            statement = upsert(conn, web_identities).values(
                user_id=user_id, generation=generation, changed=now
            )
            await conn.execute(
                statement.on_conflict_do_update(
                    index_elements=["user_id"],
                    set_={"generation": generation, "changed": now},
                )
            )
        return generation


PERSONAL_DATA = (
    Holding(
        "browser_chat",
        web_messages,
        ("user_id",),
        delete_where(web_messages, "user_id"),
        rows_where(web_messages, "user_id"),
    ),
    Holding(
        "browser_chat",
        web_identities,
        ("user_id",),
        delete_where(web_identities, "user_id"),
        rows_where(web_identities, "user_id"),
    ),
)
