"""What the reminders dialogue keeps: one reminder per user. Times are unix seconds; `zone` is
the user's time zone. `bot.storage.reminders` implements it; the reminder job sends them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class ReminderInfo:
    """A user's active reminder: paused, or waiting to go out at `due` (unix seconds)."""

    paused: bool
    interval_days: int
    due: float


class Reminders(Protocol):
    async def get(self, user_id: str) -> ReminderInfo | None:
        """The user's active (scheduled or paused) reminder."""
        ...

    async def schedule(
        self, user_id: str, target: int, days: int, now: float, zone_name: str
    ) -> float:
        """Remind every `days` days at `target` (where the channel delivers); the first due
        time."""
        ...

    async def pause(self, user_id: str) -> bool: ...
    async def resume(self, user_id: str, now: float, zone_name: str) -> float | None: ...
    async def stop(self, user_id: str) -> bool: ...
    async def snooze(self, user_id: str, now: float, zone_name: str) -> float | None: ...
    async def move_to_zone(
        self, user_id: str, old_zone: str, new_zone: str, now: float
    ) -> float | None: ...
