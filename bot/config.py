"""Settings from the environment (and a `.env` file in the working folder), read in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import load_dotenv

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_TIMEZONE = "Europe/Stockholm"
WEB_PORT = "CLUSTER_JOURNEY_WEB_PORT"
RETENTION = "CLUSTER_JOURNEY_RETENTION_MONTHS"
DEFAULT_RETENTION_MONTHS = 24  # the README says so
METRICS = "CLUSTER_JOURNEY_METRICS"


@dataclass(frozen=True)
class Settings:
    token: str | None
    api_base_url: str
    database_url: str | None
    timezone: str
    content_dir: Path | None
    messages_per_second: float = 28.0  # the bot's overall pace (Telegram allows about 30)
    public_url: str | None = None  # where people reach the web pages, e.g. https://bot.example.se
    web_listen: str = "127.0.0.1"  # where the web pages are served (polling and `web`)
    web_port: int = 8080
    retention_months: int = DEFAULT_RETENTION_MONTHS  # inactive users erased after; 0: never
    metrics: bool = False  # `/metrics` served beside `/healthz` (CLUSTER_JOURNEY_METRICS)

    @property
    def page_base_url(self) -> str:
        """The base of the links to the web pages: the public URL, else this machine's
        server (fine for a facilitator trying it on their own computer)."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.web_listen in ("0.0.0.0", "::", "") else self.web_listen
        return f"http://{'[' + host + ']' if ':' in host else host}:{self.web_port}"


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
    public_url = os.environ.get("CLUSTER_JOURNEY_PUBLIC_URL") or None
    if public_url is not None:
        check_public_url(public_url)
    settings = Settings(
        token=os.environ.get("TELEGRAM_BOT_TOKEN") or None,
        api_base_url=os.environ.get("TELEGRAM_API_BASE_URL") or DEFAULT_API_BASE_URL,
        database_url=os.environ.get("DATABASE_URL") or None,
        timezone=os.environ.get("CLUSTER_JOURNEY_TIMEZONE") or DEFAULT_TIMEZONE,
        content_dir=Path(content_dir) if content_dir else None,
        messages_per_second=_positive(rate, "TELEGRAM_MESSAGES_PER_SECOND"),
        public_url=public_url,
        web_listen=os.environ.get("CLUSTER_JOURNEY_WEB_LISTEN") or "127.0.0.1",
        web_port=port(
            os.environ.get("CLUSTER_JOURNEY_WEB_PORT") or "8080", "CLUSTER_JOURNEY_WEB_PORT"
        ),
        retention_months=retention_months(),
        metrics=switch(os.environ.get(METRICS), METRICS),
    )
    check_timezone(settings.timezone)
    return settings


def retention_months() -> int:
    """After how many months without activity a user's data is erased (0: never), from
    CLUSTER_JOURNEY_RETENTION_MONTHS; the privacy text and the retention job both ask here."""
    value = (os.environ.get(RETENTION) or "").strip() or str(DEFAULT_RETENTION_MONTHS)
    if not value.isdigit() or int(value) > 1200:
        raise SettingsError(
            f"{RETENTION}={value!r} is not a number of months (0 keeps data until deleted)"
        )
    return int(value)


def switch(value: str | None, name: str) -> bool:
    """An on/off setting: 1, true, yes, on (or empty for off)."""
    word = (value or "").strip().lower()
    if word in ("", "0", "false", "no", "off"):
        return False
    if word in ("1", "true", "yes", "on"):
        return True
    raise SettingsError(f"{name}={value!r} is neither on nor off; write 1 or 0")


def check_public_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise SettingsError(
            f"CLUSTER_JOURNEY_PUBLIC_URL={url!r} is not a web address; write it like "
            "https://klusterresan.example.se"
        )


def port(value: str, name: str) -> int:
    if not value.isdigit() or not 0 <= int(value) <= 65535:
        raise SettingsError(f"{name}={value!r} is not a port number (0–65535)")
    return int(value)


def _positive(value: str, name: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = 0.0
    if not 0 < number < float("inf"):
        raise SettingsError(f"{name}={value!r} is not a positive number of messages a second")
    return number
