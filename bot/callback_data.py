"""The one codec for inline-button callback data: `<flow>.<token>.<choice id>`, ≤ 64 bytes.

`flow` says which part of the bot owns the button (j = the conversation engine, p = privacy);
`token` is the conversation's position token when the button was sent, so stale buttons are
recognised; the choice id is what the flow understands. Anything else is forged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 64
FLOWS = frozenset({"j", "p"})
_PATTERN = re.compile(r"^([a-z])\.([0-9a-f]{0,8})\.([A-Za-z0-9_:\-]{1,56})$")


@dataclass(frozen=True)
class Callback:
    flow: str
    token: str
    choice: str


def encode(flow: str, token: str, choice: str) -> str:
    data = f"{flow}.{token}.{choice}"
    if flow not in FLOWS or not _PATTERN.match(data) or len(data.encode()) > MAX_BYTES:
        raise ValueError(f"cannot encode callback data {data!r}")
    return data


def decode(data: str | None) -> Callback | None:
    """The parsed callback, or None when the data is not something this bot sends."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    match = _PATTERN.match(data)
    if not match or match.group(1) not in FLOWS:
        return None
    return Callback(*match.groups())
