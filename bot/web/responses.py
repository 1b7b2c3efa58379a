"""What every page of the bot's web server answers with: its security headers (put on every
answer by `bot.web.guard`, so a route need not), the plain 404 of a wrong or revoked link, and
the version in the static files' URLs."""

from __future__ import annotations

from starlette.responses import PlainTextResponse

ASSET_VERSION = "10"  # in the static files' URLs: a new version is fetched, not a cached one
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the token is in the URL: never pass it on
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
}
NOT_FOUND = PlainTextResponse("Not Found", status_code=404)
