"""The schema's history as Alembic revisions; `bot.storage.migrate` runs them."""
