"""The workshop tables: workshops, their facilitators, participants' answers and the log of
wrong join codes (to limit guessing)."""

from __future__ import annotations

import json
import random
import secrets
from typing import Any

import sqlalchemy as sa

from bot.storage.database import Storage
from bot.storage.schema import join_attempts, workshop_answers, workshop_facilitators, workshops
from flows.ports import WorkshopInfo
from flows.workshop.answers import ParticipantAnswers
from flows.workshop.codes import new_join_code


def _row(row: Any) -> WorkshopInfo | None:
    if row is None:
        return None
    return WorkshopInfo(
        row.id,
        row.code,
        row.invite,
        row.title,
        row.owner,
        bool(row.closed),
        row.results_chat,
        row.results_message,
        row.results_lang,
        row.revision,
        row.results_revision,
        row.link_generation,
    )


def _bump(workshop_id: Any) -> Any:
    """The statement that records a change of the workshop (its pages and message catch up)."""
    return (
        workshops.update()
        .where(workshops.c.id == workshop_id)
        .values(revision=workshops.c.revision + 1)
    )


async def create(
    storage: Storage, owner: str, title: str, now: float, rng: random.Random | None = None
) -> WorkshopInfo:
    """A new open workshop with a fresh join code; its creator is its first facilitator."""
    rng = rng or secrets.SystemRandom()
    for _ in range(20):
        code = new_join_code(rng)
        # looked up first rather than caught: a failed insert would end the event's whole
        # transaction on PostgreSQL (two workshops drawing one code at once is left to the
        # unique constraint: 1 in 887 million)
        if await by_code(storage, code) is not None:
            continue
        async with storage.transaction() as conn:
            result = await conn.execute(
                workshops.insert().values(
                    code=code,
                    invite=secrets.token_hex(6),
                    title=title,
                    owner=owner,
                    closed=False,
                    created=now,
                )
            )
            primary_key = result.inserted_primary_key
            assert primary_key is not None
            workshop_id = int(primary_key[0])
            await conn.execute(
                workshop_facilitators.insert().values(workshop_id=workshop_id, user_id=owner)
            )
        found = await by_id(storage, workshop_id)
        assert found is not None
        return found
    raise RuntimeError("could not find a free join code")


async def _one(storage: Storage, condition: Any) -> WorkshopInfo | None:
    async with storage.transaction() as conn:
        return _row((await conn.execute(sa.select(workshops).where(condition))).first())


async def by_id(storage: Storage, workshop_id: int) -> WorkshopInfo | None:
    return await _one(storage, workshops.c.id == workshop_id)


async def by_code(storage: Storage, code: str) -> WorkshopInfo | None:
    return await _one(storage, workshops.c.code == code)


async def by_invite(storage: Storage, invite: str) -> WorkshopInfo | None:
    return await _one(storage, workshops.c.invite == invite)


async def is_facilitator(storage: Storage, workshop_id: int, user_id: str) -> bool:
    async with storage.transaction() as conn:
        row = (
            await conn.execute(
                sa.select(workshop_facilitators.c.user_id).where(
                    workshop_facilitators.c.workshop_id == workshop_id,
                    workshop_facilitators.c.user_id == user_id,
                )
            )
        ).first()
    return row is not None


async def add_facilitator(storage: Storage, workshop_id: int, user_id: str) -> None:
    if await is_facilitator(storage, workshop_id, user_id):
        return
    async with storage.transaction() as conn:
        await conn.execute(
            workshop_facilitators.insert().values(workshop_id=workshop_id, user_id=user_id)
        )


async def of_facilitator(storage: Storage, user_id: str) -> list[WorkshopInfo]:
    """The user's workshops, newest first."""
    query = (
        sa.select(workshops)
        .join(workshop_facilitators, workshop_facilitators.c.workshop_id == workshops.c.id)
        .where(workshop_facilitators.c.user_id == user_id)
        .order_by(workshops.c.created.desc())
    )
    async with storage.transaction() as conn:
        rows = (await conn.execute(query)).all()
    return [w for w in map(_row, rows) if w is not None]


async def set_closed(storage: Storage, workshop_id: int, closed: bool) -> None:
    async with storage.transaction() as conn:
        await conn.execute(
            workshops.update()
            .where(workshops.c.id == workshop_id)
            .values(closed=closed, revision=workshops.c.revision + 1)
        )


async def new_link(storage: Storage, workshop_id: int) -> None:
    """Revoke the projector page's link: the next one is signed over a new generation."""
    async with storage.transaction() as conn:
        await conn.execute(
            workshops.update()
            .where(workshops.c.id == workshop_id)
            .values(
                link_generation=workshops.c.link_generation + 1,
                revision=workshops.c.revision + 1,
            )
        )


async def set_results_message(
    storage: Storage, workshop_id: int, chat_id: int, message_id: int, lang: str, revision: int
) -> None:
    """The message now showing the live results, and the revision it shows."""
    async with storage.transaction() as conn:
        await conn.execute(
            workshops.update()
            .where(workshops.c.id == workshop_id)
            .values(
                results_chat=chat_id,
                results_message=message_id,
                results_lang=lang,
                results_revision=revision,
            )
        )


async def mark_shown(storage: Storage, workshop_id: int, revision: int) -> None:
    async with storage.transaction() as conn:
        await conn.execute(
            workshops.update()
            .where(workshops.c.id == workshop_id)
            .values(results_revision=revision)
        )


async def unshown(storage: Storage) -> list[int]:
    """Workshops whose results message is behind their answers (e.g. a refresh that a restart
    or a stopped replica did not get to)."""
    query = sa.select(workshops.c.id).where(
        workshops.c.results_message.is_not(None),
        workshops.c.revision > workshops.c.results_revision,
    )
    async with storage.transaction() as conn:
        return [row.id for row in (await conn.execute(query)).all()]


def _answers(row: Any) -> ParticipantAnswers:
    return ParticipantAnswers(
        step=row.step,
        challenges=tuple(json.loads(row.challenges)),
        support_kinds=tuple(json.loads(row.kinds)),
        support_sources=tuple(json.loads(row.sources)),
        support_from=row.support_from,
        lang=row.lang,
        updated=row.updated,
    )


async def answer_of(
    storage: Storage, workshop_id: int, participant: str
) -> ParticipantAnswers | None:
    async with storage.transaction() as conn:
        row = (
            await conn.execute(
                sa.select(workshop_answers).where(
                    workshop_answers.c.workshop_id == workshop_id,
                    workshop_answers.c.participant == participant,
                )
            )
        ).first()
    return _answers(row) if row is not None else None


async def save_answer(
    storage: Storage, workshop_id: int, participant: str, answers: ParticipantAnswers, now: float
) -> None:
    """Insert or replace the participant's answers (one row per participant and workshop)."""
    values = {
        "lang": answers.lang,
        "step": answers.step,
        "challenges": json.dumps(list(answers.challenges), ensure_ascii=False),
        "kinds": json.dumps(list(answers.support_kinds)),
        "sources": json.dumps(list(answers.support_sources)),
        "support_from": answers.support_from,
        "updated": now,
    }
    async with storage.transaction() as conn:
        await conn.execute(_bump(workshop_id))
        updated = await conn.execute(
            workshop_answers.update()
            .where(
                workshop_answers.c.workshop_id == workshop_id,
                workshop_answers.c.participant == participant,
            )
            .values(values)
        )
        if not updated.rowcount:
            await conn.execute(
                workshop_answers.insert().values(
                    workshop_id=workshop_id, participant=participant, **values
                )
            )


async def all_answers(storage: Storage, workshop_id: int) -> list[ParticipantAnswers]:
    async with storage.transaction() as conn:
        rows = (
            await conn.execute(
                sa.select(workshop_answers)
                .where(workshop_answers.c.workshop_id == workshop_id)
                .order_by(workshop_answers.c.id)
            )
        ).all()
    return [_answers(row) for row in rows]


async def wrong_code_attempts(storage: Storage, user_id: str, since: float) -> int:
    async with storage.transaction() as conn:
        return int(
            (
                await conn.execute(
                    sa.select(sa.func.count())
                    .select_from(join_attempts)
                    .where(join_attempts.c.user_id == user_id, join_attempts.c.at >= since)
                )
            ).scalar_one()
        )


async def record_wrong_code(storage: Storage, user_id: str, now: float) -> None:
    async with storage.transaction() as conn:
        await conn.execute(join_attempts.insert().values(user_id=user_id, at=now))
