"""The regional picture's part of the conversation record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass
class RegionalState:
    consent_asked: bool = False  # the regional-picture question was asked (it is asked once)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RegionalState:
        return cls(consent_asked=bool(data.get("consent_asked", False)))
