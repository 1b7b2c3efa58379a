"""The `cluster-journey` command: content check, terminal chat, the Telegram bot and its web
pages."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.exc import SQLAlchemyError

from bot import logs
from bot.config import Settings, SettingsError, load_settings
from bot.storage import Storage
from flows.content_loader import ContentError, check_content, load_content, summary_line
from flows.content_model import Content
from flows.i18n import check_catalogs
from flows.locales import codes

LABEL_MAX = 120  # characters of an observer's label (the column's size)
SECRET_ENV = "TELEGRAM_WEBHOOK_SECRET"
SECRET_FILE_ENV = "TELEGRAM_WEBHOOK_SECRET_FILE"


def content_check(directory: Path | None) -> int:
    content, problems = check_content(directory)
    lines = [str(p) for p in problems] + check_catalogs()
    if lines:
        for line in lines:
            print(line)
        print(f"{len(lines)} problem(s) found", file=sys.stderr)
        return 1
    assert content is not None
    print(summary_line(content))
    return 0


def load_checked_content(settings: Settings) -> Content | None:
    """The content, or None after printing every problem (the bot refuses to start)."""
    try:
        content = load_content(settings.content_dir)
    except ContentError as exc:
        print("The content has problems; fix them and start again:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return None
    problems = check_catalogs()
    if problems:
        print("The translations have problems:", file=sys.stderr)
        for line in problems:
            print(f"  {line}", file=sys.stderr)
        return None
    return content


def open_storage(settings: Settings) -> Storage | None:
    """The database's engine, or None after one line saying why the URL cannot work."""
    try:
        return Storage.create(settings.database_url, settings.timezone)
    except ImportError as exc:
        print(
            f"The database driver {exc.name} is not installed (PostgreSQL's comes with the "
            "project's postgres extra: pip install -e '.[postgres]').",
            file=sys.stderr,
        )
    except SQLAlchemyError as exc:
        print(f"DATABASE_URL cannot be used: {logs.first_line(exc)}", file=sys.stderr)
    return None


async def prepare_database(storage: Storage) -> bool:
    """Create or upgrade the schema; False after one line saying why it cannot be used."""
    from bot.storage.revision import SchemaError

    where = storage.engine.url.render_as_string(hide_password=True)
    try:
        await storage.prepare()
    except SchemaError as exc:
        print(f"Cannot use the database: {exc}.", file=sys.stderr)
        return False
    except (SQLAlchemyError, OSError, ImportError) as exc:
        print(f"Cannot open the database {where}: {logs.first_line(exc)}", file=sys.stderr)
        return False
    except Exception as exc:  # a driver's own errors (asyncpg: wrong password, no database)
        if not type(exc).__module__.startswith(("asyncpg", "aiosqlite", "sqlite3")):
            raise
        print(f"Cannot open the database {where}: {logs.first_line(exc)}", file=sys.stderr)
        return False
    return True


@asynccontextmanager
async def ready_storage(settings: Settings) -> AsyncIterator[Storage | None]:
    """The database opened and at this version's schema, closed afterwards; None after one
    line saying why it cannot be used."""
    storage = open_storage(settings)
    if storage is None:
        yield None
        return
    try:
        yield storage if await prepare_database(storage) else None
    finally:
        await storage.close()


async def db_upgrade() -> int:
    """`cluster-journey db upgrade`: bring the database to this version's schema now."""
    from bot.storage.migrate import head

    if not await check_database(load_settings()):
        return 2
    print(f"The database is at schema version {head()}, the newest this version knows.")
    return 0


async def check_database(settings: Settings) -> bool:
    """Open, create or upgrade the database once; False after one line saying why not."""
    async with ready_storage(settings) as storage:
        return storage is not None


async def chat(user: str, lang: str | None) -> int:
    from bot.events import EventRunner
    from bot.terminal import TerminalChat
    from flows.router import Router

    settings = load_settings()
    content = load_checked_content(settings)
    if content is None:
        return 2
    async with ready_storage(settings) as storage:
        if storage is None:
            return 2
        from bot.web.access import PageLinks

        # served by `cluster-journey web`
        pages = PageLinks(settings.page_base_url, local=settings.public_url is None)
        events = EventRunner(Router(content), storage, pages=pages)
        return await TerminalChat(events, user, lang).run()


def run_bot(args: argparse.Namespace) -> int:
    from bot.telegram.app import Webhook, WebServer, run

    logs.configure()
    settings = load_settings()
    if not settings.token:
        print(
            "TELEGRAM_BOT_TOKEN is not set. Create a bot with @BotFather, then set the token "
            "in the environment or in a .env file (see README).",
            file=sys.stderr,
        )
        return 2
    webhook = None
    if args.webhook_url:
        check_webhook_path(args.webhook_url, args.webhook_path)
        secret = webhook_secret(args.secret_token, args.secret_token_file)
        webhook = Webhook(args.webhook_url, secret, args.webhook_path)
        # the pages are served beside the webhook, at the address Telegram calls
        url = urlsplit(args.webhook_url)
        public = settings.public_url or f"{url.scheme}://{url.netloc}"
        settings = replace(settings, public_url=public, web_listen=args.listen, web_port=args.port)
    else:
        settings = replace(
            settings,
            web_listen=args.web_listen or settings.web_listen,
            web_port=settings.web_port if args.web_port is None else args.web_port,
        )
    web = WebServer(bind(settings.web_listen, settings.web_port))
    if not args.webhook_url:  # port 0: the free port the system chose, in the links too
        settings = replace(settings, web_port=web.sock.getsockname()[1])
    content = load_checked_content(settings)
    if content is None or not asyncio.run(check_database(settings)):
        return 2
    if settings.metrics:
        from bot import metrics

        metrics.enable()
    return run(settings, content, web, webhook)


def web_pages(args: argparse.Namespace) -> int:
    """`cluster-journey web`: the browser chat and the pages, against the database (no token)."""
    settings = load_settings()
    settings = replace(
        settings,
        web_listen=args.listen or settings.web_listen,
        web_port=settings.web_port if args.port is None else args.port,
    )
    sock = bind(settings.web_listen, settings.web_port)
    settings = replace(settings, web_port=sock.getsockname()[1])
    content = load_checked_content(settings)
    if content is None or not asyncio.run(check_database(settings)):
        return 2
    if settings.metrics:
        from bot import metrics

        metrics.enable()
    logs.configure()
    print(
        f"Serving the browser chat on {settings.page_base_url}/ and the workshops' "
        "projector pages (open a page's link from the bot; Ctrl+C stops).",
        flush=True,
    )
    asyncio.run(serve_pages(settings, content, sock))
    return 0


async def serve_pages(settings: Settings, content: Content, sock: socket.socket) -> None:
    from bot.web import asgi
    from bot.web.pages import Pages
    from bot.web.server import make_server, stop_on_signals

    storage = Storage.create(settings.database_url, settings.timezone)
    try:
        stopping = asyncio.Event()
        server = make_server(
            asgi.build(
                storage,
                Pages(storage, content, stopping=stopping, base_url=settings.page_base_url),
            )
        )
        stop_on_signals(server, stopping)
        await server.serve(sockets=[sock])
    finally:
        await storage.close()


async def admin(args: argparse.Namespace) -> int:
    """`cluster-journey admin …`: the observers' links to the regional view."""
    import time

    from bot.storage.regional import RegionalStore
    from bot.web import access
    from flows.messages import clean_text
    from flows.regional.places import find_region

    settings = load_settings()
    async with ready_storage(settings) as storage:
        if storage is None:
            return 2
        links = access.PageLinks(settings.page_base_url)
        if args.admin_command == "observer":
            region = None
            if not args.all:
                place = find_region(args.region or "")
                if place is None:
                    print(
                        f"No region called {args.region!r}: give a Swedish län (e.g. "
                        '"Västra Götaland" or SE-O), a country, or --all.',
                        file=sys.stderr,
                    )
                    return 2
                region = place.code
            label = clean_text(args.label or "").strip() or (region or "all regions")
            if len(label) > LABEL_MAX:
                print(
                    f"--label is {len(label)} characters; keep it to {LABEL_MAX}.", file=sys.stderr
                )
                return 2
            made = await RegionalStore(storage).create_observer(region, label, time.time())
            token = access.sign(await links.secret(storage), made.id, 1, access.OBSERVER)
            print(f"Observer {made.id} ({label}): {links.base_url}{access.REGIONAL_PATH}{token}")
            print(f"Revoke it with: cluster-journey admin revoke {made.id}")
            return 0
        if args.admin_command == "observers":
            for found in await RegionalStore(storage).all_observers():
                state = "revoked" if found.revoked else "active"
                label = clean_text(found.label)  # never an escape sequence to the terminal
                print(f"{found.id}\t{found.region or 'all'}\t{state}\t{label}")
            return 0
        if await RegionalStore(storage).revoke_observer(args.id):
            print(f"Observer {args.id} revoked: its link no longer opens the regional view.")
            return 0
        print(f"No active observer {args.id}.", file=sys.stderr)
        return 2


def _version() -> str:
    try:
        return metadata.version("cluster-journey")
    except metadata.PackageNotFoundError:  # run from a checkout without installing it
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cluster-journey",
        description="Cluster Journey (Klusterresan): the TACTICS internationalisation journey.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True)

    content = commands.add_parser("content", help="work with the content files")
    content_commands = content.add_subparsers(dest="content_command", required=True)
    check = content_commands.add_parser("check", help="validate content and translations")
    check.add_argument(
        "--content",
        type=Path,
        default=None,
        metavar="DIR",
        help="content folder to check (default: the project's content/)",
    )

    chat_parser = commands.add_parser("chat", help="the conversations in the terminal")
    chat_parser.add_argument(
        "--lang",
        choices=codes(),
        default=None,
        help="language (default: the user's saved choice, else English)",
    )
    chat_parser.add_argument(
        "--user", default="local", help="whose conversation this is (default: local)"
    )

    db = commands.add_parser("db", help="the database")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser(
        "upgrade", help="bring the schema to this version's (the bot does it on start too)"
    )

    run_parser = commands.add_parser("run", help="the Telegram bot (long polling by default)")
    run_parser.add_argument(
        "--webhook-url", default=None, help="serve by webhook: the public HTTPS URL Telegram calls"
    )
    run_parser.add_argument("--listen", default="0.0.0.0", help="webhook listen address")
    run_parser.add_argument("--port", type=int, default=8443, help="webhook port")
    run_parser.add_argument(
        "--web-listen",
        default=None,
        help="polling: where the web pages are served (default CLUSTER_JOURNEY_WEB_LISTEN "
        "or 127.0.0.1; by webhook they are served with the webhook)",
    )
    run_parser.add_argument(
        "--web-port",
        type=int,
        default=None,
        help="polling: the web pages' port (default CLUSTER_JOURNEY_WEB_PORT or 8080)",
    )
    run_parser.add_argument(
        "--webhook-path",
        default="telegram",
        help="path part of the webhook URL the server answers on",
    )
    run_parser.add_argument(
        "--secret-token",
        default=None,
        help=f"secret Telegram must send with every webhook call (better: {SECRET_ENV} or "
        "--secret-token-file, which other local users cannot read in the process list)",
    )
    run_parser.add_argument(
        "--secret-token-file",
        default=None,
        help=f"a file holding the webhook secret (default {SECRET_FILE_ENV})",
    )

    web_parser = commands.add_parser(
        "web", help="the browser chat and the pages, against the database (no token)"
    )
    web_parser.add_argument(
        "--listen", default=None, help="address (default CLUSTER_JOURNEY_WEB_LISTEN or 127.0.0.1)"
    )
    web_parser.add_argument(
        "--port", type=int, default=None, help="port (default CLUSTER_JOURNEY_WEB_PORT or 8080)"
    )

    admin_parser = commands.add_parser("admin", help="operators: links to the regional view")
    admin_commands = admin_parser.add_subparsers(dest="admin_command", required=True)
    observer = admin_commands.add_parser(
        "observer", help="make a link to the regional view for a region's officer"
    )
    scope = observer.add_mutually_exclusive_group(required=True)
    scope.add_argument("--region", help='a Swedish län or a country, e.g. "Västra Götaland"')
    scope.add_argument("--all", action="store_true", help="every region (filterable)")
    observer.add_argument("--label", default=None, help="who it is for, e.g. a name and role")
    admin_commands.add_parser("observers", help="list the links made")
    revoke = admin_commands.add_parser("revoke", help="revoke a link")
    revoke.add_argument("id", type=int, help="the observer's number (see: admin observers)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "content":
            return content_check(args.content)
        if args.command == "run":
            return run_bot(args)
        if args.command == "admin":
            return asyncio.run(admin(args))
        if args.command == "web":
            return web_pages(args)
        if args.command == "db":
            return asyncio.run(db_upgrade())
        if args.command == "chat":
            return asyncio.run(chat(args.user, args.lang))
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 2


def check_webhook_path(url: str, path: str) -> None:
    """Telegram will call `url`: it must end with the path the server answers on."""
    url_path = urlsplit(url).path.rstrip("/")
    if not url_path.endswith("/" + path.strip("/")):
        raise SettingsError(
            f"--webhook-url {url} does not end with --webhook-path {path!r}: Telegram would "
            "call a path the bot does not answer on"
        )


def webhook_secret(given: str | None, file: str | None) -> str:
    """The webhook's secret, from the command line, the environment or a file: a webhook
    without one would let anyone who finds the URL post updates as any user, so none is an
    error, as is one Telegram would refuse (1-256 of A-Z, a-z, 0-9, _ and -)."""
    file = file or os.environ.get(SECRET_FILE_ENV) or None
    secret = given or os.environ.get(SECRET_ENV) or None
    if secret is None and file:
        try:
            secret = Path(file).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or "not text"
            raise SettingsError(f"cannot read the webhook secret from {file}: {reason}") from exc
    if not secret:
        raise SettingsError(
            f"a webhook needs a secret: set {SECRET_ENV}, or {SECRET_FILE_ENV} to a file "
            "holding it (e.g. made with: openssl rand -hex 32)"
        )
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise SettingsError(
            "the webhook secret must be 1-256 characters of A-Z, a-z, 0-9, _ and - "
            "(Telegram refuses others); make one with: openssl rand -hex 32"
        )
    return secret


def bind(listen: str, port: int) -> socket.socket:
    """The web server's socket, bound before anything starts: a port in use is one line."""
    family = socket.AF_INET6 if ":" in listen else socket.AF_INET
    sock = socket.socket(family)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((listen, port))
    except OSError as exc:
        sock.close()
        raise SettingsError(f"cannot listen on {listen}:{port}: {exc.strerror}") from exc
    return sock


if __name__ == "__main__":
    sys.exit(main())
