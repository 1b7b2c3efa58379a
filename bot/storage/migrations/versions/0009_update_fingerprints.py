"""What a handled update carried, beside its id: the message's chat and id, or the callback
query's id. A duplicate is the same id *and* the same content; after a move to another Bot API
server (whose ids start again) a new update with an old id is handled, not dropped. Rows from
before have none and count as the same update (nothing handled twice across the upgrade).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("processed_updates") as batch:
        batch.add_column(sa.Column("fingerprint", sa.String(80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("processed_updates") as batch:
        batch.drop_column("fingerprint")
