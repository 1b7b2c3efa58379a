"""The flows' `Store` on the database, for one event of one user.

A reminder row refers to the user's row, so that is written first when the user has none yet
(a new user whose first act is to ask for a reminder).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.storage import regional, reminders, teams, workshops
from bot.storage.database import Storage, UserRecord
from flows.ports import (
    AssessmentInfo,
    ConsentInfo,
    ReminderInfo,
    SharedCluster,
    TeamAnswer,
    TeamInfo,
    TeamMember,
    WorkshopInfo,
)
from flows.workshop.answers import ParticipantAnswers

if TYPE_CHECKING:
    from bot.web.access import PageLinks


class DatabaseStore:
    def __init__(self, storage: Storage, user: UserRecord, pages: PageLinks | None = None) -> None:
        self.storage = storage
        self.user = user
        self.pages = pages

    async def _ensure_user(self) -> None:
        """The user's row, for rows that refer to it (a reminder, a consent); an adapter that
        did not load the record may not know it is there already."""
        if not self.user.exists:
            if (await self.storage.load(self.user.id)).exists:
                self.user.exists = True
            else:
                await self.storage.save(self.user)

    # --- workshops --------------------------------------------------------------------------

    async def create_workshop(self, owner: str, title: str, now: float) -> WorkshopInfo:
        return await workshops.create(self.storage, owner, title, now)

    async def workshop(self, workshop_id: int) -> WorkshopInfo | None:
        return await workshops.by_id(self.storage, workshop_id)

    async def workshop_by_code(self, code: str) -> WorkshopInfo | None:
        return await workshops.by_code(self.storage, code)

    async def workshop_by_invite(self, invite: str) -> WorkshopInfo | None:
        return await workshops.by_invite(self.storage, invite)

    async def workshops_of(self, user_id: str) -> list[WorkshopInfo]:
        return await workshops.of_facilitator(self.storage, user_id)

    async def is_facilitator(self, workshop_id: int, user_id: str) -> bool:
        return await workshops.is_facilitator(self.storage, workshop_id, user_id)

    async def add_facilitator(self, workshop_id: int, user_id: str) -> None:
        await workshops.add_facilitator(self.storage, workshop_id, user_id)

    async def set_closed(self, workshop_id: int, closed: bool) -> None:
        await workshops.set_closed(self.storage, workshop_id, closed)

    async def new_page_link(self, workshop_id: int) -> None:
        await workshops.new_link(self.storage, workshop_id)

    async def page_link(self, workshop: WorkshopInfo) -> str | None:
        if self.pages is None:
            return None
        return await self.pages.workshop_page(workshop, self.storage)

    async def answers(self, workshop_id: int) -> list[ParticipantAnswers]:
        return await workshops.all_answers(self.storage, workshop_id)

    async def answer_of(self, workshop_id: int, user_id: str) -> ParticipantAnswers | None:
        return await workshops.answer_of(self.storage, workshop_id, user_id)

    async def save_answer(
        self, workshop_id: int, user_id: str, answers: ParticipantAnswers, now: float
    ) -> None:
        await workshops.save_answer(self.storage, workshop_id, user_id, answers, now)

    async def wrong_codes_since(self, user_id: str, since: float) -> int:
        return await workshops.wrong_code_attempts(self.storage, user_id, since)

    async def record_wrong_code(self, user_id: str, now: float) -> None:
        await workshops.record_wrong_code(self.storage, user_id, now)

    # --- reminders --------------------------------------------------------------------------

    async def reminder(self, user_id: str) -> ReminderInfo | None:
        row = await reminders.active(self.storage, user_id)
        return (
            None
            if row is None
            else ReminderInfo(row.state == reminders.PAUSED, row.interval_days, row.due)
        )

    async def schedule_reminder(
        self, user_id: str, chat_id: int, days: int, now: float, zone: str
    ) -> float:
        await self._ensure_user()
        return await reminders.schedule(self.storage, user_id, chat_id, days, now, zone)

    async def pause_reminder(self, user_id: str) -> bool:
        return await reminders.pause(self.storage, user_id)

    async def resume_reminder(self, user_id: str, now: float, zone: str) -> float | None:
        return await reminders.resume(self.storage, user_id, now, zone)

    async def stop_reminder(self, user_id: str) -> bool:
        return await reminders.stop(self.storage, user_id)

    async def snooze_reminder(self, user_id: str, now: float, zone: str) -> float | None:
        return await reminders.snooze(self.storage, user_id, now, zone_name=zone)

    async def move_reminder(
        self, user_id: str, old_zone: str, new_zone: str, now: float
    ) -> float | None:
        return await reminders.move_to_zone(self.storage, user_id, old_zone, new_zone, now)

    # --- teams ------------------------------------------------------------------------------

    async def create_team(self, owner: str, cluster: str, now: float) -> TeamInfo:
        return await teams.create(self.storage, owner, cluster, now)

    async def team(self, team_id: int) -> TeamInfo | None:
        return await teams.by_id(self.storage, team_id)

    async def team_by_invite(self, invite: str) -> TeamInfo | None:
        return await teams.by_invite(self.storage, invite)

    async def teams_of(self, user_id: str) -> list[TeamInfo]:
        return await teams.of_member(self.storage, user_id)

    async def team_members(self, team_id: int) -> list[TeamMember]:
        return await teams.members(self.storage, team_id)

    async def join_team(self, team_id: int, user_id: str, now: float) -> None:
        await teams.join(self.storage, team_id, user_id, now)

    async def remove_team_member(self, team_id: int, user_id: str) -> bool:
        return await teams.remove(self.storage, team_id, user_id)

    async def set_team_owner(self, team_id: int, user_id: str) -> None:
        await teams.set_owner(self.storage, team_id, user_id)

    async def set_team_closed(self, team_id: int, closed: bool) -> None:
        await teams.set_closed(self.storage, team_id, closed)

    async def set_members_see_team(self, team_id: int, allowed: bool) -> None:
        await teams.set_members_see(self.storage, team_id, allowed)

    async def team_answers(self, team_id: int) -> list[TeamAnswer]:
        return await teams.answers(self.storage, team_id)

    # --- completed assessments --------------------------------------------------------------

    async def assessments(self, user_id: str) -> list[AssessmentInfo]:
        return [
            AssessmentInfo(
                row["id"],
                row["mode"],
                row["completed"],
                {qid: value[0] for qid, value in row["answers"].items()},
                tuple(row["percents"]),
                row["position"],
            )
            for row in await self.storage.assessments_of(user_id)
        ]

    # --- the user's data --------------------------------------------------------------------

    async def erase_user(self, user_id: str) -> dict[str, int]:
        return await self.storage.delete_user(user_id)

    # --- the regional picture ---------------------------------------------------------------

    async def consent(self, user_id: str) -> ConsentInfo | None:
        return await regional.consent_of(self.storage, user_id)

    async def give_consent(self, user_id: str, region: str, field: str, now: float) -> None:
        await self._ensure_user()
        await regional.give(self.storage, user_id, region, field, now)

    async def withdraw_consent(self, user_id: str) -> bool:
        return await regional.withdraw(self.storage, user_id)

    async def shared_clusters(self, exclude: str) -> list[SharedCluster]:
        return await regional.shared_clusters(self.storage, exclude=exclude, latest_only=True)
