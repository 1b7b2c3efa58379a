"""The flows' `Journey` port on the database: a user's completed assessments (the event's save
in `bot.storage.database` stores a new one with the conversation record)."""

from __future__ import annotations

import json

import sqlalchemy as sa

from bot.storage.database import Storage
from bot.storage.personal_data import Holding, delete_where, rows_where
from bot.storage.schema import assessments
from flows.journey.port import AssessmentInfo


class JourneyStore:
    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    async def assessments(self, user_id: str) -> list[AssessmentInfo]:
        query = (
            sa.select(assessments)
            .where(assessments.c.user_id == user_id)
            .order_by(assessments.c.completed)
        )
        async with self.storage.transaction() as conn:
            rows = (await conn.execute(query)).all()
        return [
            AssessmentInfo(
                row.id,
                row.mode,
                row.completed,
                {qid: value[0] for qid, value in json.loads(row.answers).items()},
                tuple(json.loads(row.percents)),
                row.position,
            )
            for row in rows
        ]


PERSONAL_DATA = (
    Holding(
        "assessments",
        assessments,
        ("user_id",),
        delete_where(assessments, "user_id"),
        rows_where(assessments, "user_id"),
    ),
)
