"""Retention: a user inactive for `months` (CLUSTER_JOURNEY_RETENTION_MONTHS; 0: never) is
erased by the personal-data registry, as `/delete` would, after a notice.

Inactive means the users table's `updated` (the last event of theirs that was saved) is older
than the period. `NOTICE_DAYS` before it ends the user gets a notice where their channel can
deliver one (Telegram: a message; the terminal cannot, and its users are erased without one);
the notice's time is kept in `users.retention_notice`. A user who is active again after the
notice keeps everything (the erasure re-checks under the row's lock), and a later pause starts
again with a new notice. Run from the bot's periodic job (`bot.telegram.app`)."""

from __future__ import annotations

import logging
import time as _time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from babel.dates import format_date

from bot.storage.database import Storage
from bot.storage.privacy import Inactive, PrivacyStore
from flows.i18n import use_language
from flows.locales import language
from flows.messages import Reply
from flows.privacy import retention_notice
from flows.reminders.timing import zone

logger = logging.getLogger(__name__)

DAY = 86_400.0
MONTH = 365.25 / 12 * DAY
NOTICE_DAYS = 7
INTERVAL = 3600  # seconds between runs in the bot's job queue

# deliver a notice to the user; False where their channel cannot (then they are erased without)
Notify = Callable[[Inactive, Reply], Awaitable[bool]]


async def no_channel(_user: Inactive, _reply: Reply) -> bool:
    return False


@dataclass
class RetentionStats:
    noticed: int = 0
    delivered: int = 0
    erased: int = 0


class Retention:
    def __init__(
        self,
        storage: Storage,
        months: int,
        notify: Notify = no_channel,
        clock: Callable[[], float] = _time.time,
        batch: int = 200,
    ) -> None:
        self.privacy = PrivacyStore(storage, months)
        self.months = months
        self.notify = notify
        self.clock = clock
        self.batch = batch

    def notice_for(self, user: Inactive) -> Reply:
        """The notice in the user's language, with the day their data goes."""
        erased_on = datetime.fromtimestamp(user.updated + self.months * MONTH, UTC)
        day = format_date(
            erased_on.astimezone(zone(user.timezone)).date(),
            "d MMMM y",
            locale=language(user.lang).babel,
        )
        with use_language(user.lang):
            return retention_notice(self.months, day)

    async def tick(self) -> RetentionStats:
        """One run: notices first, then the erasures that are due; never raises."""
        stats = RetentionStats()
        if self.months <= 0:
            return stats
        try:
            await self._tick(stats)
        except Exception:
            logger.exception("retention run failed; the next run tries again")
        if stats.noticed or stats.erased:
            logger.info("retention: %s", stats)
        return stats

    async def _tick(self, stats: RetentionStats) -> None:
        now = self.clock()
        period = self.months * MONTH
        for user in await self.privacy.to_notice(now - period + NOTICE_DAYS * DAY, self.batch):
            try:
                delivered = await self.notify(user, self.notice_for(user))
            except Exception as exc:  # blocked the bot, network: no notice reached them
                logger.info("retention notice not delivered: %s", type(exc).__name__)
                delivered = False
            # the time of the notice, delivered or not, so that the erasure follows it
            await self.privacy.noticed(user.user_id, now)
            stats.noticed += 1
            stats.delivered += int(delivered)
        # a notice sent at the end of the period would leave no time: erase a week after it
        noticed_before = now - NOTICE_DAYS * DAY
        for user_id in await self.privacy.to_erase(now - period, noticed_before, self.batch):
            if await self.privacy.erase_inactive(user_id, now - period, noticed_before):
                stats.erased += 1
