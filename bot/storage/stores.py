"""The flows' ports on the database, bound to one storage (an event's transaction): the one
place they are put together. Pages, handlers and jobs use the same classes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.storage.database import Storage, UserRecord
from bot.storage.journey import JourneyStore
from bot.storage.privacy import PrivacyStore
from bot.storage.regional import RegionalStore
from bot.storage.reminders import ReminderStore
from bot.storage.teams import TeamStore
from bot.storage.workshops import WorkshopStore
from flows.ports import Stores

if TYPE_CHECKING:
    from bot.web.access import PageLinks


def stores_for(
    storage: Storage, pages: PageLinks | None = None, user: UserRecord | None = None
) -> Stores:
    """`user`: the event's record, written first when a reminder or a consent of a new user
    must refer to its row."""

    async def user_row() -> None:
        if user is not None:
            await storage.ensure_saved(user)

    return Stores(
        journey=JourneyStore(storage),
        workshops=WorkshopStore(storage, pages),
        teams=TeamStore(storage),
        reminders=ReminderStore(storage, user_row),
        regional=RegionalStore(storage, user_row),
        privacy=PrivacyStore(storage),
    )
