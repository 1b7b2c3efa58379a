"""The workshop's exports as tables: the facilitator's, one row per participant, headers and
labels in their language, nothing that identifies anyone; and the projector page's, which
holds what the wall shows and no more (anyone in the room may have the page's link).
`bot/render/` writes them as CSV."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from flows.content_model import Content
from flows.i18n import _, use_language
from flows.locales import language
from flows.messages import Table
from flows.workshop.answers import ParticipantAnswers
from flows.workshop.moderation import CHALLENGE, FROM, Moderation, TextItem
from flows.workshop.projector import ProjectorView

DEFAULT_ZONE = "Europe/Stockholm"  # the bot's default (CLUSTER_JOURNEY_TIMEZONE unset)


def csv_headers(lang: str) -> tuple[str, ...]:
    """The export's column headers in `lang`."""
    with use_language(lang):
        return (
            _("Participant"),
            _("Date"),
            _("Language"),
            _("Step"),
            _("Step name"),
            _("Challenges"),
            _("Kinds of support"),
            _("Sources of support"),
            _("From whom (free text)"),
            _("Workshop"),
        )


def csv_delimiter(lang: str) -> str:
    """Excel splits a double-clicked CSV on the list separator of the computer's region: ";" in
    Sweden (where the comma is the decimal sign), "," in English-speaking regions."""
    return language(lang).list_separator


def export_table(
    content: Content,
    title: str,
    answers: Sequence[ParticipantAnswers],
    lang: str,
    delimiter: str | None = None,
    zone: str | None = None,
    moderation: Moderation | None = None,
) -> Table:
    """One row per participant, headers and labels in `lang`, separated by
    `csv_delimiter(lang)` unless `delimiter` is given. The date is the day each participant
    last changed their answers, as YYYY-MM-DD in `zone` (default DEFAULT_ZONE): one form in
    both languages, which spreadsheets read as a date and sort.

    Participants are numbered 1..n in the given order; nothing identifies them. The last column
    repeats the workshop's title, so that exports of several workshops can be combined.

    The facilitator's file holds every text; one a facilitator hid, or the filter holds back,
    is marked "[hidden]" or "[held back]" (`moderation`; by default the filter on)."""
    workshop = content.workshop
    moderation = moderation or Moderation()
    with use_language(lang):
        marks = {"hidden": _("[hidden]"), "held": _("[held back]")}

    def marked(answer: ParticipantAnswers, kind: str, text: str) -> str:
        status = moderation.status(TextItem(answer.key, kind, text.strip()))
        return f"{marks[status]} {text.strip()}" if status in marks else text.strip()

    rows = []
    tz = ZoneInfo(zone or DEFAULT_ZONE)
    for number, answer in enumerate(answers, start=1):
        step = content.known_step(answer.step)
        updated = answer.updated
        date = "" if updated is None else datetime.fromtimestamp(updated, tz).date().isoformat()
        rows.append(
            (
                str(number),
                date,
                answer.lang,
                "" if step is None else str(step),
                "" if step is None else content.step(step).title.get(lang),
                " | ".join(marked(answer, CHALLENGE, t) for t in answer.challenges if t.strip()),
                "; ".join(
                    o.label.get(lang)
                    for o in workshop.support_kinds
                    if o.id in answer.support_kinds
                ),
                "; ".join(
                    o.label.get(lang)
                    for o in workshop.support_sources
                    if o.id in answer.support_sources
                ),
                marked(answer, FROM, answer.support_from) if answer.support_from.strip() else "",
                title.strip(),
            )
        )
    return Table(csv_headers(lang), tuple(rows), delimiter or csv_delimiter(lang))


def wall_table(view: ProjectorView, delimiter: str | None = None) -> Table:
    """The projector page as a table of (part of the page, what it shows, count): the totals,
    the challenges the wall shows (the rest counted), the words, the support and from whom;
    while the results are not revealed, only the number of participants, as on the wall."""
    labels = view.labels
    rows: list[tuple[str, str, str]] = [(labels["participants"], "", str(view.participants))]
    if view.revealed:
        rows += [(labels["steps"], bar.label, str(bar.count)) for bar in view.steps]
        if view.step_unknown:
            rows.append((labels["steps"], _("Step not given"), str(view.step_unknown)))
        for group in view.challenges:
            rows += [(labels["challenges"], f"{group.heading}: {item}", "") for item in group.items]
        rows += [(labels["words"], word.text, str(word.count)) for word in view.words]
        rows += [(labels["kinds"], bar.label, str(bar.count)) for bar in view.kinds]
        rows += [(labels["sources"], bar.label, str(bar.count)) for bar in view.sources]
        rows += [(labels["from_whom"], text, "") for text in view.from_whom]
        for part, more in (
            ("challenges", view.challenges_more),
            ("kinds", view.kinds_more),
            ("sources", view.sources_more),
            ("from_whom", view.from_more),
        ):
            if more:  # what the wall leaves out, counted as the wall counts it
                rows.append((labels[part], labels["more"].format(count=more), str(more)))
    headers = (_("Part of the page"), _("What it shows"), _("Count"))
    return Table(headers, tuple(rows), delimiter or csv_delimiter(view.lang))
