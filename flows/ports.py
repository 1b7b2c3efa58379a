"""What the flows ask of the world, as interfaces the adapters implement.

The flows do no I/O of their own. A flow that must look something up or keep it (a workshop, a
reminder, the erasure of a user) calls the `Store` it is handed; the bot implements it on the
database (`bot/storage/`). What the user's channel can do is `flows.channel.Channel`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from flows.workshop.answers import ParticipantAnswers


@dataclass(frozen=True)
class WorkshopInfo:
    """A workshop as the flows see it; `results_*` locate the facilitator's live results."""

    id: int
    code: str
    invite: str
    title: str
    owner: str
    closed: bool
    results_chat: int | None = None
    results_message: int | None = None
    results_lang: str | None = None
    revision: int = 1  # counted up by every change of the workshop or its answers
    results_revision: int = 0  # the revision the results message shows
    link_generation: int = 1  # of the projector page's link (a new link revokes the old)


@dataclass(frozen=True)
class ReminderInfo:
    """A user's active reminder: paused, or waiting to go out at `due` (unix seconds)."""

    paused: bool
    interval_days: int
    due: float


@dataclass(frozen=True)
class AssessmentInfo:
    """A completed assessment, as stored: its answers (question id → answer id) and scores."""

    id: int
    mode: str
    completed: float
    answers: dict[str, str]
    percents: tuple[int | None, ...]
    position: int | None


@dataclass(frozen=True)
class ConsentInfo:
    """A user's consent to share their results for the regional picture."""

    region: str  # a code of flows.regional.places
    field: str
    consented: float


@dataclass(frozen=True)
class SharedAssessment:
    """One completed assessment of a consenting cluster, without who made it."""

    answers: dict[str, str]
    percents: tuple[int | None, ...]
    position: int | None
    completed: float


@dataclass(frozen=True)
class SharedCluster:
    """A consenting cluster's own assessments, oldest first (never a team's, never a name)."""

    region: str
    field: str
    assessments: tuple[SharedAssessment, ...]


@dataclass(frozen=True)
class TeamInfo:
    """A cluster's team: colleagues who answer the checks for one cluster; `owner` manages it."""

    id: int
    invite: str
    owner: str
    cluster: str
    members_see_team: bool
    closed: bool
    created: float


@dataclass(frozen=True)
class TeamMember:
    user_id: str
    joined: float  # unix seconds; the longest-standing member comes first


@dataclass(frozen=True)
class TeamAnswer:
    """A member's latest assessment made for the team: answers are codes (question id →
    answer id), the same in every language."""

    user_id: str
    answers: dict[str, str]
    mode: str
    completed: float


class Store(Protocol):
    """The stored things a conversation reads and changes beyond its own record."""

    # workshops
    async def create_workshop(self, owner: str, title: str, now: float) -> WorkshopInfo: ...
    async def workshop(self, workshop_id: int) -> WorkshopInfo | None: ...
    async def workshop_by_code(self, code: str) -> WorkshopInfo | None: ...
    async def workshop_by_invite(self, invite: str) -> WorkshopInfo | None: ...
    async def workshops_of(self, user_id: str) -> list[WorkshopInfo]: ...
    async def is_facilitator(self, workshop_id: int, user_id: str) -> bool: ...
    async def add_facilitator(self, workshop_id: int, user_id: str) -> None: ...
    async def set_closed(self, workshop_id: int, closed: bool) -> None: ...
    async def new_page_link(self, workshop_id: int) -> None: ...
    async def page_link(self, workshop: WorkshopInfo) -> str | None:
        """The projector page's link; None where no web server is configured."""
        ...

    async def answers(self, workshop_id: int) -> list[ParticipantAnswers]: ...
    async def answer_of(self, workshop_id: int, user_id: str) -> ParticipantAnswers | None: ...
    async def save_answer(
        self, workshop_id: int, user_id: str, answers: ParticipantAnswers, now: float
    ) -> None: ...
    async def wrong_codes_since(self, user_id: str, since: float) -> int: ...
    async def record_wrong_code(self, user_id: str, now: float) -> None: ...

    # reminders (times are unix seconds; `zone` is the user's time zone)
    async def reminder(self, user_id: str) -> ReminderInfo | None: ...
    async def schedule_reminder(
        self, user_id: str, chat_id: int, days: int, now: float, zone: str
    ) -> float: ...
    async def pause_reminder(self, user_id: str) -> bool: ...
    async def resume_reminder(self, user_id: str, now: float, zone: str) -> float | None: ...
    async def stop_reminder(self, user_id: str) -> bool: ...
    async def snooze_reminder(self, user_id: str, now: float, zone: str) -> float | None: ...
    async def move_reminder(
        self, user_id: str, old_zone: str, new_zone: str, now: float
    ) -> float | None: ...

    # teams (a member's answers count while they are a member and the team is open)
    async def create_team(self, owner: str, cluster: str, now: float) -> TeamInfo: ...
    async def team(self, team_id: int) -> TeamInfo | None: ...
    async def team_by_invite(self, invite: str) -> TeamInfo | None: ...
    async def teams_of(self, user_id: str) -> list[TeamInfo]:
        """The teams the user belongs to (owned ones too), the latest joined first."""
        ...

    async def team_members(self, team_id: int) -> list[TeamMember]: ...
    async def join_team(self, team_id: int, user_id: str, now: float) -> None: ...
    async def remove_team_member(self, team_id: int, user_id: str) -> bool: ...
    async def set_team_owner(self, team_id: int, user_id: str) -> None: ...
    async def set_team_closed(self, team_id: int, closed: bool) -> None: ...
    async def set_members_see_team(self, team_id: int, allowed: bool) -> None: ...
    async def team_answers(self, team_id: int) -> list[TeamAnswer]:
        """Each current member's latest assessment made for the team, oldest first."""
        ...

    # completed assessments, oldest first
    async def assessments(self, user_id: str) -> list[AssessmentInfo]: ...

    # the user's data
    async def erase_user(self, user_id: str) -> dict[str, int]: ...

    # the regional picture
    async def consent(self, user_id: str) -> ConsentInfo | None: ...
    async def give_consent(self, user_id: str, region: str, field: str, now: float) -> None: ...
    async def withdraw_consent(self, user_id: str) -> bool: ...
    async def shared_clusters(self, exclude: str) -> list[SharedCluster]:
        """Every consenting cluster but `exclude` (the asking user), with its latest
        assessment only, for the peers line."""
        ...
