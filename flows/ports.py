"""What the flows ask of the world: one small port per feature, and the channel.

The flows do no I/O of their own. Each feature declares what it keeps beyond the user's own
conversation record as a port next to it (`flows/<feature>/port.py`); the bot implements each
directly on the database (`bot/storage/<feature>.py`), bound to the event's transaction, and
hands them to the flows together as `Stores` (`turn.store.workshops`, …). What the user's
channel can do is `flows.channel.Channel`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from flows.journey.port import Journey
from flows.regional.port import Regional
from flows.reminders.port import Reminders
from flows.team.port import Teams
from flows.workshop.port import Workshops


class Privacy(Protocol):
    """The personal-data registry: what is kept about a user, and its erasure."""

    def categories(self) -> tuple[str, ...]:
        """The kinds of personal data kept (keys of `flows.privacy.INVENTORY`)."""
        ...

    async def erase(self, user_id: str) -> dict[str, int]:
        """Erase everything of the user's; how many rows of each kind went."""
        ...

    async def export(self, user_id: str) -> Mapping[str, Mapping[str, Sequence[Mapping[str, Any]]]]:
        """Every row held of the user: kind → table → rows (column → value, JSON decoded)."""
        ...

    def retention_months(self) -> int:
        """After how many months without activity a user's data is erased (0: never)."""
        ...


@dataclass(frozen=True)
class Stores:
    """Every feature's port, bound to one event."""

    journey: Journey
    workshops: Workshops
    teams: Teams
    reminders: Reminders
    regional: Regional
    privacy: Privacy
