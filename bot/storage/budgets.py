"""Pacing budgets shared by every replica (PostgreSQL): one row per budget with the moment
its next slot is free, advanced in one statement on the database's clock, so that replicas on
machines whose clocks differ still share one schedule. The arithmetic is `bot.telegram.pacing`'s
(`Slots`); this is its shared store."""

from __future__ import annotations

import random

import sqlalchemy as sa

from bot.storage.database import Storage

_NOW = "extract(epoch from statement_timestamp())::float8"  # one moment per statement
_RESERVE = sa.text(
    f"""
    INSERT INTO send_budgets AS b (key, tat) VALUES (:key, {_NOW} + :interval)
    ON CONFLICT (key) DO UPDATE SET tat = greatest(b.tat, {_NOW}) + :interval
    RETURNING b.tat, {_NOW} AS now
    """
)
_HOLD = sa.text(
    f"""
    INSERT INTO send_budgets AS b (key, tat) VALUES (:key, {_NOW} + :seconds)
    ON CONFLICT (key) DO UPDATE SET tat = greatest(b.tat, {_NOW} + :seconds)
    """
)
_PRUNE = sa.text(f"DELETE FROM send_budgets WHERE tat < {_NOW} - :age")
PRUNE_EVERY = 2000  # reservations, on average, between two clean-ups of idle budgets
IDLE = 3600.0  # seconds after its last slot that a budget (a chat's) is forgotten


class SharedSlots:
    """`bot.telegram.pacing.Slots` in the database."""

    def __init__(self, storage: Storage) -> None:
        # one round trip a statement: no BEGIN/COMMIT around it
        self.engine = storage.engine.execution_options(isolation_level="AUTOCOMMIT")

    async def take(self, key: str, interval: float) -> tuple[float, float]:
        """Advance the budget by one slot; (its next free moment after this slot, now)."""
        async with self.engine.connect() as conn:
            row = (await conn.execute(_RESERVE, {"key": key, "interval": interval})).one()
            if random.randrange(PRUNE_EVERY) == 0:
                await conn.execute(_PRUNE, {"age": IDLE})
        return float(row.tat), float(row.now)

    async def hold(self, key: str, seconds: float) -> None:
        """No slot of this budget before `seconds` from now (a flood wait, for everyone)."""
        async with self.engine.connect() as conn:
            await conn.execute(_HOLD, {"key": key, "seconds": seconds})
