"""Every port of the flows in memory: plain dicts and lists instead of the database, for the
flow tests (`tests.helpers.Engine`) and anything else that runs the flows without SQLite.

Each class behaves, as far as the flows can tell, like its database twin in `bot/storage/`:
the same orders, revisions, join codes, due times and erasure counts. `tests/test_ports.py`
runs the same scenarios against both and keeps them so. `Memory` holds the tables; its `save`
is the EventRunner's save (the conversation record's row, and a completed assessment with it).
"""

from __future__ import annotations

import dataclasses
import random
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any

from bot.web.access import join_page_url
from flows.events import AssessmentCompleted as Completed
from flows.journey.port import AssessmentInfo
from flows.ports import Stores
from flows.regional.port import ConsentInfo, SharedAssessment, SharedCluster, StepPeers
from flows.reminders.port import ReminderInfo
from flows.reminders.timing import next_send_time, zone
from flows.team.port import TeamAnswer, TeamInfo, TeamMember
from flows.workshop.answers import ParticipantAnswers
from flows.workshop.codes import new_join_code
from flows.workshop.port import WorkshopInfo

SCHEDULED, PAUSED, STOPPED = "scheduled", "paused", "stopped"


@dataclass
class _Assessment:
    id: int
    user_id: str
    completed: Completed


@dataclass
class _Workshop:
    info: WorkshopInfo
    created: float
    facilitators: list[str]


@dataclass
class _Answer:
    id: int
    workshop_id: int
    participant: str
    answers: ParticipantAnswers


@dataclass
class _Team:
    info: TeamInfo
    members: dict[str, float]  # user → joined


@dataclass
class _Reminder:
    target: int
    interval_days: int
    due: float
    state: str


@dataclass
class Memory:
    """The tables, in memory: one per world (an Engine's, a test's)."""

    default_timezone: str = "Europe/Stockholm"
    users: set[str] = field(default_factory=set)  # who has a saved conversation record
    assessments: list[_Assessment] = field(default_factory=list)
    workshops: dict[int, _Workshop] = field(default_factory=dict)
    workshop_answers: list[_Answer] = field(default_factory=list)
    join_attempts: list[tuple[str, float]] = field(default_factory=list)
    moderation: dict[tuple[int, str], tuple[int, str]] = field(default_factory=dict)
    teams: dict[int, _Team] = field(default_factory=dict)
    reminders: dict[str, _Reminder] = field(default_factory=dict)
    consents: dict[str, ConsentInfo] = field(default_factory=dict)
    web: str | None = None  # the web server's base URL (None: no web server)
    web_local: bool = False  # that URL is only this machine's own (no public URL set)
    _ids: dict[str, int] = field(default_factory=dict)

    def next_id(self, table: str) -> int:
        self._ids[table] = self._ids.get(table, 0) + 1
        return self._ids[table]

    async def save(self, user_id: str, completed: Completed | None = None) -> None:
        """The event's save (`Storage.save`): the user's record, and a completed assessment."""
        self.users.add(user_id)
        if completed is not None:
            self.assessments.append(_Assessment(self.next_id("assessments"), user_id, completed))

    def bump(self, workshop_id: int, **changes: Any) -> None:
        """Record a change of the workshop (its revision counts up), with `changes`."""
        found = self.workshops.get(workshop_id)
        if found is not None:
            revision = found.info.revision + 1
            found.info = dataclasses.replace(found.info, revision=revision, **changes)

    def own_assessments(self, user_id: str) -> list[_Assessment]:
        """The user's assessments, oldest first (ties in the order they were saved)."""
        mine = [a for a in self.assessments if a.user_id == user_id]
        return sorted(mine, key=lambda a: a.completed.completed)


def _codes(answers: dict[str, list[object]]) -> dict[str, str]:
    return {qid: str(value[0]) for qid, value in answers.items()}


class MemoryJourney:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    async def assessments(self, user_id: str) -> list[AssessmentInfo]:
        return [
            AssessmentInfo(
                a.id,
                a.completed.mode,
                a.completed.completed,
                _codes(a.completed.answers),
                tuple(a.completed.percents),
                a.completed.position,
            )
            for a in self.memory.own_assessments(user_id)
        ]


class MemoryWorkshops:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    async def create(
        self, owner: str, title: str, now: float, rng: random.Random | None = None
    ) -> WorkshopInfo:
        """A new open workshop with a join code no other workshop has; its creator is its
        first facilitator."""
        draw = rng or secrets.SystemRandom()
        taken = {w.info.code for w in self.memory.workshops.values()}
        drawn = (new_join_code(draw) for _ in range(20))
        code = next((c for c in drawn if c not in taken), None)
        if code is None:
            raise RuntimeError("could not find a free join code")
        workshop_id = self.memory.next_id("workshops")
        info = WorkshopInfo(workshop_id, code, secrets.token_hex(6), title, owner, False)
        self.memory.workshops[workshop_id] = _Workshop(info, now, [owner])
        return info

    async def get(self, workshop_id: int) -> WorkshopInfo | None:
        found = self.memory.workshops.get(workshop_id)
        return found.info if found is not None else None

    async def by_code(self, code: str) -> WorkshopInfo | None:
        return next((w.info for w in self.memory.workshops.values() if w.info.code == code), None)

    async def by_invite(self, invite: str) -> WorkshopInfo | None:
        found = (w.info for w in self.memory.workshops.values() if w.info.invite == invite)
        return next(found, None)

    async def of_facilitator(self, user_id: str) -> list[WorkshopInfo]:
        """The user's workshops, newest first."""
        mine = [w for w in self.memory.workshops.values() if user_id in w.facilitators]
        mine.sort(key=lambda w: (w.created, w.info.id), reverse=True)
        return [w.info for w in mine]

    async def is_facilitator(self, workshop_id: int, user_id: str) -> bool:
        found = self.memory.workshops.get(workshop_id)
        return found is not None and user_id in found.facilitators

    async def add_facilitator(self, workshop_id: int, user_id: str) -> None:
        found = self.memory.workshops.get(workshop_id)
        if found is not None and user_id not in found.facilitators:
            found.facilitators.append(user_id)

    async def set_closed(self, workshop_id: int, closed: bool) -> None:
        self.memory.bump(workshop_id, closed=closed)

    async def new_page_link(self, workshop_id: int) -> None:
        found = self.memory.workshops.get(workshop_id)
        if found is not None:
            self.memory.bump(workshop_id, link_generation=found.info.link_generation + 1)

    async def page_link(self, workshop: WorkshopInfo) -> str | None:
        return None  # the projector page's signed links are the database's to make

    async def join_page(self, code: str, local: bool = False) -> str | None:
        if self.memory.web is None or (self.memory.web_local and not local):
            return None
        return join_page_url(self.memory.web, code)

    def _row(self, workshop_id: int, participant: str) -> _Answer | None:
        rows = self.memory.workshop_answers
        found = (a for a in rows if a.workshop_id == workshop_id and a.participant == participant)
        return next(found, None)

    async def answers(self, workshop_id: int) -> list[ParticipantAnswers]:
        rows = self.memory.workshop_answers
        return [
            dataclasses.replace(a.answers, key=a.id) for a in rows if a.workshop_id == workshop_id
        ]

    async def host_link(self, workshop: WorkshopInfo) -> str | None:
        return None  # signed, like the projector page's link

    async def decisions(self, workshop_id: int) -> dict[tuple[int, str], Any]:
        found = self.memory.moderation.items()
        return {key: decision for key, (owner, decision) in found if owner == workshop_id}

    async def decide(
        self, workshop_id: int, answer: int, ref: str, decision: Any, now: float
    ) -> bool:
        rows = self.memory.workshop_answers
        if not any(a.id == answer and a.workshop_id == workshop_id for a in rows):
            return False
        self.memory.bump(workshop_id)
        self.memory.moderation[(answer, ref)] = (workshop_id, decision)
        return True

    async def set_filter(self, workshop_id: int, on: bool) -> None:
        self.memory.bump(workshop_id, filter_on=on)

    async def set_revealed(self, workshop_id: int, revealed: bool) -> None:
        self.memory.bump(workshop_id, revealed=revealed)

    async def answer_of(self, workshop_id: int, user_id: str) -> ParticipantAnswers | None:
        row = self._row(workshop_id, user_id)
        return row.answers if row is not None else None

    async def save_answer(
        self, workshop_id: int, user_id: str, answers: ParticipantAnswers, now: float
    ) -> None:
        """Insert or replace the participant's answers (their place in the order stays)."""
        stored = dataclasses.replace(
            answers,
            challenges=tuple(answers.challenges),
            support_kinds=tuple(answers.support_kinds),
            support_sources=tuple(answers.support_sources),
            updated=now,
        )
        self.memory.bump(workshop_id)
        row = self._row(workshop_id, user_id)
        if row is not None:
            row.answers = stored
        else:
            answer_id = self.memory.next_id("workshop_answers")
            self.memory.workshop_answers.append(_Answer(answer_id, workshop_id, user_id, stored))

    async def wrong_codes_since(self, user_id: str, since: float) -> int:
        return sum(1 for who, at in self.memory.join_attempts if who == user_id and at >= since)

    async def record_wrong_code(self, user_id: str, now: float) -> None:
        self.memory.join_attempts.append((user_id, now))


class MemoryTeams:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def _set(self, team_id: int, **changes: Any) -> None:
        found = self.memory.teams.get(team_id)
        if found is not None:
            found.info = dataclasses.replace(found.info, **changes)

    async def create(self, owner: str, cluster: str, now: float) -> TeamInfo:
        """A new open team; its creator owns it and is its first member."""
        team_id = self.memory.next_id("teams")
        info = TeamInfo(team_id, secrets.token_hex(6), owner, cluster, False, False, now)
        self.memory.teams[team_id] = _Team(info, {owner: now})
        return info

    async def get(self, team_id: int) -> TeamInfo | None:
        found = self.memory.teams.get(team_id)
        return found.info if found is not None else None

    async def by_invite(self, invite: str) -> TeamInfo | None:
        return next((t.info for t in self.memory.teams.values() if t.info.invite == invite), None)

    async def of_member(self, user_id: str) -> list[TeamInfo]:
        """The teams the user belongs to, the latest joined first."""
        mine = [t for t in self.memory.teams.values() if user_id in t.members]
        mine.sort(key=lambda t: (t.members[user_id], t.info.id), reverse=True)
        return [t.info for t in mine]

    async def members(self, team_id: int) -> list[TeamMember]:
        found = self.memory.teams.get(team_id)
        if found is None:
            return []
        ordered = sorted(found.members.items(), key=lambda item: (item[1], item[0]))
        return [TeamMember(user_id, joined) for user_id, joined in ordered]

    async def join(self, team_id: int, user_id: str, now: float) -> None:
        """Add a member (a member already is one: their joining date stays)."""
        found = self.memory.teams.get(team_id)
        if found is not None:
            found.members.setdefault(user_id, now)

    async def remove(self, team_id: int, user_id: str) -> bool:
        found = self.memory.teams.get(team_id)
        return found is not None and found.members.pop(user_id, None) is not None

    async def set_owner(self, team_id: int, user_id: str) -> None:
        self._set(team_id, owner=user_id)

    async def set_closed(self, team_id: int, closed: bool) -> None:
        self._set(team_id, closed=closed)

    async def set_members_see(self, team_id: int, allowed: bool) -> None:
        self._set(team_id, members_see_team=allowed)

    async def answers(self, team_id: int) -> list[TeamAnswer]:
        """Each current member's latest assessment made for the team, oldest first."""
        found = self.memory.teams.get(team_id)
        members = found.members if found is not None else {}
        made = [
            a
            for a in self.memory.assessments
            if a.completed.team == team_id and a.user_id in members
        ]
        latest: dict[str, TeamAnswer] = {}
        for a in sorted(made, key=lambda a: (a.completed.completed, a.id)):
            latest.pop(a.user_id, None)  # the latest goes last, in order of completion
            given = _codes(a.completed.answers)
            latest[a.user_id] = TeamAnswer(
                a.user_id, given, a.completed.mode, a.completed.completed
            )
        return list(latest.values())


class MemoryReminders:
    """One reminder per user; due times as `bot.storage.reminders` computes them."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def _next(self, now: float, days: int, zone_name: str) -> float:
        when = datetime.fromtimestamp(now, UTC)
        return next_send_time(when, days, zone(zone_name, self.memory.default_timezone)).timestamp()

    def _active(self, user_id: str, *states: str) -> _Reminder | None:
        found = self.memory.reminders.get(user_id)
        return found if found is not None and found.state in states else None

    async def get(self, user_id: str) -> ReminderInfo | None:
        found = self._active(user_id, SCHEDULED, PAUSED)
        if found is None:
            return None
        return ReminderInfo(found.state == PAUSED, found.interval_days, found.due)

    async def schedule(
        self, user_id: str, target: int, days: int, now: float, zone_name: str
    ) -> float:
        if days < 1:
            raise ValueError("days must be at least 1")
        self.memory.users.add(user_id)  # the database writes the user's row first
        due = self._next(now, days, zone_name)
        self.memory.reminders[user_id] = _Reminder(target, days, due, SCHEDULED)
        return due

    async def pause(self, user_id: str) -> bool:
        found = self._active(user_id, SCHEDULED)
        if found is not None:
            found.state = PAUSED
        return found is not None

    async def resume(self, user_id: str, now: float, zone_name: str) -> float | None:
        """At the old due time if that is still ahead, otherwise one interval from now."""
        found = self._active(user_id, PAUSED)
        if found is None:
            return None
        if found.due <= now:
            found.due = self._next(now, found.interval_days, zone_name)
        found.state = SCHEDULED
        return found.due

    async def stop(self, user_id: str) -> bool:
        found = self._active(user_id, SCHEDULED, PAUSED)
        if found is not None:
            found.state = STOPPED
        return found is not None

    async def snooze(self, user_id: str, now: float, zone_name: str) -> float | None:
        """A week from now (then every interval as before); resumes a paused one too."""
        found = self._active(user_id, SCHEDULED, PAUSED)
        if found is None:
            return None
        found.due, found.state = self._next(now, 7, zone_name), SCHEDULED
        return found.due

    async def move_to_zone(
        self, user_id: str, old_zone: str, new_zone: str, now: float
    ) -> float | None:
        """The day the user was told, at 09:30 in the new zone (or the next slot after now)."""
        found = self._active(user_id, SCHEDULED, PAUSED)
        if found is None:
            return None
        told = datetime.fromtimestamp(found.due, UTC).astimezone(zone(old_zone)).date()
        target = zone(new_zone)
        start_of_day = datetime.combine(told, time(0, 0), tzinfo=target)
        after = max(start_of_day, datetime.fromtimestamp(now, UTC))
        found.due = next_send_time(after, 0, target).timestamp()
        return found.due


class MemoryRegional:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    async def consent(self, user_id: str) -> ConsentInfo | None:
        return self.memory.consents.get(user_id)

    async def give(self, user_id: str, region: str, field: str, now: float) -> None:
        self.memory.users.add(user_id)  # the database writes the user's row first
        self.memory.consents[user_id] = ConsentInfo(region, field, now)

    async def withdraw(self, user_id: str) -> bool:
        return self.memory.consents.pop(user_id, None) is not None

    async def step_peers(self, exclude: str, position: int) -> StepPeers:
        return StepPeers.of(await self.peers(exclude, position), position)

    async def peers(self, exclude: str, position: int | None = None) -> list[SharedCluster]:
        """Every consenting cluster but the asker's, with its latest own (not a team's)
        assessment."""
        clusters = []
        for user_id, consent in self.memory.consents.items():
            own = [a for a in self.memory.own_assessments(user_id) if a.completed.team is None]
            if user_id == exclude or not own:
                continue
            latest = [a for a in own if a.completed.completed == own[-1].completed.completed]
            shared = tuple(
                SharedAssessment(
                    _codes(a.completed.answers),
                    tuple(a.completed.percents),
                    a.completed.position,
                    a.completed.completed,
                )
                for a in latest
            )
            if position is not None and shared[-1].position != position:
                continue
            clusters.append(SharedCluster(consent.region, consent.field, shared))
        # the order of the clusters says nothing about who they are
        return sorted(clusters, key=lambda c: (c.region, c.field, c.assessments[-1].completed))


class MemoryPrivacy:
    """Erasure as `bot.storage.privacy`'s registry does it: its categories, in its order, with
    the same counts (workshop answers unlinked and their words gone, teams handed over)."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def categories(self) -> tuple[str, ...]:
        return (
            "assessments",
            "reminders",
            "workshop_answers",
            "join_attempts",
            "workshops_run",  # kept after /delete: co-facilitators keep the results
            "regional_consent",
            "teams",
            "browser_chat",  # the browser's transcript: kept by its adapter, not by the flows
            "profile",
        )

    async def erase(self, user_id: str) -> dict[str, int]:
        memory = self.memory
        counts = {"assessments": sum(1 for a in memory.assessments if a.user_id == user_id)}
        memory.assessments = [a for a in memory.assessments if a.user_id != user_id]
        counts["reminders"] = int(memory.reminders.pop(user_id, None) is not None)
        counts["workshop_answers"] = self._anonymise_answers(user_id)
        counts["join_attempts"] = sum(1 for who, _at in memory.join_attempts if who == user_id)
        memory.join_attempts = [(who, at) for who, at in memory.join_attempts if who != user_id]
        counts["workshops_run"] = self._leave_workshops(user_id)
        counts["regional_consent"] = int(memory.consents.pop(user_id, None) is not None)
        counts["teams"] = self._leave_teams(user_id)
        counts["browser_chat"] = 0
        counts["profile"] = int(user_id in memory.users)
        memory.users.discard(user_id)
        return counts

    def _anonymise_answers(self, user_id: str) -> int:
        """The participant's free text goes; their coded choices stay, unlinked, in the totals;
        the workshops that showed their words count up their revision."""
        mine = [a for a in self.memory.workshop_answers if a.participant == user_id]
        for workshop_id in dict.fromkeys(a.workshop_id for a in mine):
            self.memory.bump(workshop_id)
        keys = {row.id for row in mine}
        for key in [k for k in self.memory.moderation if k[0] in keys]:
            del self.memory.moderation[key]  # the decisions on their words go with the words
        for row in mine:
            row.participant = f"anon:{row.id}"
            row.answers = dataclasses.replace(row.answers, challenges=(), support_from="")
        return len(mine)

    def _leave_workshops(self, user_id: str) -> int:
        """An owned workshop passes to a remaining co-facilitator, or to a random `gone:` owner,
        closed; the user's facilitator places go. Counts the places, as the holdings do."""
        count = 0
        for workshop in self.memory.workshops.values():
            if workshop.info.owner == user_id:
                heirs = sorted(f for f in workshop.facilitators if f != user_id)
                changes: dict[str, Any] = (
                    {"owner": heirs[0]}
                    if heirs
                    else {"owner": f"gone:{secrets.token_hex(8)}", "closed": True}
                )
                self.memory.bump(workshop.info.id, **changes)
            if user_id in workshop.facilitators:
                count += 1
                workshop.facilitators.remove(user_id)
        return count

    def retention_months(self) -> int:
        return 24

    async def export(self, user_id: str) -> dict[str, dict[str, list[dict[str, Any]]]]:
        """The user's rows as the registry exports them (the columns the memory keeps)."""
        memory = self.memory
        workshops = memory.workshops.values()
        teams = memory.teams.values()
        reminder = memory.reminders.get(user_id)
        consent = memory.consents.get(user_id)
        return {
            "assessments": {
                "assessments": [
                    {
                        "id": a.id,
                        "user_id": user_id,
                        "mode": a.completed.mode,
                        "completed": a.completed.completed,
                        "answers": a.completed.answers,
                        "percents": list(a.completed.percents),
                        "position": a.completed.position,
                        "team_id": a.completed.team,
                    }
                    for a in memory.own_assessments(user_id)
                ]
            },
            "reminders": {
                "reminders": [
                    {
                        "user_id": user_id,
                        "chat_id": reminder.target,
                        "interval_days": reminder.interval_days,
                        "due": reminder.due,
                        "state": reminder.state,
                    }
                ]
                if reminder
                else []
            },
            "workshop_answers": {
                "workshop_answers": [
                    {
                        "id": a.id,
                        "workshop_id": a.workshop_id,
                        "participant": user_id,
                        "step": a.answers.step,
                        "challenges": list(a.answers.challenges),
                        "kinds": list(a.answers.support_kinds),
                        "sources": list(a.answers.support_sources),
                        "support_from": a.answers.support_from,
                    }
                    for a in memory.workshop_answers
                    if a.participant == user_id
                ]
            },
            "join_attempts": {
                "join_attempts": [
                    {"user_id": who, "at": at} for who, at in memory.join_attempts if who == user_id
                ]
            },
            "workshops_run": {
                "workshops": [
                    {
                        "id": w.info.id,
                        "code": w.info.code,
                        "title": w.info.title,
                        "owner": user_id,
                        "closed": w.info.closed,
                        "created": w.created,
                    }
                    for w in workshops
                    if w.info.owner == user_id
                ],
                "workshop_facilitators": [
                    {"workshop_id": w.info.id, "user_id": user_id}
                    for w in workshops
                    if user_id in w.facilitators
                ],
            },
            "regional_consent": {
                "regional_consents": [
                    {
                        "user_id": user_id,
                        "region": consent.region,
                        "field": consent.field,
                        "consented": consent.consented,
                    }
                ]
                if consent
                else []
            },
            "teams": {
                "team_members": [
                    {"team_id": t.info.id, "user_id": user_id, "joined": t.members[user_id]}
                    for t in teams
                    if user_id in t.members
                ],
                "teams": [
                    {
                        "id": t.info.id,
                        "owner": user_id,
                        "cluster": t.info.cluster,
                        "closed": t.info.closed,
                        "created": t.info.created,
                    }
                    for t in teams
                    if t.info.owner == user_id
                ],
            },
            "profile": {"users": [{"id": user_id}] if user_id in memory.users else []},
        }

    def _leave_teams(self, user_id: str) -> int:
        """Memberships go; a team the user owns passes to its longest-standing member, or is
        closed when it has none. Counts both, as the database's two holdings do."""
        teams = self.memory.teams.values()
        left = sum(1 for t in teams if t.members.pop(user_id, None) is not None)
        owned = [t for t in teams if t.info.owner == user_id]
        for team in owned:
            heirs = sorted(team.members.items(), key=lambda item: (item[1], item[0]))
            if heirs:
                team.info = dataclasses.replace(team.info, owner=heirs[0][0])
            else:
                team.info = dataclasses.replace(team.info, owner="", closed=True)
        return left + len(owned)


def memory_stores(memory: Memory | None = None) -> Stores:
    """Every port on one `Memory` (a new, empty one unless given)."""
    memory = memory or Memory()
    return Stores(
        journey=MemoryJourney(memory),
        workshops=MemoryWorkshops(memory),
        teams=MemoryTeams(memory),
        reminders=MemoryReminders(memory),
        regional=MemoryRegional(memory),
        privacy=MemoryPrivacy(memory),
    )
