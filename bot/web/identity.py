"""Who a browser is, without an account: a random id in a signed cookie, and the personal link
that carries the same id to another device.

Both carry the user's sign-in generation (`bot.storage.web_chat`): making a new personal link
moves it on, so the old link and every browser that used it stop working. A form carries a
token made from the same id (CSRF): a form posted from another site has no cookie (SameSite)
and no token. All of it is HMAC-SHA256 with the installation's secret, so every replica checks
what any other made."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

COOKIE = "cj_chat"
SESSION, DEVICE, FORM = "chat-session", "chat-device", "chat-form"  # what a token is for
PREFIX = "web:"
_UID = r"[A-Za-z0-9_-]{22}"
_TOKEN = re.compile(rf"^({_UID})\.([1-9][0-9]{{0,8}})\.([A-Za-z0-9_-]{{22}})$")
COOKIE_AGE = 400 * 24 * 3600  # the longest browsers keep a cookie


@dataclass(frozen=True)
class Identity:
    uid: str  # the random part
    generation: int

    @property
    def user_id(self) -> str:
        return PREFIX + self.uid


def new() -> Identity:
    return Identity(secrets.token_urlsafe(16), 1)


def _tag(secret: bytes, purpose: str, identity: Identity) -> str:
    mac = hmac.new(
        secret, f"{purpose}:{identity.uid}:{identity.generation}".encode(), hashlib.sha256
    )
    return base64.urlsafe_b64encode(mac.digest()[:16]).decode().rstrip("=")


def sign(secret: bytes, identity: Identity, purpose: str = SESSION) -> str:
    return f"{identity.uid}.{identity.generation}.{_tag(secret, purpose, identity)}"


def parse(secret: bytes, token: str | None, purpose: str = SESSION) -> Identity | None:
    """The identity a well-signed token names (its generation still to be checked)."""
    match = _TOKEN.match(token or "")
    if match is None:
        return None
    identity = Identity(match.group(1), int(match.group(2)))
    if not hmac.compare_digest(_tag(secret, purpose, identity), match.group(3)):
        return None
    return identity


def form_token(secret: bytes, identity: Identity) -> str:
    return _tag(secret, FORM, identity)


def form_token_ok(secret: bytes, identity: Identity, sent: str | None) -> bool:
    return hmac.compare_digest(form_token(secret, identity).encode(), (sent or "").encode())
