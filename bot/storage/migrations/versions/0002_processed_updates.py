"""Duplicates by identity: the ids of handled Telegram updates, instead of the highest id seen
per user (Telegram restarts its ids after a week without updates; replicas handle updates out of
order). `users.last_update` is no longer read or written but stays: dropping a column on SQLite
means copying the users table, whose foreign keys would take the assessments with it.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "processed_updates",
        sa.Column("update_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("handled", sa.Float, nullable=False),
        sa.Index("processed_updates_handled", "handled"),
    )


def downgrade() -> None:
    op.drop_table("processed_updates")
