"""The personal-data registry: every storage module's `PERSONAL_DATA`, in the order erasure
runs (rows that refer to the user's row first, the row itself last), and the flows' `Privacy`
port on it. `/delete` erases by it and `/privacy`'s inventory is built from its categories."""

from __future__ import annotations

from typing import Any

from bot.storage import database, journey, regional, reminders, teams, web_chat, workshops
from bot.storage.database import Storage
from bot.storage.personal_data import Holding

REGISTRY: tuple[Holding, ...] = (
    *journey.PERSONAL_DATA,
    *reminders.PERSONAL_DATA,
    *workshops.PERSONAL_DATA,
    *regional.PERSONAL_DATA,
    *teams.PERSONAL_DATA,
    *web_chat.PERSONAL_DATA,
    *database.PERSONAL_DATA,
)


def categories() -> tuple[str, ...]:
    """The kinds of personal data kept, in the registry's order, each once."""
    return tuple(dict.fromkeys(holding.category for holding in REGISTRY))


class PrivacyStore:
    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def categories(self) -> tuple[str, ...]:
        return categories()

    async def erase(self, user_id: str) -> dict[str, int]:
        """Erase (or unlink) everything the registry holds of the user, in one transaction;
        how many rows of each category went."""
        counts: dict[str, int] = {}
        async with self.storage.transaction() as conn:
            for holding in REGISTRY:
                if holding.erase is not None:
                    gone = await holding.erase(conn, user_id)
                    counts[holding.category] = counts.get(holding.category, 0) + gone
        return counts

    async def export(self, user_id: str) -> dict[str, list[dict[str, Any]]]:
        """Every row the registry holds of the user, by category (for a copy of one's data)."""
        found: dict[str, list[dict[str, Any]]] = {}
        async with self.storage.transaction() as conn:
            for holding in REGISTRY:
                rows = await holding.export(conn, user_id)
                found.setdefault(holding.category, []).extend(rows)
        return found
