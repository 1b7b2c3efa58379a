"""`cluster-journey run` with Telegram's flood pacing relaxed, to measure the bot's own costs.

    python -m bench.serve        (environment as for `cluster-journey run`)

Identical to the product's run path (`bot.cli.main(["run"])`) except that the rate limiter
`build_application` creates has no per-chat pacing and no overall 28 messages/s budget. Figures
from this process are labelled "relaxed pacing"; the product as shipped is `bot.cli` itself.
"""

from __future__ import annotations

import sys
from typing import Any

from bot import cli
from bot.telegram import app, pacing


class RelaxedPacing(pacing.Pacing):
    """The product's limiter class (retries after 429 included), with the budgets lifted."""

    def __init__(self, slots: pacing.Slots | None = None, **kwargs: Any) -> None:
        super().__init__(slots, rate=None, chat_interval=1e-6, chat_burst=1_000_000)


def main() -> int:
    app.Pacing = RelaxedPacing  # type: ignore[misc]
    return cli.main(["run"])


if __name__ == "__main__":
    sys.exit(main())
