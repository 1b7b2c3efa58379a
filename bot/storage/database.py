"""The database: the engine and its lifecycle, and the users table (a user's conversation
record, saved with a completed assessment in the event's transaction).

SQLite (WAL) in the user's data folder by default, or any URL in DATABASE_URL (PostgreSQL for
several replicas). Each event's changes are written in one transaction, committed before the
replies are sent, so a crash between two answers loses nothing. Only Core constructs that both
engines understand are used.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from platformdirs import user_data_dir
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot import metrics
from bot.storage.aio import (
    INTERACTIVE,
    AsyncConnection,
    AsyncEngine,
    PriorityGate,
    create_async_engine,
)
from bot.storage.changes import WorkshopChanges
from bot.storage.clusters import refresh_cluster
from bot.storage.personal_data import Holding, delete_where, rows_where
from bot.storage.revision import HEAD, SchemaError, at_head
from bot.storage.schema import (
    assessments,
    processed_updates,
    users,
)
from flows.events import AssessmentCompleted
from flows.state import ConversationState

WEEK = 7 * 86400

# The claim of an update and the lock on its user's row, in one statement (PostgreSQL runs a
# data-modifying WITH once, whatever the outer query reads). The lateral join keeps one row
# when the user has none yet; FOR UPDATE waits for another replica's event of the same user
# and then reads its result.
_CLAIM_AND_LOCK = sa.text(
    """
    WITH claim AS (
        INSERT INTO processed_updates (update_id, handled, fingerprint)
        VALUES (:update_id, :now, :fingerprint)
        ON CONFLICT (update_id) DO UPDATE
            SET handled = EXCLUDED.handled, fingerprint = EXCLUDED.fingerprint
            WHERE processed_updates.fingerprint <> EXCLUDED.fingerprint
        RETURNING update_id
    )
    SELECT EXISTS (SELECT 1 FROM claim) AS claimed, u.state, u.timezone
    FROM (SELECT 1) AS one
    LEFT JOIN LATERAL (SELECT state, timezone FROM users WHERE id = :id FOR UPDATE) AS u ON true
    """
)


def default_url() -> str:
    folder = Path(user_data_dir("cluster-journey", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite+aiosqlite:///{folder / 'cluster-journey.db'}"


def async_url(url: str) -> str:
    """Give plain sqlite:// and postgresql:// URLs their async driver."""
    for plain, driver in (
        ("sqlite://", "sqlite+aiosqlite://"),
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url


def postgres_options(url: str) -> tuple[sa.URL, dict[str, Any]]:
    """A PostgreSQL URL as managed services hand it out, with libpq's options (`sslmode`,
    `sslrootcert`, `application_name` …), made into the asyncpg driver's arguments: asyncpg
    reads libpq's options from a DSN of its own, and `connect_timeout` as its timeout. A port
    that is not a number, or an option given twice, is an ArgumentError (one line)."""
    try:
        parsed = sa.make_url(url)
        port = parsed.port
    except ValueError as exc:
        raise sa.exc.ArgumentError(f"the port in DATABASE_URL is not a number ({exc})") from exc
    if port is not None and not 0 < port < 65536:
        raise sa.exc.ArgumentError(f"the port in DATABASE_URL ({port}) is not a port number")
    options: dict[str, str] = {}
    for name, value in parsed.query.items():
        if not isinstance(value, str):
            raise sa.exc.ArgumentError(f"DATABASE_URL gives the option {name} more than once")
        options[name] = value
    connect_args: dict[str, Any] = {}
    timeout = options.pop("connect_timeout", None)
    if timeout is not None:
        if not timeout.isdigit() or int(timeout) == 0:
            raise sa.exc.ArgumentError(f"connect_timeout={timeout!r} is not a number of seconds")
        connect_args["timeout"] = int(timeout)
    if options:
        connect_args["dsn"] = "postgresql:///?" + urlencode(options)
    return parsed.set(query={}), connect_args


def upsert(conn: AsyncConnection, table: sa.Table) -> Any:
    """The INSERT of the connection's dialect, which takes ON CONFLICT (both SQLite and
    PostgreSQL have it, each under its own class)."""
    return (sqlite_insert if conn.dialect.name == "sqlite" else postgresql_insert)(table)


def _compact(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


@dataclass
class UserRecord:
    """A user's row: their conversation, time zone and the last Telegram update handled."""

    id: str
    conversation: ConversationState
    timezone: str
    exists: bool


class Storage:
    """The database: open once, share across handlers. `bound` gives a view of it whose every
    read and write runs in one given transaction (an event's)."""

    def __init__(
        self,
        engine: AsyncEngine,
        default_timezone: str,
        connection: AsyncConnection | None = None,
    ) -> None:
        self.engine = engine
        self.default_timezone = default_timezone
        self._connection = connection
        self.workshop_changes = WorkshopChanges()  # shared by the bound views (`bound`)
        self._driver_options: dict[str, Any] = {}  # PostgreSQL: DATABASE_URL's libpq options

    def bound(self, connection: AsyncConnection) -> Storage:
        view = copy.copy(self)
        view._connection = connection
        return view

    @asynccontextmanager
    async def transaction(self, priority: int = INTERACTIVE) -> AsyncIterator[AsyncConnection]:
        """A connection in a transaction: the bound one (committed by whoever began it), else a
        new one, committed when the block ends. `priority` LATER lets transactions of people
        waiting for an answer go first where connections are few (`bot.storage.aio`)."""
        if self._connection is not None:
            yield self._connection
            return
        async with self.engine.begin(priority) as conn:
            yield conn

    @classmethod
    def create(cls, url: str | None = None, default_timezone: str = "Europe/Stockholm") -> Storage:
        """Set up the engine without connecting (call `prepare` inside the event loop)."""
        url = async_url(url or default_url())
        if url.startswith("sqlite"):
            # SQLite has one writer at a time: one connection per process queues our own writes
            # in the pool instead of failing with "database is locked" under load
            engine = create_async_engine(
                url,
                PriorityGate(1),
                pool_size=1,
                max_overflow=0,
                pool_timeout=120,
                hide_parameters=True,
            )
            event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        else:
            target, connect_args = postgres_options(url)
            engine = create_async_engine(
                target,
                connect_args=connect_args,
                hide_parameters=True,  # no user data in errors
            )
        metrics.count_round_trips(engine.sync_engine)
        storage = cls(engine, default_timezone)
        if not url.startswith("sqlite"):
            storage._driver_options = connect_args
        return storage

    async def driver_connection(self) -> Any:
        """A PostgreSQL connection of the driver's own (asyncpg), outside the pool, with the
        options of DATABASE_URL: LISTEN holds its connection for as long as it listens
        (`bot.storage.notify`)."""
        import asyncpg

        _args, params = self.engine.dialect.create_connect_args(self.engine.url)
        return await asyncpg.connect(**params, **self._driver_options)

    async def prepare(self) -> str:
        """Create or upgrade the schema (`bot.storage.migrate`); returns its revision. Raises
        SchemaError for a database this version does not know. A database already at the
        newest revision is recognised without loading Alembic."""
        async with self.engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                await _intact(conn)
            if await conn.run_sync(at_head):
                return HEAD
        from bot.storage import migrate  # Alembic: only when there is something to do

        async with self.engine.begin() as conn:
            return await conn.run_sync(migrate.upgrade)

    @classmethod
    async def open(
        cls, url: str | None = None, default_timezone: str = "Europe/Stockholm"
    ) -> Storage:
        storage = cls.create(url, default_timezone)
        await storage.prepare()
        return storage

    async def close(self) -> None:
        await self.engine.dispose()

    async def ping(self) -> None:
        """Raise unless the database answers (the health check)."""
        async with self.engine.connect() as conn:
            await conn.execute(sa.select(users.c.id).limit(1))  # a table, not SELECT 1
        if self.engine.dialect.name == "sqlite" and self.engine.url.database:
            # the pooled connection answers from its cache: a file damaged or replaced under
            # the running process shows only to a fresh connection
            await asyncio.to_thread(_read_afresh, self.engine.url.database)

    async def load(self, user_id: str, lang: str = "en", *, lock: bool = False) -> UserRecord:
        """The user's record (a new one if they have none). `lock` holds their row until the
        transaction ends (PostgreSQL: FOR UPDATE; SQLite has one writer at a time anyway), so
        two events of one user on two replicas run one after the other."""
        query = sa.select(users.c.state, users.c.timezone).where(users.c.id == user_id)
        async with self.transaction() as conn:
            row = (await conn.execute(query.with_for_update() if lock else query)).first()
        return self._record(user_id, lang, row)

    async def open_event(
        self, user_id: str, lang: str, update_id: int | None, now: float, fingerprint: str = ""
    ) -> tuple[bool, UserRecord]:
        """The start of an event: claim its Telegram update and load the user's row, locked.
        Returns False for an update handled before (Telegram delivers again what was not
        confirmed), with the record as it stands. On PostgreSQL this is one statement, so an
        event costs one round trip before its flows run."""
        if update_id is None:
            return True, await self.load(user_id, lang, lock=True)
        async with self.transaction() as conn:
            if conn.dialect.name == "postgresql":
                params = {"update_id": update_id, "now": now, "id": user_id}
                row = (
                    await conn.execute(_CLAIM_AND_LOCK, {**params, "fingerprint": fingerprint})
                ).one()
                claimed, record = row.claimed, self._record(user_id, lang, row)
            else:
                claimed = await self.claim_update(update_id, now, fingerprint)
                record = await self.load(user_id, lang, lock=True)
            if update_id % 1000 == 0:  # now and then, forget the old ones
                await conn.execute(
                    processed_updates.delete().where(processed_updates.c.handled < now - WEEK)
                )
        return claimed, record

    def _record(self, user_id: str, lang: str, row: Any) -> UserRecord:
        if row is None or row.state is None:
            return UserRecord(
                user_id, ConversationState(lang=lang), self.default_timezone, exists=False
            )
        state = ConversationState.from_dict(json.loads(row.state))
        return UserRecord(user_id, state, row.timezone, exists=True)

    async def claim_update(self, update_id: int, now: float, fingerprint: str = "") -> bool:
        """Record that this Telegram update is being handled; False if it was handled before:
        the same id carrying the same thing (`fingerprint`). Ids are kept for a week, far past
        Telegram's redelivery (it keeps updates 24 hours); their order means nothing, and a new
        Bot API server starts them again, so an old id with new content is a new update."""
        async with self.transaction() as conn:
            statement = upsert(conn, processed_updates).values(
                update_id=update_id, handled=now, fingerprint=fingerprint
            )
            claimed = await conn.execute(
                statement.on_conflict_do_update(
                    index_elements=["update_id"],
                    set_={"handled": now, "fingerprint": fingerprint},
                    where=processed_updates.c.fingerprint != statement.excluded.fingerprint,
                )
            )
        return bool(claimed.rowcount)

    async def save(self, record: UserRecord, completed: AssessmentCompleted | None = None) -> None:
        """Write the record (and a completed assessment) in one transaction."""
        now = time.time()
        values = {
            "lang": record.conversation.lang,
            "timezone": record.timezone,
            "state": _compact(record.conversation.to_dict()),
            "updated": now,
        }
        async with self.transaction() as conn:
            if record.exists:
                await conn.execute(users.update().where(users.c.id == record.id).values(values))
            else:
                await conn.execute(users.insert().values(id=record.id, created=now, **values))
                record.exists = True
            if completed is not None:
                await self._insert_assessment(conn, record.id, completed)

    async def ensure_saved(self, record: UserRecord) -> None:
        """A new user's row, written now for rows that refer to it (a reminder, a consent);
        the event's own save updates it later."""
        if not record.exists:
            if (await self.load(record.id)).exists:
                record.exists = True
            else:
                await self.save(record)

    async def _insert_assessment(
        self, conn: AsyncConnection, user_id: str, completed: AssessmentCompleted
    ) -> None:
        await conn.execute(
            assessments.insert().values(
                user_id=user_id,
                mode=completed.mode,
                started=completed.started,
                completed=completed.completed,
                answers=_compact(completed.answers),
                percents=_compact(list(completed.percents)),
                position=completed.position,
                team_id=completed.team,
            )
        )
        if completed.team is None:  # the regional picture's row, when the user consents
            await refresh_cluster(conn, user_id)


PERSONAL_DATA = (
    # the conversation record (language, time zone, where the user is, their answers so far);
    # erased last, as the other tables refer to it
    Holding("profile", users, ("id",), delete_where(users, "id"), rows_where(users, "id")),
)


def _read_afresh(path: str) -> None:
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as fresh:
        fresh.execute("SELECT id FROM users LIMIT 1").fetchall()


async def _intact(conn: AsyncConnection) -> None:
    """SQLite's quick check of the whole file, at start: a damaged page is one line now rather
    than errors for whichever users' rows it holds later (milliseconds for a region's file)."""
    try:
        found = [row[0] for row in (await conn.execute(sa.text("PRAGMA quick_check(3)"))).all()]
    except sa.exc.DatabaseError as exc:  # damaged where the check itself has to read
        found = [str(exc.orig)]
    if found != ["ok"]:
        where = conn.sync_connection.engine.url.database
        found = [" ".join(line.split()) for line in found]  # SQLite's report, on one line
        raise SchemaError(
            f"the database file {where} is damaged ({'; '.join(found)}); restore it from a "
            "backup (see the README's Backups), or move it away to start afresh"
        )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")  # other processes on the same file
    cursor.close()
