"""A local fake of the Telegram Bot API for end-to-end tests of a python-telegram-bot bot.

Start a `FakeBotApi` in the test's event loop and pass `api.base_url` as PTB's `base_url`.
Every call is validated against the Bot API spec in `telegram-bot-api/api.json`; violations land
in `api.violations` and are answered with a Telegram-style 400. Simulated people push updates
that the bot receives through `getUpdates` long polling; what the bot sends is recorded per chat
(`api.sent(chat_id)`). README.md says how a test uses it and how to model another method.
"""

from tests.fakebotapi.markup import MarkupError, parse_html
from tests.fakebotapi.methods import NOT_MODIFIED, POLL_CONFLICT, QUERY_INVALID, ApiError
from tests.fakebotapi.people import FakeGroup, FakeUser
from tests.fakebotapi.server import BOT_ID, BOT_USERNAME, DEFAULT_TOKEN, FakeBotApi
from tests.fakebotapi.spec import SPEC_PATH, ApiSpec, UploadedFile, load_spec

__all__ = [
    "BOT_ID",
    "BOT_USERNAME",
    "DEFAULT_TOKEN",
    "NOT_MODIFIED",
    "POLL_CONFLICT",
    "QUERY_INVALID",
    "SPEC_PATH",
    "ApiError",
    "ApiSpec",
    "FakeBotApi",
    "FakeGroup",
    "FakeUser",
    "MarkupError",
    "UploadedFile",
    "load_spec",
    "parse_html",
]
