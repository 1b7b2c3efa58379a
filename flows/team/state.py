"""The team's part of the conversation record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass
class TeamState:
    answering_for: int | None = None  # the team whose cluster the user's check is for

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TeamState:
        return cls(answering_for=data.get("answering_for"))
