"""How often one browser user, and one address, may post to the chat: a sliding window per key,
in this process (behind several replicas each counts its own share, which only loosens the
limit). A refused post is answered with a polite page and changes nothing."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.requests import Request


def address(request: Request) -> str:
    """The address a request comes from (the proxy's client, where uvicorn trusts the proxy),
    as the limits per address count it."""
    return request.client.host if request.client is not None else "unknown"


@dataclass
class Window:
    limit: int  # posts allowed …
    seconds: float  # … within this many seconds
    clock: Callable[[], float] = time.monotonic
    _seen: dict[str, deque[float]] = field(default_factory=dict)

    def allow(self, key: str) -> bool:
        """Count a post under `key`; False (not counted) when the window is full."""
        now = self.clock()
        seen = self._seen.get(key)
        if seen is None:
            if len(self._seen) > 50_000:  # forget keys that went quiet, so memory stays small
                self._forget(now)
            seen = self._seen[key] = deque()
        while seen and seen[0] <= now - self.seconds:
            seen.popleft()
        if len(seen) >= self.limit:
            return False
        seen.append(now)
        return True

    def _forget(self, now: float) -> None:
        for key in [k for k, s in self._seen.items() if not s or s[-1] <= now - self.seconds]:
            del self._seen[key]


@dataclass
class Limits:
    """Per user: a person tapping fast passes, a script does not. Per address: a room of a
    hundred people behind one venue's network answering at once passes."""

    user: Window = field(default_factory=lambda: Window(limit=20, seconds=10.0))
    address: Window = field(default_factory=lambda: Window(limit=300, seconds=10.0))

    def allow(self, user_id: str, address: str) -> bool:
        return self.user.allow(user_id) and self.address.allow(address)
