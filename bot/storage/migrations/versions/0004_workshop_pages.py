"""The workshop's projector page and its live results: a revision counted up by every change
(the page and the Telegram message show a revision, and know when they are behind), the
revision the Telegram results message last showed (so a restart finds what was not shown), the
generation of the page's link (a new link revokes the old), and a table of the installation's
own values (the secret that signs page links, the bot's username for join links).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workshops") as batch:
        batch.add_column(sa.Column("revision", sa.Integer, nullable=False, server_default="1"))
        batch.add_column(
            sa.Column("results_revision", sa.Integer, nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("link_generation", sa.Integer, nullable=False, server_default="1")
        )
    op.create_table(
        "app_values",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("app_values")
    with op.batch_alter_table("workshops") as batch:
        batch.drop_column("link_generation")
        batch.drop_column("results_revision")
        batch.drop_column("revision")
