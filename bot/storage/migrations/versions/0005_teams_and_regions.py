"""Teams (several respondents answering for one cluster), consent to share results for the
regional picture, and the operators' access links to the regional view.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assessments") as batch:
        batch.add_column(sa.Column("team_id", sa.Integer, nullable=True))
        batch.create_index("ix_assessments_team_id", ["team_id"])
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("invite", sa.String(16), nullable=False, unique=True),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("cluster", sa.String(120), nullable=False),
        sa.Column("members_see_team", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("closed", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created", sa.Float, nullable=False),
    )
    op.create_table(
        "team_members",
        sa.Column(
            "team_id",
            sa.Integer,
            sa.ForeignKey("teams.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("joined", sa.Float, nullable=False),
        sa.Index("team_members_user", "user_id"),
    )
    op.create_table(
        "regional_consents",
        sa.Column(
            "user_id",
            sa.String(64),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("region", sa.String(64), nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("consented", sa.Float, nullable=False),
        sa.Index("regional_consents_region", "region", "field"),
    )
    op.create_table(
        "observers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("region", sa.String(64), nullable=True),
        sa.Column("label", sa.String(120), nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_table("observers")
    op.drop_table("regional_consents")
    op.drop_table("team_members")
    op.drop_table("teams")
    with op.batch_alter_table("assessments") as batch:
        batch.drop_index("ix_assessments_team_id")
        batch.drop_column("team_id")
