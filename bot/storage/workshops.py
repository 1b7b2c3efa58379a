"""The workshop tables: workshops, their facilitators, participants' answers and the log of
wrong join codes (to limit guessing)."""

from __future__ import annotations

import json
import random
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from bot.storage.aio import AsyncConnection
from bot.storage.database import Storage
from bot.storage.notify import notify
from bot.storage.personal_data import Holding, delete_where, plain_row, rows_where
from bot.storage.schema import (
    join_attempts,
    workshop_answers,
    workshop_facilitators,
    workshop_moderation,
    workshops,
)
from flows.workshop.answers import ParticipantAnswers
from flows.workshop.codes import new_join_code
from flows.workshop.moderation import Decision
from flows.workshop.port import WorkshopInfo

if TYPE_CHECKING:
    from bot.web.access import PageLinks


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
        revision=row.revision,
        link_generation=row.link_generation,
        lang=row.results_lang,
        filter_on=bool(row.filter_on),
        revealed=bool(row.revealed),
    )


def _bump(workshop_id: Any) -> Any:
    """The statement that records a change of the workshop (its pages and message catch up)."""
    return (
        workshops.update()
        .where(workshops.c.id == workshop_id)
        .values(revision=workshops.c.revision + 1)
    )


async def _changed(conn: AsyncConnection, storage: Storage, statement: Any) -> None:
    """Run an update that counts up workshops' revisions; once it is committed, this process's
    pages hear of the rows as it left them (`bot.storage.changes`), and on PostgreSQL the
    other replicas' pages too (`bot.storage.notify`). Where the database cannot return the
    rows (SQLite before 3.35) the pages find the change at their next look."""
    if not conn.dialect.update_returning:
        await conn.execute(statement)
        return
    rows = (await conn.execute(statement.returning(*workshops.c))).all()
    changed = [w for w in map(_row, rows) if w is not None]
    if conn.dialect.name == "postgresql":
        await notify(conn, changed)
    changes = storage.workshop_changes
    conn.after_commit(lambda: changes.send(changed))


def _answers(row: Any) -> ParticipantAnswers:
    return ParticipantAnswers(
        step=row.step,
        challenges=tuple(json.loads(row.challenges)),
        support_kinds=tuple(json.loads(row.kinds)),
        support_sources=tuple(json.loads(row.sources)),
        support_from=row.support_from,
        lang=row.lang,
        updated=row.updated,
        key=row.id,
    )


@dataclass(frozen=True)
class ResultsMessage:
    """Where a workshop's live results are shown in a chat, and the revision shown there."""

    chat: int
    message: int
    lang: str
    revision: int  # the workshop's revision the message shows
    latest: int  # the workshop's revision now


class WorkshopStore:
    """The flows' `Workshops` port on the database, bound to one storage (an event's
    connection, or the engine for pages and jobs); also the live results message's place."""

    def __init__(self, storage: Storage, pages: PageLinks | None = None) -> None:
        self.storage = storage
        self.pages = pages  # links to the projector pages (None: no web server)

    async def page_link(self, workshop: WorkshopInfo) -> str | None:
        if self.pages is None:
            return None
        return await self.pages.workshop_page(workshop, self.storage)

    async def join_page(self, code: str, local: bool = False) -> str | None:
        return None if self.pages is None else self.pages.join_page(code, local)

    async def host_link(self, workshop: WorkshopInfo) -> str | None:
        if self.pages is None:
            return None
        return await self.pages.host_page(workshop, self.storage)

    async def results_message(self, workshop_id: int) -> ResultsMessage | None:
        query = sa.select(workshops).where(workshops.c.id == workshop_id)
        async with self.storage.transaction() as conn:
            row = (await conn.execute(query)).first()
        if row is None or row.results_chat is None or row.results_message is None:
            return None
        return ResultsMessage(
            row.results_chat,
            row.results_message,
            row.results_lang or "en",
            row.results_revision,
            row.revision,
        )

    async def create(
        self, owner: str, title: str, now: float, rng: random.Random | None = None
    ) -> WorkshopInfo:
        """A new open workshop with a fresh join code; its creator is its first facilitator."""
        rng = rng or secrets.SystemRandom()
        for _ in range(20):
            code = new_join_code(rng)
            # looked up first rather than caught: a failed insert would end the event's whole
            # transaction on PostgreSQL (two workshops drawing one code at once is left to the
            # unique constraint: 1 in 887 million)
            if await self.by_code(code) is not None:
                continue
            async with self.storage.transaction() as conn:
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
            found = await self.get(workshop_id)
            assert found is not None
            return found
        raise RuntimeError("could not find a free join code")

    async def _one(self, condition: Any) -> WorkshopInfo | None:
        async with self.storage.transaction() as conn:
            return _row((await conn.execute(sa.select(workshops).where(condition))).first())

    async def get(self, workshop_id: int) -> WorkshopInfo | None:
        return await self._one(workshops.c.id == workshop_id)

    async def by_code(self, code: str) -> WorkshopInfo | None:
        return await self._one(workshops.c.code == code)

    async def by_invite(self, invite: str) -> WorkshopInfo | None:
        return await self._one(workshops.c.invite == invite)

    async def is_facilitator(self, workshop_id: int, user_id: str) -> bool:
        async with self.storage.transaction() as conn:
            row = (
                await conn.execute(
                    sa.select(workshop_facilitators.c.user_id).where(
                        workshop_facilitators.c.workshop_id == workshop_id,
                        workshop_facilitators.c.user_id == user_id,
                    )
                )
            ).first()
        return row is not None

    async def add_facilitator(self, workshop_id: int, user_id: str) -> None:
        if await self.is_facilitator(workshop_id, user_id):
            return
        async with self.storage.transaction() as conn:
            await conn.execute(
                workshop_facilitators.insert().values(workshop_id=workshop_id, user_id=user_id)
            )

    async def of_facilitator(self, user_id: str) -> list[WorkshopInfo]:
        """The user's workshops, newest first."""
        query = (
            sa.select(workshops)
            .join(workshop_facilitators, workshop_facilitators.c.workshop_id == workshops.c.id)
            .where(workshop_facilitators.c.user_id == user_id)
            .order_by(workshops.c.created.desc())
        )
        async with self.storage.transaction() as conn:
            rows = (await conn.execute(query)).all()
        return [w for w in map(_row, rows) if w is not None]

    async def set_closed(self, workshop_id: int, closed: bool) -> None:
        await self._set(workshop_id, closed=closed)

    async def new_page_link(self, workshop_id: int) -> None:
        """Revoke the projector page's link: the next one is signed over a new generation."""
        await self._set(workshop_id, link_generation=workshops.c.link_generation + 1)

    async def _set(self, workshop_id: int, **values: Any) -> None:
        """Change the workshop's settings; its pages and results message catch up."""
        async with self.storage.transaction() as conn:
            await _changed(
                conn,
                self.storage,
                workshops.update()
                .where(workshops.c.id == workshop_id)
                .values(revision=workshops.c.revision + 1, **values),
            )

    async def set_filter(self, workshop_id: int, on: bool) -> None:
        await self._set(workshop_id, filter_on=on)

    async def set_revealed(self, workshop_id: int, revealed: bool) -> None:
        await self._set(workshop_id, revealed=revealed)

    async def decisions(self, workshop_id: int) -> dict[tuple[int, str], Decision]:
        query = sa.select(workshop_moderation).where(
            workshop_moderation.c.workshop_id == workshop_id
        )
        async with self.storage.transaction() as conn:
            rows = (await conn.execute(query)).all()
        return {(row.answer_id, row.ref): row.decision for row in rows}

    async def decide(
        self, workshop_id: int, answer: int, ref: str, decision: Decision, now: float
    ) -> bool:
        """Hide a text or let it through (replacing an earlier decision); False when the
        answer is not the workshop's (a forged or stale button)."""
        async with self.storage.transaction() as conn:
            owner = (
                await conn.execute(
                    sa.select(workshop_answers.c.workshop_id).where(workshop_answers.c.id == answer)
                )
            ).scalar()
            if owner != workshop_id:
                return False
            await _changed(conn, self.storage, _bump(workshop_id))
            key = (workshop_moderation.c.answer_id == answer) & (workshop_moderation.c.ref == ref)
            updated = await conn.execute(
                workshop_moderation.update().where(key).values(decision=decision, decided=now)
            )
            if not updated.rowcount:
                await conn.execute(
                    workshop_moderation.insert().values(
                        answer_id=answer,
                        ref=ref,
                        workshop_id=workshop_id,
                        decision=decision,
                        decided=now,
                    )
                )
        return True

    async def set_results_message(
        self, workshop_id: int, chat_id: int, message_id: int, lang: str, revision: int
    ) -> None:
        """The message now showing the live results, and the revision it shows."""
        async with self.storage.transaction() as conn:
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

    async def mark_shown(self, workshop_id: int, revision: int) -> None:
        async with self.storage.transaction() as conn:
            await conn.execute(
                workshops.update()
                .where(workshops.c.id == workshop_id)
                .values(results_revision=revision)
            )

    async def unshown(self) -> list[int]:
        """Workshops whose results message is behind their answers (e.g. a refresh that a restart
        or a stopped replica did not get to)."""
        query = sa.select(workshops.c.id).where(
            workshops.c.results_message.is_not(None),
            workshops.c.revision > workshops.c.results_revision,
        )
        async with self.storage.transaction() as conn:
            return [row.id for row in (await conn.execute(query)).all()]

    async def answer_of(self, workshop_id: int, participant: str) -> ParticipantAnswers | None:
        async with self.storage.transaction() as conn:
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
        self, workshop_id: int, participant: str, answers: ParticipantAnswers, now: float
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
        async with self.storage.transaction() as conn:
            await _changed(conn, self.storage, _bump(workshop_id))
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

    async def answers(self, workshop_id: int) -> list[ParticipantAnswers]:
        async with self.storage.transaction() as conn:
            rows = (
                await conn.execute(
                    sa.select(workshop_answers)
                    .where(workshop_answers.c.workshop_id == workshop_id)
                    .order_by(workshop_answers.c.id)
                )
            ).all()
        return [_answers(row) for row in rows]

    async def wrong_codes_since(self, user_id: str, since: float) -> int:
        async with self.storage.transaction() as conn:
            return int(
                (
                    await conn.execute(
                        sa.select(sa.func.count())
                        .select_from(join_attempts)
                        .where(join_attempts.c.user_id == user_id, join_attempts.c.at >= since)
                    )
                ).scalar_one()
            )

    async def record_wrong_code(self, user_id: str, now: float) -> None:
        async with self.storage.transaction() as conn:
            await conn.execute(join_attempts.insert().values(user_id=user_id, at=now))


async def _anonymise_answers(conn: AsyncConnection, user_id: str) -> int:
    """A participant's free text goes; their coded choices stay, unlinked, in the totals. The
    workshops that showed their words catch up (pages, results messages)."""
    await conn.execute(
        workshops.update()
        .where(
            workshops.c.id.in_(
                sa.select(workshop_answers.c.workshop_id).where(
                    workshop_answers.c.participant == user_id
                )
            )
        )
        .values(revision=workshops.c.revision + 1)
    )
    # the decisions on their texts go with the texts
    await conn.execute(
        workshop_moderation.delete().where(
            workshop_moderation.c.answer_id.in_(
                sa.select(workshop_answers.c.id).where(workshop_answers.c.participant == user_id)
            )
        )
    )
    result = await conn.execute(
        workshop_answers.update()
        .where(workshop_answers.c.participant == user_id)
        .values(
            participant=sa.literal("anon:", sa.String) + sa.cast(workshop_answers.c.id, sa.String),
            challenges="[]",
            support_from="",
        )
    )
    return int(result.rowcount)


async def _export_answers(conn: AsyncConnection, user_id: str) -> list[dict[str, Any]]:
    """The user's answers, each with the title of the workshop it was given in."""
    query = (
        sa.select(workshop_answers, workshops.c.title.label("workshop_title"))
        .join(workshops, workshops.c.id == workshop_answers.c.workshop_id)
        .where(workshop_answers.c.participant == user_id)
        .order_by(workshop_answers.c.id)
    )
    return [plain_row(row) for row in (await conn.execute(query)).all()]


def chat_of(user_id: str) -> int | None:
    """The private chat a Telegram user's messages go to (its id is the user's own)."""
    prefix, _, number = user_id.partition(":")
    return int(number) if prefix == "tg" and number.isdigit() else None


async def _hand_on(conn: AsyncConnection, user_id: str) -> int:
    """The workshops the user owns leave them: each passes to a remaining co-facilitator, or,
    with none, keeps its results under a random `gone:` owner, closed, that no account can open
    (their facilitator rows go next, in the holding below); a results message in their own chat
    is no longer kept up to date. Counts nothing: every owner is also a facilitator, and the
    facilitator rows below count the workshops they leave."""
    owned = (
        (await conn.execute(sa.select(workshops.c.id).where(workshops.c.owner == user_id)))
        .scalars()
        .all()
    )
    for workshop_id in owned:
        heir = (
            await conn.execute(
                sa.select(workshop_facilitators.c.user_id)
                .where(
                    workshop_facilitators.c.workshop_id == workshop_id,
                    workshop_facilitators.c.user_id != user_id,
                )
                .order_by(workshop_facilitators.c.user_id)
                .limit(1)
            )
        ).scalar()
        values: dict[str, Any] = (
            {"owner": heir} if heir is not None else {"owner": gone_id(), "closed": True}
        )
        await conn.execute(
            workshops.update()
            .where(workshops.c.id == workshop_id)
            .values(revision=workshops.c.revision + 1, **values)
        )
    chat = chat_of(user_id)
    if chat is not None:
        await conn.execute(
            workshops.update()
            .where(workshops.c.results_chat == chat)
            .values(results_chat=None, results_message=None, results_lang=None)
        )
    return 0


def gone_id() -> str:
    """An owner that is nobody: random, so that erased owners cannot be told apart or found."""
    return "gone:" + secrets.token_hex(8)


PERSONAL_DATA = (
    Holding(
        "workshop_answers",
        workshop_answers,
        ("participant",),
        _anonymise_answers,
        _export_answers,
    ),
    Holding(
        "join_attempts",
        join_attempts,
        ("user_id",),
        delete_where(join_attempts, "user_id"),
        rows_where(join_attempts, "user_id"),
    ),
    # owned workshops handed on first (to a co-facilitator still in the table below)
    Holding(
        "workshops_run",
        workshops,
        ("owner", "results_chat"),
        _hand_on,
        rows_where(workshops, "owner"),
    ),
    Holding(
        "workshops_run",
        workshop_facilitators,
        ("user_id",),
        delete_where(workshop_facilitators, "user_id"),
        rows_where(workshop_facilitators, "user_id"),
    ),
)
