"""Settings from the environment (and a `.env` file in the working folder), read in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import load_dotenv

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_TIMEZONE = "Europe/Stockholm"


@dataclass(frozen=True)
class Settings:
    token: str | None
    api_base_url: str
    database_url: str | None
    timezone: str
    content_dir: Path | None
    messages_per_second: float = 28.0  # the bot's overall pace (Telegram allows about 30)


class SettingsError(Exception):
    """A setting that cannot work; the message is one line for the operator."""


def check_timezone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(
            f"CLUSTER_JOURNEY_TIMEZONE={name!r} is not a time zone; write it like Europe/Stockholm"
        ) from exc


def load_settings() -> Settings:
    load_dotenv(Path.cwd() / ".env", override=False)
    content_dir = os.environ.get("CLUSTER_JOURNEY_CONTENT_DIR")
    rate = os.environ.get("TELEGRAM_MESSAGES_PER_SECOND") or "28"
    settings = Settings(
        token=os.environ.get("TELEGRAM_BOT_TOKEN") or None,
        api_base_url=os.environ.get("TELEGRAM_API_BASE_URL") or DEFAULT_API_BASE_URL,
        database_url=os.environ.get("DATABASE_URL") or None,
        timezone=os.environ.get("CLUSTER_JOURNEY_TIMEZONE") or DEFAULT_TIMEZONE,
        content_dir=Path(content_dir) if content_dir else None,
        messages_per_second=_positive(rate, "TELEGRAM_MESSAGES_PER_SECOND"),
    )
    check_timezone(settings.timezone)
    return settings


def _positive(value: str, name: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = 0.0
    if not 0 < number < float("inf"):
        raise SettingsError(f"{name}={value!r} is not a positive number of messages a second")
    return number
