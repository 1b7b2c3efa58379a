"""The one codec for inline-button callback data: `j.<token>.<choice id>`, at most 64 bytes;
`k.` instead of `j.` on a message to keep (a summary: a press sends new messages, not an edit).

`token` is the conversation's position token when the button was sent, so stale buttons are
recognised; the choice id (`kind:value`) is what the router understands. Anything else is
forged. Buttons of the first version's privacy dialogue (`p.<token>.confirm`) still work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 64
PREFIX = "j"
KEEP = "k"  # the buttons of a message that a press must not replace
LEGACY = {"p": "privacy:"}  # old prefix → the kind its choices now have
_PATTERN = re.compile(r"^([a-z])\.([0-9a-f]{0,8})\.([A-Za-z0-9_:\-]{1,56})$")


@dataclass(frozen=True)
class Callback:
    token: str
    choice: str
    keep: bool = False  # pressed on a message to keep


def encode(token: str, choice: str, keep: bool = False) -> str:
    data = f"{KEEP if keep else PREFIX}.{token}.{choice}"
    if not _PATTERN.match(data) or len(data.encode()) > MAX_BYTES:
        raise ValueError(f"cannot encode callback data {data!r}")
    return data


def decode(data: str | None) -> Callback | None:
    """The parsed callback, or None when the data is not something this bot sends."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    match = _PATTERN.match(data)
    if not match:
        return None
    prefix, token, choice = match.groups()
    if prefix in (PREFIX, KEEP):
        return Callback(token, choice, prefix == KEEP)
    if prefix in LEGACY:
        return Callback(token, LEGACY[prefix] + choice)
    return None
