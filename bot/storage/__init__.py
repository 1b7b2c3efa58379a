"""Storage with SQLAlchemy 2 Core (async): SQLite by default, PostgreSQL by URL. One module per
table group (`database` has the users and assessments), the tables in `schema`, and `store`
the flows' view of it for one event."""

from bot.storage.database import Storage, UserRecord, async_url

__all__ = ["Storage", "UserRecord", "async_url"]
