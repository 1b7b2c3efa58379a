"""Join codes: short, unambiguous, typed or pasted in any form, and the deep-link payloads
that carry them (the link itself is the channel's to build)."""

from __future__ import annotations

import random
import re
import secrets

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0 O 1 I L
CODE_LENGTH = 6
LINK_PREFIX = "ws_"  # /start ws_<code>: join a workshop
INVITE_PREFIX = "wf_"  # /start wf_<invite>: become a co-facilitator
_CODE_SEPARATORS = re.compile(r"[\s\-]+")


def new_join_code(rng: random.Random | secrets.SystemRandom) -> str:
    """Six characters from an unambiguous alphabet (31**6, about 887 million codes);
    production passes secrets.SystemRandom()."""
    return "".join(rng.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def normalise_code(text: str) -> str | None:
    """A typed or pasted code in canonical form, or None when it cannot be one.

    Accepts any case, surrounding spaces, spaces or dashes inside ("abc 234") and the "ws_"
    prefix of the link's payload (a pasted link is turned into its payload by the channel).
    Characters outside the alphabet (such as O, 0, 1, I and L) are refused rather than guessed."""
    value = text.strip()
    if value[:3].lower() == LINK_PREFIX:
        value = value[3:]
    value = _CODE_SEPARATORS.sub("", value).upper()
    if len(value) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in value):
        return None
    return value


def join_payload(code: str) -> str:
    """The `/start` payload of a workshop's join link."""
    canonical = normalise_code(code)
    if canonical is None:
        raise ValueError(f"not a join code: {code!r}")
    return LINK_PREFIX + canonical


def join_command(code: str) -> str:
    """The command that joins a workshop, for those who type rather than scan."""
    return f"/workshop join {code}"
