"""The conversation record: everything a conversation needs to resume, small and serialisable.

Each feature keeps its part next to its flow (the journey, the action plan, the workshop being
answered, the team, the regional picture); this record composes them with the language and
what a free text means now (`Awaiting`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from flows.actionplan.state import ActionPlanState
from flows.journey.state import RECHECK, JourneyState
from flows.regional.state import RegionalState
from flows.team.state import TeamState
from flows.workshop.session import WorkshopSession


class Awaiting(StrEnum):
    """What a free text means now; the router's `texts` table is keyed by it."""

    NOTHING = "menu"  # no question is open: a text is not understood
    ANSWER = "diagnostic"  # an answer to the diagnostic's question (or the check's name)
    TERM = "glossary"  # a term to look up
    WORKSHOP_ANSWER = "workshop"  # an answer to a workshop's question
    WORKSHOP_TITLE = "workshop-title"  # the title of a workshop being created
    WORKSHOP_CODE = "workshop-join"  # a workshop's join code
    TIME_ZONE = "remind-tz"  # the user's time zone, for reminders
    PLAN_CLUSTER = "plan-cluster"  # the cluster's name for the action plan
    ACTION_OWNER = "plan-owner"  # who owns the action being edited (`ActionPlanState.editing`)
    TEAM_CLUSTER = "team-cluster"  # the cluster's name for a new team


_AWAITING = {member.value: member for member in Awaiting}


@dataclass
class ConversationState:
    """Saved after every event (`to_dict`, as JSON) and restored before the next."""

    lang: str = "en"
    awaiting: Awaiting = Awaiting.NOTHING
    journey: JourneyState = field(default_factory=JourneyState)
    plan: ActionPlanState = field(default_factory=ActionPlanState)
    workshop: WorkshopSession | None = None  # the workshop being answered
    team: TeamState = field(default_factory=TeamState)
    regional: RegionalState = field(default_factory=RegionalState)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ConversationState:
        """Restore a record; unknown keys (from a newer version) are ignored. A record without
        a `journey` is the flat one of 74fd1e1 and before, read by `_from_flat`."""
        if "journey" not in data:
            data = _from_flat(data)
        workshop = data.get("workshop")
        return cls(
            lang=data.get("lang", "en"),
            awaiting=_AWAITING.get(str(data.get("awaiting")), Awaiting.NOTHING),
            journey=JourneyState.from_dict(data.get("journey") or {}),
            plan=ActionPlanState.from_dict(data.get("plan") or {}),
            workshop=WorkshopSession.from_dict(workshop) if workshop else None,
            team=TeamState.from_dict(data.get("team") or {}),
            regional=RegionalState.from_dict(data.get("regional") or {}),
        )


def _from_flat(flat: Mapping[str, Any]) -> dict[str, Any]:
    """The flat record of 74fd1e1 in today's shape: `flow` is what a text means; a `mode` of
    `step:N` re-checks step N; an `editing` of `plan:pdf,md` is the documents waiting for the
    cluster's name; `last*` and `prior*` become the assessments they describe (their mode and
    time were always saved with them; were one missing, it reads as a quick check at time 0)."""
    mode, recheck = flat.get("mode"), None
    if isinstance(mode, str) and mode.startswith(RECHECK):
        number = mode.removeprefix(RECHECK)
        recheck = int(number) if number.isdigit() else None
        mode = None
    last = flat.get("last")
    prior = flat.get("prior")
    editing = flat.get("editing")
    pending: tuple[str, ...] = ()
    if isinstance(editing, str) and editing.startswith("plan:"):
        pending = tuple(kind for kind in editing.removeprefix("plan:").split(",") if kind)
        editing = None
    journey = {key: flat[key] for key in ("state", "index", "answers", "started") if key in flat}
    journey.update(
        mode=mode,
        recheck=recheck,
        last=None
        if last is None
        else {
            "answers": last,
            "mode": flat.get("last_mode") or "quick",
            "completed": flat.get("last_completed") or 0.0,
        },
        prior=None
        if prior is None
        else {
            "percents": prior,
            "position": flat.get("prior_position"),
            "completed": flat.get("prior_completed") or 0.0,
        },
    )
    plan = {
        key: flat[key] for key in ("owners", "due", "done", "dropped", "cluster") if key in flat
    }
    return {
        "lang": flat.get("lang", "en"),
        "awaiting": flat.get("flow"),
        "journey": journey,
        "plan": {**plan, "editing": editing, "pending": pending},
        "workshop": flat.get("workshop"),
        "team": {"answering_for": flat.get("team")},
        "regional": {"consent_asked": flat.get("consent_asked", False)},
    }
