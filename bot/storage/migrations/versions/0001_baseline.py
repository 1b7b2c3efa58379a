"""The schema of release 44e7cdf (the first version): users, assessments, reminders, workshops.

A database that release made has these tables but no version; `bot.storage.migrate` recognises
it and records this revision for it instead of running this one.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("last_update", sa.BigInteger, nullable=True),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("updated", sa.Float, nullable=False),
    )
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "user_id",
            sa.String(64),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("mode", sa.String(8), nullable=False),
        sa.Column("started", sa.Float, nullable=True),
        sa.Column("completed", sa.Float, nullable=False),
        sa.Column("answers", sa.Text, nullable=False),
        sa.Column("percents", sa.Text, nullable=False),
        sa.Column("position", sa.Integer, nullable=True),
    )
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "user_id",
            sa.String(64),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("interval_days", sa.Integer, nullable=False),
        sa.Column("due", sa.Float, nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("claimed_at", sa.Float, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("sent_at", sa.Float, nullable=True),
        sa.Column("created", sa.Float, nullable=False),
        sa.Index("reminders_due", "state", "due"),
    )
    op.create_table(
        "workshops",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(8), nullable=False, unique=True),
        sa.Column("invite", sa.String(16), nullable=False, unique=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("closed", sa.Boolean, nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("results_chat", sa.BigInteger, nullable=True),
        sa.Column("results_message", sa.BigInteger, nullable=True),
        sa.Column("results_lang", sa.String(8), nullable=True),
    )
    op.create_table(
        "workshop_facilitators",
        sa.Column(
            "workshop_id",
            sa.Integer,
            sa.ForeignKey("workshops.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("user_id", sa.String(64), primary_key=True),
    )
    op.create_table(
        "workshop_answers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "workshop_id",
            sa.Integer,
            sa.ForeignKey("workshops.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("participant", sa.String(64), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("step", sa.Integer, nullable=True),
        sa.Column("challenges", sa.Text, nullable=False),
        sa.Column("kinds", sa.Text, nullable=False),
        sa.Column("sources", sa.Text, nullable=False),
        sa.Column("support_from", sa.Text, nullable=False),
        sa.Column("updated", sa.Float, nullable=False),
        sa.UniqueConstraint("workshop_id", "participant"),
    )
    op.create_table(
        "join_attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.String(64), nullable=False, index=True),
        sa.Column("at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "join_attempts",
        "workshop_answers",
        "workshop_facilitators",
        "workshops",
        "reminders",
        "assessments",
        "users",
    ):
        op.drop_table(table)
