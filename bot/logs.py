"""The process's logging, set up in one place: the level from CLUSTER_JOURNEY_LOG_LEVEL (INFO
by default), and the libraries that print what users wrote, SQL parameters, the bot token
(in the Bot API's URLs) or the webhook secret held at WARNING whatever that level is, so an
operator who turns on DEBUG to chase a problem gets the bot's own lines, not people's data."""

from __future__ import annotations

import logging
import os

from bot.config import SettingsError

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LEVEL = "CLUSTER_JOURNEY_LOG_LEVEL"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# each prints message text, names, tokens or secrets at DEBUG or INFO
QUIET = (
    "telegram", "httpx", "httpcore", "hpack", "aiohttp", "asyncio", "aiosqlite", "asyncpg",
    "sqlalchemy", "uvicorn", "apscheduler", "transitions", "multipart",
    "matplotlib", "PIL", "fontTools",
)  # fmt: skip


def level() -> int:
    name = (os.environ.get(LEVEL) or "INFO").strip().upper()
    if name not in LEVELS:
        raise SettingsError(f"{LEVEL}={name!r} is not one of {', '.join(LEVELS)}")
    return int(getattr(logging, name))


def configure() -> None:
    logging.basicConfig(level=level(), format=FORMAT, force=True)
    for library in QUIET:
        logging.getLogger(library).setLevel(logging.WARNING)


def first_line(exc: BaseException) -> str:
    """An error as one line for an operator: the driver's own message where there is one."""
    cause = getattr(exc, "orig", None) or exc
    text = str(cause).strip().splitlines()
    return text[0] if text else type(cause).__name__
