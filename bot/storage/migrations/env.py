"""Alembic's environment, run by `bot.storage.migrate` on a connection it hands over (never from
an alembic.ini): the bot upgrades its own database."""

from alembic import context

from bot.storage.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
    compare_server_default=True,
)
with context.begin_transaction():
    context.run_migrations()
