"""The regional view's counts per region and field (`regional_cells`), so the view reads a row
per region and field instead of one per consenting cluster; filled from `regional_clusters`.

Revision ID: 0011
Revises: 0010
"""

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "regional_cells",
        sa.Column("region", sa.String(64), primary_key=True),
        sa.Column("field", sa.String(32), primary_key=True),
        sa.Column("clusters", sa.Integer, nullable=False),
        sa.Column("counts", sa.Text, nullable=False),
    )
    # the backfill: what `bot.storage.clusters` keeps from then on (its `encode`)
    rows = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT region, field, position, answers, first_position, assessed"
                " FROM regional_clusters"
            )
        )
        .all()
    )
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        cell = cells.setdefault((row.region, row.field), {"n": 0, "p": {}, "a": {}, "m": {}})
        cell["n"] += 1
        cell["p"][row.position] = cell["p"].get(row.position, 0) + 1
        for question, answer in json.loads(row.answers).items():
            given = cell["a"].setdefault(question, {})
            given[answer] = given.get(answer, 0) + 1
        if row.assessed >= 2:
            move = (row.first_position, row.position)
            cell["m"][move] = cell["m"].get(move, 0) + 1
    if cells:
        table = sa.table(
            "regional_cells", *(sa.column(n) for n in ("region", "field", "clusters", "counts"))
        )
        op.get_bind().execute(
            table.insert(),
            [
                {
                    "region": region,
                    "field": field,
                    "clusters": cell["n"],
                    "counts": json.dumps(
                        {
                            "p": sorted(cell["p"].items(), key=str),
                            "a": cell["a"],
                            "m": sorted(([*m, n] for m, n in cell["m"].items()), key=str),
                        },
                        separators=(",", ":"),
                        ensure_ascii=False,
                    ),
                }
                for (region, field), cell in sorted(cells.items())
            ],
        )


def downgrade() -> None:
    op.drop_table("regional_cells")
