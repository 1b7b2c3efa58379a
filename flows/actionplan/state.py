"""The action plan's part of the conversation record: who owns which action and by when, what
is done or not relevant, the cluster's name on the plan, and what a typed text completes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class ActionPlanState:
    """Actions are known by their question's id."""

    owners: dict[str, str] = field(default_factory=dict)  # question id → who owns its action
    due: dict[str, str] = field(default_factory=dict)  # question id → month due, "YYYY-MM"
    done: list[str] = field(default_factory=list)  # question ids whose action is done
    dropped: list[str] = field(default_factory=list)  # … whose action is not relevant to them
    cluster: str | None = None  # the cluster's name for the plan; "" skipped, None never asked
    editing: str | None = None  # the action whose owner is being typed
    pending: tuple[str, ...] = ()  # the documents (pdf, md) sent once the cluster is named

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ActionPlanState:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["pending"] = tuple(data.get("pending") or ())
        return cls(**values)
