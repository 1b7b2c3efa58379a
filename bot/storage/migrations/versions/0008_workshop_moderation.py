"""Workshop moderation: the facilitators' decisions on free texts, the profanity filter's
switch and whether the projector shows the results yet.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workshops") as batch:
        batch.add_column(
            sa.Column("filter_on", sa.Boolean, nullable=False, server_default=sa.true())
        )
        batch.add_column(
            sa.Column("revealed", sa.Boolean, nullable=False, server_default=sa.true())
        )
    op.create_table(
        "workshop_moderation",
        sa.Column(
            "answer_id",
            sa.Integer,
            sa.ForeignKey("workshop_answers.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("ref", sa.String(16), primary_key=True),
        sa.Column(
            "workshop_id",
            sa.Integer,
            sa.ForeignKey("workshops.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("decision", sa.String(8), nullable=False),
        sa.Column("decided", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("workshop_moderation")
    with op.batch_alter_table("workshops") as batch:
        batch.drop_column("revealed")
        batch.drop_column("filter_on")
