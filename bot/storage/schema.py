"""The tables, in SQLAlchemy Core: users with their conversation record, assessments,
reminders, workshops. Only constructs that SQLite and PostgreSQL both understand."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # "tg:<telegram id>" or "cli:<name>"
    sa.Column("lang", sa.String(8), nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("state", sa.Text, nullable=False),  # the conversation record as JSON
    sa.Column("last_update", sa.BigInteger, nullable=True),  # unused since revision 0002
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("updated", sa.Float, nullable=False),  # the user's last activity
    # when the retention job announced the erasure of an inactive user (`bot.retention`);
    # a notice older than `updated` belongs to an earlier pause
    sa.Column("retention_notice", sa.Float, nullable=True),
)

assessments = sa.Table(
    "assessments",
    metadata,
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
    sa.Column("answers", sa.Text, nullable=False),  # {question id: [answer id, unix time]}
    sa.Column("percents", sa.Text, nullable=False),  # per-step readiness, JSON list
    sa.Column("position", sa.Integer, nullable=True),
    # the team the assessment was made for (a colleague answering for their cluster), else null
    sa.Column("team_id", sa.Integer, nullable=True, index=True),
)

reminders = sa.Table(
    "reminders",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # one row per user: rescheduling reuses it
    sa.Column(
        "user_id",
        sa.String(64),
        sa.ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    sa.Column("chat_id", sa.BigInteger, nullable=False),
    sa.Column("interval_days", sa.Integer, nullable=False),  # 7, 14 or 30
    sa.Column("due", sa.Float, nullable=False),  # unix time (UTC)
    # scheduled → claimed → scheduled again for the next time (sent_at records the send);
    # paused, stopped, blocked (the user blocked the bot)
    sa.Column("state", sa.String(12), nullable=False),
    sa.Column("claimed_at", sa.Float, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, default=0, server_default="0"),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("sent_at", sa.Float, nullable=True),
    sa.Column("created", sa.Float, nullable=False),
    sa.Index("reminders_due", "state", "due"),  # what the reminder job claims by
)

workshops = sa.Table(
    "workshops",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("code", sa.String(8), nullable=False, unique=True),  # the join code
    sa.Column("invite", sa.String(16), nullable=False, unique=True),  # co-facilitator secret
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("owner", sa.String(64), nullable=False),
    sa.Column("closed", sa.Boolean, nullable=False, default=False),
    sa.Column("created", sa.Float, nullable=False),
    # where the live results message is (the latest one a facilitator opened)
    sa.Column("results_chat", sa.BigInteger, nullable=True),
    sa.Column("results_message", sa.BigInteger, nullable=True),
    sa.Column("results_lang", sa.String(8), nullable=True),
    # counted up by every change of the workshop or its answers; the results message and the
    # projector page compare it with what they show (`results_revision`: the message's)
    sa.Column("revision", sa.Integer, nullable=False, server_default="1"),
    sa.Column("results_revision", sa.Integer, nullable=False, server_default="0"),
    # the projector page's link is signed over (id, generation): a new link revokes the old
    sa.Column("link_generation", sa.Integer, nullable=False, server_default="1"),
    # the profanity filter holds flagged texts back; the projector shows the results
    sa.Column("filter_on", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("revealed", sa.Boolean, nullable=False, server_default=sa.true()),
)

workshop_facilitators = sa.Table(
    "workshop_facilitators",
    metadata,
    sa.Column(
        "workshop_id",
        sa.Integer,
        sa.ForeignKey("workshops.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("user_id", sa.String(64), primary_key=True),
)

workshop_answers = sa.Table(
    "workshop_answers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "workshop_id",
        sa.Integer,
        sa.ForeignKey("workshops.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    # the participant's user id while they may change their answers; an anonymous key after
    # they erase their data (their answers stay in the totals, unlinked from them)
    sa.Column("participant", sa.String(64), nullable=False),
    sa.Column("lang", sa.String(8), nullable=False),
    sa.Column("step", sa.Integer, nullable=True),
    sa.Column("challenges", sa.Text, nullable=False, default="[]"),
    sa.Column("kinds", sa.Text, nullable=False, default="[]"),
    sa.Column("sources", sa.Text, nullable=False, default="[]"),
    sa.Column("support_from", sa.Text, nullable=False, default=""),
    sa.Column("updated", sa.Float, nullable=False),
    sa.UniqueConstraint("workshop_id", "participant"),
)

# a facilitator's decision on one free text of one answer: "hidden", or "shown" (a text the
# profanity filter held back, let through); the text is known by a digest of its words
# (`flows.workshop.moderation`), and goes with its answer
workshop_moderation = sa.Table(
    "workshop_moderation",
    metadata,
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

join_attempts = sa.Table(
    "join_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.String(64), nullable=False, index=True),
    sa.Column("at", sa.Float, nullable=False),
)

processed_updates = sa.Table(
    "processed_updates",
    metadata,
    # Telegram updates handled in the last week: a duplicate is one whose id is here with the
    # same fingerprint (what it carried: "m<chat>:<message>" or "c<callback query id>")
    sa.Column("update_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("handled", sa.Float, nullable=False),
    sa.Column("fingerprint", sa.String(80), nullable=True),
    sa.Index("processed_updates_handled", "handled"),
)

teams = sa.Table(
    "teams",
    metadata,
    # a cluster's team: several respondents answer the checks for one cluster
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("invite", sa.String(16), nullable=False, unique=True),  # /start tm_<invite>
    sa.Column("owner", sa.String(64), nullable=False),
    sa.Column("cluster", sa.String(120), nullable=False),  # the cluster's name
    sa.Column("members_see_team", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("closed", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created", sa.Float, nullable=False),
)

team_members = sa.Table(
    "team_members",
    metadata,
    sa.Column(
        "team_id", sa.Integer, sa.ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("user_id", sa.String(64), primary_key=True),
    sa.Column("joined", sa.Float, nullable=False),
    sa.Index("team_members_user", "user_id"),
)

regional_consents = sa.Table(
    "regional_consents",
    metadata,
    # a user who agreed to share their results, anonymously, for the regional picture
    sa.Column(
        "user_id", sa.String(64), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("region", sa.String(64), nullable=False),  # a Swedish län's code, or a country's
    sa.Column("field", sa.String(32), nullable=False),  # the cluster's field (a short list)
    sa.Column("consented", sa.Float, nullable=False),
    sa.Index("regional_consents_region", "region", "field"),
)

regional_clusters = sa.Table(
    "regional_clusters",
    metadata,
    # one row per consenting cluster, kept in the transaction of each of its own assessments
    # and of its consent: the latest assessment, and the first one's step (the view's "change
    # between assessments"), so the peers line and the regional view read one row a cluster
    # instead of every assessment; gone with the consent
    sa.Column(
        "user_id",
        sa.String(64),
        sa.ForeignKey("regional_consents.user_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("region", sa.String(64), nullable=False),
    sa.Column("field", sa.String(32), nullable=False),
    sa.Column("position", sa.Integer, nullable=True),  # the latest's step; None: all ready
    sa.Column("answers", sa.Text, nullable=False),  # the latest's answers: {question: answer}
    sa.Column("percents", sa.Text, nullable=False),  # the latest's readiness per step (JSON)
    sa.Column("completed", sa.Float, nullable=False),  # when the latest was completed
    sa.Column("first_position", sa.Integer, nullable=True),  # the first own assessment's step
    sa.Column("assessed", sa.Integer, nullable=False),  # how many own assessments
    sa.Index("regional_clusters_position", "position"),
    sa.Index("regional_clusters_region", "region", "field"),
)

regional_answers = sa.Table(
    "regional_answers",
    metadata,
    # the peers line's counts, kept with `regional_clusters`: of the clusters whose latest is
    # at `position`, how many gave `answer_id` to `question_id` ("" and "": how many there
    # are), so the line reads a few dozen rows however many clusters share; counts, no user
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("question_id", sa.String(64), primary_key=True),
    sa.Column("answer_id", sa.String(32), primary_key=True),
    sa.Column("clusters", sa.Integer, nullable=False),
)

regional_cells = sa.Table(
    "regional_cells",
    metadata,
    # the regional view's counts, kept with `regional_clusters`: per region and field, how
    # many consenting clusters there are, at each step, with each answer, and moved from which
    # step to which (JSON, `bot.storage.clusters`), so the view reads a row per region and
    # field, not one per cluster; counts, no user
    sa.Column("region", sa.String(64), primary_key=True),
    sa.Column("field", sa.String(32), primary_key=True),
    sa.Column("clusters", sa.Integer, nullable=False),
    sa.Column("counts", sa.Text, nullable=False),
)

observers = sa.Table(
    "observers",
    metadata,
    # an access link to the regional view, made by an operator; revoked links stay, revoked
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("region", sa.String(64), nullable=True),  # None: every region
    sa.Column("label", sa.String(120), nullable=False),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("revoked", sa.Boolean, nullable=False, server_default=sa.false()),
)

app_values = sa.Table(
    "app_values",
    metadata,
    # the installation's own values, shared by the replicas: "web_secret" (signs page links),
    # "bot_username" (join links on pages served without the bot)
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("value", sa.String(200), nullable=False),
)

send_budgets = sa.Table(
    "send_budgets",
    metadata,
    # one pacing budget of the bot as a whole (`bot.telegram.pacing`): "all", "bulk",
    # "chat:<id>", "results:<workshop>"; `tat` is when its next slot is free (unix seconds)
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("tat", sa.Float, nullable=False),
    sa.Index("send_budgets_tat", "tat"),
)

web_identities = sa.Table(
    "web_identities",
    metadata,
    # a browser user's sign-in generation: their cookie and their "continue on another device"
    # link carry it, and a new generation revokes both (`bot.web.identity`)
    sa.Column(
        "user_id",
        sa.String(64),
        sa.ForeignKey("users.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("generation", sa.Integer, nullable=False),
    sa.Column("changed", sa.Float, nullable=False),
)

web_messages = sa.Table(
    "web_messages",
    metadata,
    # the browser chat's recent messages, the user's and the bot's, so that a page (on any
    # replica, after any restart) shows the conversation; the oldest go past WEB_KEPT
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "user_id",
        sa.String(64),
        sa.ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("turn", sa.Integer, nullable=False),  # the exchange it belongs to, counted up
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("body", sa.Text, nullable=False),  # who, text and buttons, as JSON
    sa.Column("attachment", sa.Text, nullable=True),  # the picture or file, as data (JSON)
    sa.Index("web_messages_user", "user_id", "id"),
)
