"""Who may see a workshop's projector page: whoever holds its link. The link carries a token
signed with the installation's secret over (workshop, link generation), so it cannot be guessed
or altered; a new link (a new generation) revokes the old one, and a closed workshop's page is
not served (the page already open shows "closed").

The facilitator's view of the same page is a second link, signed for another purpose; its
forms carry a third signature, over the same workshop and generation (CSRF).

One place builds the links (for the bot's buttons) and checks them (for the web server). The
join page's link is built here too; it carries no token: its code is what the room is told."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

from bot.storage import Storage, values
from flows.workshop.codes import normalise_code
from flows.workshop.port import WorkshopInfo

PAGE_PATH = "/w/"  # + token: the projector page
HOST_PATH = "/wf/"  # + token: the projector page's facilitator view (moderation, reveal, report)
REGIONAL_PATH = "/r/"  # + token: the regional view of an observer's link
JOIN_PATH = "/j/"  # + join code: the workshop's join page (open to anyone with the code)
WORKSHOP, OBSERVER = "workshop-page", "regional-view"  # what a token opens
HOST, HOST_FORM = "workshop-host", "workshop-host-form"  # the facilitator view and its forms
_TOKEN = re.compile(r"^([1-9][0-9]{0,9})\.([1-9][0-9]{0,5})\.([A-Za-z0-9_-]{22})$")


def sign(secret: bytes, workshop_id: int, generation: int, purpose: str = WORKSHOP) -> str:
    """A token for (id, generation) that opens only what `purpose` names."""
    mac = hmac.new(secret, f"{purpose}:{workshop_id}:{generation}".encode(), hashlib.sha256)
    tag = base64.urlsafe_b64encode(mac.digest()[:16]).decode().rstrip("=")
    return f"{workshop_id}.{generation}.{tag}"


def parse(secret: bytes, token: str, purpose: str = WORKSHOP) -> tuple[int, int] | None:
    """(id, generation) of a token well signed for `purpose`, else None; the workshop (or the
    observer) still has to be found, at that generation, not revoked."""
    match = _TOKEN.match(token)
    if match is None:
        return None
    workshop_id, generation = int(match.group(1)), int(match.group(2))
    if not hmac.compare_digest(sign(secret, workshop_id, generation, purpose), token):
        return None
    return workshop_id, generation


def valid_for(workshop: WorkshopInfo | None, generation: int) -> bool:
    """A page link works for an open workshop at the link's generation."""
    return workshop is not None and not workshop.closed and workshop.link_generation == generation


@dataclass
class PageLinks:
    """Links to the projector pages, under the web server's public base URL."""

    base_url: str  # e.g. https://klusterresan.example.se, or http://127.0.0.1:8080
    _secret: bytes | None = None
    local: bool = False  # the base is this machine's own address (no public URL was set)

    async def secret(self, storage: Storage) -> bytes:
        """The signing secret, read once (on the caller's connection: an event's, too)."""
        if self._secret is None:
            self._secret = await values.web_secret(storage)
        return self._secret

    async def workshop_page(self, workshop: WorkshopInfo, storage: Storage) -> str:
        token = sign(await self.secret(storage), workshop.id, workshop.link_generation)
        return self.base_url.rstrip("/") + PAGE_PATH + token

    async def host_page(self, workshop: WorkshopInfo, storage: Storage) -> str:
        """The facilitator view: signed for another purpose than the wall's link, so the link
        the room may see opens nothing a facilitator can change; revoked with it."""
        token = sign(await self.secret(storage), workshop.id, workshop.link_generation, HOST)
        return self.base_url.rstrip("/") + HOST_PATH + token

    def join_page(self, code: str, local: bool = False) -> str | None:
        """The join page of a workshop's code; None where only this machine can open it
        (phones in the room cannot), unless `local` asks for it all the same."""
        if self.local and not local:
            return None
        return join_page_url(self.base_url, code)


def join_page_url(base_url: str, code: str) -> str:
    """The join page under a base URL, for a code in any form (`normalise_code`)."""
    canonical = normalise_code(code)
    if canonical is None:
        raise ValueError(f"not a join code: {code!r}")
    return base_url.rstrip("/") + JOIN_PATH + canonical
