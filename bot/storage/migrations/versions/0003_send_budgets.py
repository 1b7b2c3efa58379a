"""Send budgets shared by the replicas: the pacing of the bot as a whole (overall, bulk, per
chat, live results) kept in the database instead of in each process.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "send_budgets",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("tat", sa.Float, nullable=False),
        sa.Index("send_budgets_tat", "tat"),
    )


def downgrade() -> None:
    op.drop_table("send_budgets")
