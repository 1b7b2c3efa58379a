"""The personal-data registry: every storage module's `PERSONAL_DATA`, in the order erasure
runs (rows that refer to the user's row first, the row itself last), and the flows' `Privacy`
port on it. `/delete` erases by it and `/privacy`'s inventory is built from its categories."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from bot import config
from bot.storage import database, journey, regional, reminders, teams, web_chat, workshops
from bot.storage.aio import AsyncConnection
from bot.storage.database import Storage
from bot.storage.personal_data import Holding
from bot.storage.schema import users

REGISTRY: tuple[Holding, ...] = (
    *journey.PERSONAL_DATA,
    *reminders.PERSONAL_DATA,
    *workshops.PERSONAL_DATA,
    *regional.PERSONAL_DATA,
    *teams.PERSONAL_DATA,
    *web_chat.PERSONAL_DATA,
    *database.PERSONAL_DATA,
)


@dataclass(frozen=True)
class Inactive:
    """A user the retention job gives notice to: their language, time zone and last activity."""

    user_id: str
    lang: str
    timezone: str
    updated: float


async def _erase(conn: AsyncConnection, user_id: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for holding in REGISTRY:
        if holding.erase is not None:
            gone = await holding.erase(conn, user_id)
            counts[holding.category] = counts.get(holding.category, 0) + gone
    return counts


def categories() -> tuple[str, ...]:
    """The kinds of personal data kept, in the registry's order, each once."""
    return tuple(dict.fromkeys(holding.category for holding in REGISTRY))


class PrivacyStore:
    """The flows' `Privacy` port, and what the retention job (`bot.retention`) asks of the
    users table. `months`: the retention setting (None: read from the environment)."""

    def __init__(self, storage: Storage, months: int | None = None) -> None:
        self.storage = storage
        self.months = months

    def categories(self) -> tuple[str, ...]:
        return categories()

    def retention_months(self) -> int:
        if self.months is None:
            try:
                self.months = config.retention_months()
            except config.SettingsError:  # refused at start; never a crash mid-conversation
                self.months = config.DEFAULT_RETENTION_MONTHS
        return self.months

    async def erase(self, user_id: str) -> dict[str, int]:
        """Erase (or unlink) everything the registry holds of the user, in one transaction;
        how many rows of each category went."""
        async with self.storage.transaction() as conn:
            return await _erase(conn, user_id)

    # --- retention (`bot.retention`) ----------------------------------------------------------

    async def to_notice(self, before: float, limit: int) -> list[Inactive]:
        """Users inactive since before `before` who have had no notice since they were last
        active, longest inactive first."""
        query = (
            sa.select(users.c.id, users.c.lang, users.c.timezone, users.c.updated)
            .where(
                users.c.updated < before,
                sa.or_(
                    users.c.retention_notice.is_(None),
                    users.c.retention_notice < users.c.updated,
                ),
            )
            .order_by(users.c.updated)
            .limit(limit)
        )
        async with self.storage.transaction() as conn:
            rows = (await conn.execute(query)).all()
        return [Inactive(r.id, r.lang, r.timezone, r.updated) for r in rows]

    async def noticed(self, user_id: str, now: float) -> None:
        async with self.storage.transaction() as conn:
            await conn.execute(
                users.update().where(users.c.id == user_id).values(retention_notice=now)
            )

    def _due(self, before: float, noticed_before: float) -> Any:
        return sa.and_(
            users.c.updated < before,
            users.c.retention_notice >= users.c.updated,
            users.c.retention_notice <= noticed_before,
        )

    async def to_erase(self, before: float, noticed_before: float, limit: int) -> list[str]:
        """Users inactive since before `before` who were given notice (or could not be) since,
        at `noticed_before` or earlier."""
        query = (
            sa.select(users.c.id)
            .where(self._due(before, noticed_before))
            .order_by(users.c.updated)
            .limit(limit)
        )
        async with self.storage.transaction() as conn:
            return list((await conn.execute(query)).scalars().all())

    async def erase_inactive(self, user_id: str, before: float, noticed_before: float) -> bool:
        """Erase the user if they are still due (their row locked first: an event of theirs
        in the meantime makes them active and keeps everything)."""
        query = sa.select(users.c.id).where(
            users.c.id == user_id, self._due(before, noticed_before)
        )
        async with self.storage.transaction() as conn:
            if (await conn.execute(query.with_for_update())).first() is None:
                return False
            await _erase(conn, user_id)
        return True

    async def export(self, user_id: str) -> dict[str, dict[str, list[dict[str, Any]]]]:
        """Every row the registry holds of the user, by category and table, every category
        and table present (for a copy of one's data, `/mydata`)."""
        found: dict[str, dict[str, list[dict[str, Any]]]] = {}
        async with self.storage.transaction() as conn:
            for holding in REGISTRY:
                rows = await holding.export(conn, user_id)
                found.setdefault(holding.category, {})[holding.table.name] = rows
        return found
