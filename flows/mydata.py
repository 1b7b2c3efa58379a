"""/mydata: a copy of everything stored about the user, made from the personal-data registry's
export (`turn.store.privacy.export`): as JSON to take elsewhere and as a document to read.

Every stored column has an entry in `FIELDS` (its label and how a reader reads it), so a column
cannot reach the copy unexplained (`tests/test_mydata.py` checks them against the schema, and
docs/MYDATA.md describes each key). Values stay as stored in the JSON, times as ISO 8601 in UTC;
the readable copy puts codes into words (answers, steps, regions, months)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from babel.dates import format_datetime

from flows.actionplan.ownership import month_label
from flows.content_model import Content, Option
from flows.i18n import N_, _, current_language, ngettext
from flows.locales import language
from flows.messages import (
    Attachment,
    DataCopy,
    DataField,
    DataSection,
    DataTable,
    JsonValue,
    Reply,
)
from flows.privacy import INVENTORY
from flows.regional.places import FIELD_BY_CODE, PLACES
from flows.reminders.timing import zone
from flows.state import ConversationState
from flows.turn import Turn


class Kind(Enum):
    """How a reader reads a stored value."""

    TEXT = "text"  # as it is
    TIME = "time"  # unix seconds: a date and time in the user's zone
    FLAG = "flag"  # yes or no
    LIST = "list"  # a JSON list: one item each
    HIDDEN = "hidden"  # bookkeeping: in the JSON only


@dataclass(frozen=True)
class Field:
    label: str  # N_
    kind: Kind = Kind.TEXT


T, TIME, FLAG, LIST, HIDDEN = Kind.TEXT, Kind.TIME, Kind.FLAG, Kind.LIST, Kind.HIDDEN

# "table.column" → its label: every column of every table in the registry (and the workshop's
# title that the export adds to an answer)
FIELDS: dict[str, Field] = {
    "users.id": Field(N_("Your user id")),
    "users.lang": Field(N_("Language")),
    "users.timezone": Field(N_("Time zone")),
    "users.state": Field(N_("The conversation record"), HIDDEN),
    "users.last_update": Field(N_("Unused"), HIDDEN),
    "users.created": Field(N_("First used"), TIME),
    "users.updated": Field(N_("Last active"), TIME),
    "users.retention_notice": Field(N_("Told of the erasure after inactivity"), TIME),
    "assessments.id": Field(N_("Number"), HIDDEN),
    "assessments.user_id": Field(N_("Your user id"), HIDDEN),
    "assessments.mode": Field(N_("Kind of check")),
    "assessments.started": Field(N_("Started"), TIME),
    "assessments.completed": Field(N_("Completed"), TIME),
    "assessments.answers": Field(N_("Answers")),
    "assessments.percents": Field(N_("Readiness per step")),
    "assessments.position": Field(N_("The step you were at")),
    "assessments.team_id": Field(N_("Made for team number")),
    "reminders.id": Field(N_("Number"), HIDDEN),
    "reminders.user_id": Field(N_("Your user id"), HIDDEN),
    "reminders.chat_id": Field(N_("The chat reminders go to")),
    "reminders.interval_days": Field(N_("Every (days)")),
    "reminders.due": Field(N_("Next reminder"), TIME),
    "reminders.state": Field(N_("State")),
    "reminders.claimed_at": Field(N_("Being sent since"), HIDDEN),
    "reminders.attempts": Field(N_("Attempts"), HIDDEN),
    "reminders.last_error": Field(N_("Last error"), HIDDEN),
    "reminders.sent_at": Field(N_("Last sent"), TIME),
    "reminders.created": Field(N_("Asked for"), TIME),
    "workshop_answers.id": Field(N_("Number"), HIDDEN),
    "workshop_answers.workshop_id": Field(N_("Workshop number")),
    "workshop_answers.workshop_title": Field(N_("Workshop")),
    "workshop_answers.participant": Field(N_("Your user id"), HIDDEN),
    "workshop_answers.lang": Field(N_("Language")),
    "workshop_answers.step": Field(N_("Step you chose")),
    "workshop_answers.challenges": Field(N_("Your challenges, as you wrote them"), LIST),
    "workshop_answers.kinds": Field(N_("Kinds of support"), LIST),
    "workshop_answers.sources": Field(N_("Sources of support"), LIST),
    "workshop_answers.support_from": Field(N_("From whom you want support")),
    "workshop_answers.updated": Field(N_("Answered"), TIME),
    "join_attempts.id": Field(N_("Number"), HIDDEN),
    "join_attempts.user_id": Field(N_("Your user id"), HIDDEN),
    "join_attempts.at": Field(N_("When"), TIME),
    "workshops.id": Field(N_("Workshop number")),
    "workshops.code": Field(N_("Join code")),
    "workshops.invite": Field(N_("Co-facilitators' invitation"), HIDDEN),
    "workshops.title": Field(N_("Title")),
    "workshops.owner": Field(N_("Your user id"), HIDDEN),
    "workshops.closed": Field(N_("Closed"), FLAG),
    "workshops.created": Field(N_("Created"), TIME),
    "workshops.results_chat": Field(N_("The chat showing its results"), HIDDEN),
    "workshops.results_message": Field(N_("The message showing its results"), HIDDEN),
    "workshops.results_lang": Field(N_("Language of the results"), HIDDEN),
    "workshops.revision": Field(N_("Changes"), HIDDEN),
    "workshops.results_revision": Field(N_("Changes shown"), HIDDEN),
    "workshops.link_generation": Field(N_("Projector links made"), HIDDEN),
    "workshops.filter_on": Field(N_("Profanity filter on"), FLAG),
    "workshops.revealed": Field(N_("Results shown on the projector page"), FLAG),
    "workshop_facilitators.workshop_id": Field(N_("Workshop number")),
    "workshop_facilitators.user_id": Field(N_("Your user id"), HIDDEN),
    "regional_consents.user_id": Field(N_("Your user id"), HIDDEN),
    "regional_consents.region": Field(N_("Region")),
    "regional_consents.field": Field(N_("Field")),
    "regional_consents.consented": Field(N_("Agreed"), TIME),
    "regional_clusters.user_id": Field(N_("Your user id"), HIDDEN),
    "regional_clusters.region": Field(N_("Region")),
    "regional_clusters.field": Field(N_("Field")),
    "regional_clusters.position": Field(N_("The step you were at")),
    "regional_clusters.answers": Field(N_("Answers")),
    "regional_clusters.percents": Field(N_("Readiness per step")),
    "regional_clusters.completed": Field(N_("Completed"), TIME),
    "regional_clusters.first_position": Field(N_("The step you were at the first time")),
    "regional_clusters.assessed": Field(N_("Self-assessments counted")),
    "team_members.team_id": Field(N_("Team number")),
    "team_members.user_id": Field(N_("Your user id"), HIDDEN),
    "team_members.joined": Field(N_("Joined"), TIME),
    "teams.id": Field(N_("Team number")),
    "teams.invite": Field(N_("Invitation"), HIDDEN),
    "teams.owner": Field(N_("Your user id"), HIDDEN),
    "teams.cluster": Field(N_("Cluster's name, as you wrote it")),
    "teams.members_see_team": Field(N_("Members see the team's result"), FLAG),
    "teams.closed": Field(N_("Closed"), FLAG),
    "teams.created": Field(N_("Created"), TIME),
    "web_messages.id": Field(N_("Number"), HIDDEN),
    "web_messages.user_id": Field(N_("Your user id"), HIDDEN),
    "web_messages.turn": Field(N_("Exchange"), HIDDEN),
    "web_messages.created": Field(N_("Sent"), TIME),
    "web_messages.body": Field(N_("The message: who wrote it, its text and buttons")),
    "web_messages.attachment": Field(N_("A picture or file sent with it"), HIDDEN),
    "web_identities.user_id": Field(N_("Your user id"), HIDDEN),
    "web_identities.generation": Field(N_("Sign-in generation (a new link counts it up)")),
    "web_identities.changed": Field(N_("Last new link"), TIME),
}

# each kind of data, as the copy's headings name it
TITLES = {
    "profile": N_("Your profile and conversation"),
    "assessments": N_("Your self-assessments"),
    "reminders": N_("Your reminders"),
    "workshop_answers": N_("Your answers in workshops"),
    "join_attempts": N_("Workshop codes that matched nothing"),
    "workshops_run": N_("Workshops you run"),
    "regional_consent": N_("Sharing for the regional picture"),
    "teams": N_("Your teams"),
}

# each table, as the copy names it under its kind's heading
TABLES = {
    "users": N_("Profile"),
    "assessments": N_("Completed self-assessments"),
    "reminders": N_("Reminder"),
    "workshop_answers": N_("Answers"),
    "join_attempts": N_("Attempts"),
    "workshops": N_("Workshops"),
    "workshop_facilitators": N_("Facilitating"),
    "regional_consents": N_("Consent"),
    "regional_clusters": N_("What the regional picture reads (your latest self-assessment)"),
    "team_members": N_("Memberships"),
    "teams": N_("Teams you own"),
}

Rows = Mapping[str, Mapping[str, Sequence[Mapping[str, Any]]]]


def iso(seconds: float) -> str:
    """Unix seconds as ISO 8601 in UTC: "2026-12-05T09:30:00Z"."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class MyData:
    """The copy of the user's data, from the registry's export; `content` names the answers,
    steps and actions that are stored as codes."""

    def __init__(self, content: Content) -> None:
        self.content = content

    async def mydata_command(self, turn: Turn, _arg: str) -> None:
        turn.read_only = True
        held = await turn.store.privacy.export(turn.user_id)
        if not any(rows for tables in held.values() for rows in tables.values()):
            turn.say(Reply(_("I store nothing about you, so there is nothing to copy.")))
            return
        made = turn.now
        lang = current_language()
        stamp = datetime.fromtimestamp(made, UTC).strftime("%Y-%m-%d")
        turn.say(
            Reply(
                _(
                    "Here is everything I store about you, as two files: a document to read "
                    "and the same data as JSON, which other programs can read (its fields are "
                    "described in the project's docs/MYDATA.md). /privacy says why each part is "
                    "kept, and /delete erases it."
                )
            )
        )
        reader = Reader(self.content, lang, zone(turn.timezone))
        for kind, name, caption in (
            ("markdown", _("my-data-{date}.md"), _("Your data to read (Markdown).")),
            ("json", _("my-data-{date}.json"), _("Your data as JSON.")),
        ):
            copy = reader.copy(kind, turn.user_id, made, held)
            turn.say(Reply(caption, attachment=Attachment(name.format(date=stamp), copy)))


class Reader:
    """Stored rows as `DataField`s in one language and time zone."""

    def __init__(self, content: Content, lang: str, tz: Any) -> None:
        self.content, self.lang, self.tz = content, lang, tz

    def copy(self, kind: Any, user_id: str, made: float, held: Rows) -> DataCopy:
        sections = tuple(
            DataSection(
                category,
                _(TITLES.get(category, category)),
                tuple(_(line).removeprefix("• ") for line in INVENTORY.get(category, ())),
                tuple(
                    DataTable(
                        table,
                        _(TABLES.get(table, table)),
                        tuple(self.record(table, row) for row in rows),
                    )
                    for table, rows in tables.items()
                ),
            )
            for category, tables in held.items()
        )
        return DataCopy(
            kind=kind,
            lang=self.lang,
            title=_("Your data in Cluster Journey"),
            intro=_(
                "Everything stored about you, kind by kind, with why it is kept. Times are "
                "in your time zone. The JSON file holds the same data for other programs."
            ),
            user_id=user_id,
            made=iso(made),
            made_text=_("Made {date} for user id {user}").format(
                date=self.time(made), user=user_id
            ),
            sections=sections,
            nothing=_("Nothing stored."),
            footer=_("Send /delete to erase all of it; /privacy says why each part is kept."),
        )

    def record(self, table: str, row: Mapping[str, Any]) -> tuple[DataField, ...]:
        fields = [self.field(table, name, value) for name, value in row.items()]
        if table == "users":
            fields += self.conversation(row.get("state"))
        return tuple(fields)

    def field(self, table: str, name: str, value: Any) -> DataField:
        spec = FIELDS.get(f"{table}.{name}", Field(name, HIDDEN))
        label = _(spec.label)
        if spec.kind is TIME:
            stored = iso(value) if isinstance(value, int | float) else value
            return DataField(name, label, stored, self.time(value) if value is not None else "")
        if spec.kind is HIDDEN:
            return DataField(name, label, _json(value))
        words = SPECIAL.get(f"{table}.{name}")
        if words is not None and value is not None:
            text, items = words(self, value)
            return DataField(name, label, _json(value), text, items)
        if spec.kind is FLAG:
            return DataField(name, label, value, _("yes") if value else _("no"))
        if spec.kind is LIST or isinstance(value, list):
            items = tuple(str(v) for v in value) if isinstance(value, list) else ()
            return DataField(name, label, _json(value), "" if items else "–", items)
        return DataField(name, label, _json(value), "" if value in (None, "") else str(value))

    def time(self, seconds: float) -> str:
        moment = datetime.fromtimestamp(seconds, UTC)
        return format_datetime(moment, "d MMMM y HH:mm", tzinfo=self.tz, locale=self._babel)

    @property
    def _babel(self) -> str:
        return language(self.lang).babel

    # --- the conversation record, as a reader reads it ----------------------------------------

    def conversation(self, state: Any) -> list[DataField]:
        """The JSON keeps the whole record (`state`); the reader gets its parts in words: the
        action plan's cluster name and owners (as typed), due months, what is done."""
        if not isinstance(state, dict):
            return []
        conv = ConversationState.from_dict(state)
        plan = conv.plan

        def action(question_id: str) -> str:
            question = self.content.question(question_id)
            return question.action.get(self.lang) if question else question_id

        fields = [
            DataField(
                "plan.cluster",
                _("Cluster's name on your action plan"),
                plan.cluster,
                plan.cluster or "–",
                in_json=False,
            ),
            DataField(
                "plan.owners",
                _("Owners of actions, as you wrote them"),
                None,
                "" if plan.owners else "–",
                tuple(f"{action(q)} — {owner}" for q, owner in plan.owners.items()),
                in_json=False,
            ),
            DataField(
                "plan.due",
                _("Months actions are due"),
                None,
                "" if plan.due else "–",
                tuple(
                    f"{action(q)} — {month_label(month, self.lang)}"
                    for q, month in plan.due.items()
                ),
                in_json=False,
            ),
            DataField(
                "plan.done",
                _("Actions done"),
                None,
                "" if plan.done else "–",
                tuple(action(q) for q in plan.done),
                in_json=False,
            ),
            DataField(
                "plan.dropped",
                _("Actions not relevant to you"),
                None,
                "" if plan.dropped else "–",
                tuple(action(q) for q in plan.dropped),
                in_json=False,
            ),
        ]
        progress = len(conv.journey.answers)
        if progress:
            fields.append(
                DataField(
                    "journey.answers",
                    _("A self-assessment in progress"),
                    None,
                    ngettext(
                        "{count} question answered so far",
                        "{count} questions answered so far",
                        progress,
                    ).format(count=progress),
                    in_json=False,
                )
            )
        return fields


# --- codes into words ----------------------------------------------------------------------

Words = tuple[str, tuple[str, ...]]  # a value as text, or as a list of items


def _answers(reader: Reader, value: Any) -> Words:
    items = []
    for question_id, answer in dict(value).items():
        code = answer[0] if isinstance(answer, list) and answer else answer
        question = reader.content.question(question_id)
        found = reader.content.answer(str(code))
        text = question.text.get(reader.lang) if question else question_id
        items.append(f"{text} — {found.label.get(reader.lang) if found else code}")
    count = len(items)
    text = ngettext("{count} answer", "{count} answers", count).format(count=count)
    return text, tuple(items)


def _percents(reader: Reader, value: Any) -> Words:
    return "", tuple(
        f"{_step(reader, number)[0]}: " + ("–" if percent is None else f"{percent} %")
        for number, percent in enumerate(value, start=1)
    )


def _step(reader: Reader, value: Any) -> Words:
    number = reader.content.known_step(value if isinstance(value, int) else None)
    if number is None:
        return str(value), ()
    return f"{number}. {reader.content.step(number).title.get(reader.lang)}", ()


def _mode(_reader: Reader, value: Any) -> Words:
    return {"quick": _("Quick check"), "full": _("Full check")}.get(str(value), str(value)), ()


def _options(options: Callable[[Content], Sequence[Option]]) -> Callable[[Reader, Any], Words]:
    def words(reader: Reader, value: Any) -> Words:
        labels = {o.id: o.label.get(reader.lang) for o in options(reader.content)}
        items = tuple(labels.get(str(v), str(v)) for v in value or ())
        return "" if items else "–", items

    return words


def _region(reader: Reader, value: Any) -> Words:
    place = PLACES.get(str(value))
    return (place.name(reader.lang) if place else str(value)), ()


def _field_name(reader: Reader, value: Any) -> Words:
    found = FIELD_BY_CODE.get(str(value))
    return (found.name(reader.lang) if found else str(value)), ()


def _message(reader: Reader, value: Any) -> Words:
    """A browser chat message: who wrote it and its text (its buttons are in the JSON)."""
    body = value if isinstance(value, dict) else {}
    who = _("You") if body.get("who") == "user" else language(reader.lang).brand
    return f"{who}: {body.get('text', '')}", ()


SPECIAL: dict[str, Callable[[Reader, Any], Words]] = {
    "web_messages.body": _message,
    "assessments.answers": _answers,
    "assessments.percents": _percents,
    "assessments.position": _step,
    "assessments.mode": _mode,
    "workshop_answers.step": _step,
    "workshop_answers.kinds": _options(lambda c: c.workshop.support_kinds),
    "workshop_answers.sources": _options(lambda c: c.workshop.support_sources),
    "regional_consents.region": _region,
    "regional_consents.field": _field_name,
    "regional_clusters.region": _region,
    "regional_clusters.field": _field_name,
    "regional_clusters.answers": _answers,
    "regional_clusters.percents": _percents,
    "regional_clusters.position": _step,
    "regional_clusters.first_position": _step,
}


def _json(value: Any) -> JsonValue:
    """A stored value for the JSON: as it is (the export decoded JSON columns already)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    return str(value)
