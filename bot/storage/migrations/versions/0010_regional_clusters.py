"""One row per consenting cluster (its latest own assessment and the first one's step), so the
regional view costs one row a cluster, not a scan of every assessment, and the peers line's
counts per step, question and answer, so it costs the same however many clusters share; both
filled from the assessments already stored.

Revision ID: 0010
Revises: 0009
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "regional_clusters",
        sa.Column(
            "user_id",
            sa.String(64),
            sa.ForeignKey("regional_consents.user_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("region", sa.String(64), nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer, nullable=True),
        sa.Column("answers", sa.Text, nullable=False),
        sa.Column("percents", sa.Text, nullable=False),
        sa.Column("completed", sa.Float, nullable=False),
        sa.Column("first_position", sa.Integer, nullable=True),
        sa.Column("assessed", sa.Integer, nullable=False),
        sa.Index("regional_clusters_position", "position"),
        sa.Index("regional_clusters_region", "region", "field"),
    )
    op.create_table(
        "regional_answers",
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("question_id", sa.String(64), primary_key=True),
        sa.Column("answer_id", sa.String(32), primary_key=True),
        sa.Column("clusters", sa.Integer, nullable=False),
    )
    # the backfill: what `bot.storage.clusters.refresh_cluster` keeps from then on
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT c.user_id, c.region, c.field, a.position, a.answers, a.percents, a.completed"
            " FROM regional_consents c JOIN assessments a ON a.user_id = c.user_id"
            " WHERE a.team_id IS NULL ORDER BY c.user_id, a.completed, a.id"
        )
    ).all()
    clusters: dict[str, dict[str, object]] = {}
    for row in rows:
        entry = clusters.get(row.user_id)
        if entry is None:
            entry = clusters[row.user_id] = {
                "user_id": row.user_id,
                "region": row.region,
                "field": row.field,
                "first_position": row.position,
                "assessed": 0,
            }
        entry.update(
            position=row.position,
            answers=_answer_ids(row.answers),
            percents=row.percents,
            completed=row.completed,
            assessed=int(entry["assessed"]) + 1,  # type: ignore[call-overload]
        )
    if clusters:
        table = sa.table(
            "regional_clusters",
            *(
                sa.column(name)
                for name in (
                    "user_id", "region", "field", "position", "answers", "percents",
                    "completed", "first_position", "assessed",
                )
            ),
        )  # fmt: skip
        connection.execute(table.insert(), list(clusters.values()))
    counts: dict[tuple[int, str, str], int] = {}
    for entry in clusters.values():
        if entry["position"] is None:
            continue
        position = int(entry["position"])  # type: ignore[call-overload]
        keys = [(position, "", "")] + [
            (position, question, answer)
            for question, answer in json.loads(str(entry["answers"])).items()
        ]
        for key in keys:
            counts[key] = counts.get(key, 0) + 1
    if counts:
        answers = sa.table(
            "regional_answers",
            *(sa.column(n) for n in ("position", "question_id", "answer_id", "clusters")),
        )
        connection.execute(
            answers.insert(),
            [
                {"position": p, "question_id": q, "answer_id": a, "clusters": n}
                for (p, q, a), n in sorted(counts.items())
            ],
        )


def _answer_ids(stored: str) -> str:
    """{question: [answer, time]} as the assessments keep them → {question: answer}."""
    answers = json.loads(stored)
    return json.dumps(
        {question: value[0] for question, value in answers.items()},
        separators=(",", ":"),
        ensure_ascii=False,
    )


def downgrade() -> None:
    op.drop_table("regional_answers")
    op.drop_table("regional_clusters")
