"""How many projector streams may be open at once: per link (a wall and a few laptops), per
address (a venue's network), and in all, so that a script opening a thousand cannot slow the
webhook and the health check for everyone. A refused stream gets 429 and the browser tries
again later; the page itself stays up with what it last showed."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field


@dataclass
class StreamLimits:
    per_link: int = 20
    per_address: int = 60
    total: int = 1500
    _links: Counter[str] = field(default_factory=Counter)
    _addresses: Counter[str] = field(default_factory=Counter)

    @property
    def open(self) -> int:
        return sum(self._links.values())

    def take(self, link: str, address: str) -> bool:
        """Count one more stream of `link` from `address`; False (nothing counted) when any
        limit is reached."""
        if (
            self._links[link] >= self.per_link
            or self._addresses[address] >= self.per_address
            or self.open >= self.total
        ):
            return False
        self._links[link] += 1
        self._addresses[address] += 1
        return True

    def give_back(self, link: str, address: str) -> None:
        for counter, key in ((self._links, link), (self._addresses, address)):
            counter[key] -= 1
            if counter[key] <= 0:
                del counter[key]

    async def held(
        self, link: str, address: str, stream: AsyncIterator[bytes]
    ) -> AsyncIterator[bytes]:
        """`stream`, counted until it ends, however it ends (a closed tab included)."""
        try:
            async for chunk in stream:
                yield chunk
        finally:
            self.give_back(link, address)
            await stream.aclose()  # type: ignore[attr-defined]
