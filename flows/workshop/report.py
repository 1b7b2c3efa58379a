"""The workshop's report, to send to participants and funders afterwards: where the room is on
the journey, its challenges by step with the frequent themes, the support wanted and from whom,
and for the step most of the room is at, that step's tools and next actions from the content.

Built from the same totals as the results message and the projector page (`results.aggregate`,
only the texts the room may see); nothing in it names anyone. `bot/render/` lays it out with the
action plan's PDF and Markdown renderers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date

from flows.content_model import Content
from flows.i18n import _, ngettext, use_language
from flows.locales import language
from flows.messages import (
    Attachment,
    ReportDocument,
    ReportGroup,
    ReportLabels,
    ReportTool,
    WorkshopReport,
)
from flows.workshop.answers import ParticipantAnswers
from flows.workshop.export import DEFAULT_ZONE
from flows.workshop.moderation import Moderation
from flows.workshop.port import WorkshopInfo
from flows.workshop.results import aggregate, count_chart, merged_from_whom

ACTIONS = 4  # next actions of the room's step, the key question's first


def _labels() -> ReportLabels:
    return ReportLabels(
        steps=_("Where the participants are on the journey"),
        challenges=_("Challenges by step"),
        themes=_("Frequent themes"),
        support=_("Support wanted"),
        kinds=_("Kinds of support"),
        sources=_("From whom"),
        from_whom=_("In their own words"),
        next_step=_("The step most of the room is at"),
        tools=_("Tools"),
        actions=_("Next actions"),
        none=_("Nothing yet."),
        page=_("Page {page} of {pages}"),
    )


def workshop_report(
    content: Content,
    workshop: WorkshopInfo,
    answers: Sequence[ParticipantAnswers],
    moderation: Moderation,
    lang: str,
    when: float,
    zone: str | None = None,
) -> WorkshopReport:
    """The report in `lang`, dated `when` (unix seconds) in `zone`."""
    with use_language(lang):
        results = aggregate(content, answers, moderation)
        day = datetime.fromtimestamp(when, ZoneInfo(zone or DEFAULT_ZONE)).date()
        taken = ngettext(
            "{count} participant", "{count} participants", results.participants
        ).format(count=results.participants)
        meta = f"{format_date(day, 'd MMMM y', locale=language(lang).babel)} · {taken}"
        groups = []
        for number, texts in results.challenges_by_step:
            heading = (
                f"{number}. {content.step(number).title.get(lang)}"
                if number
                else _("Step not given")
            )
            groups.append(ReportGroup(f"{heading} ({len(texts)})", tuple(texts)))
        workshop_content = content.workshop
        kinds = tuple(
            f"{o.label.get(lang)}: {dict(results.kinds)[o.id]}"
            for o in sorted(
                workshop_content.support_kinds, key=lambda o: -dict(results.kinds).get(o.id, 0)
            )
            if dict(results.kinds).get(o.id)
        )
        sources = tuple(
            f"{o.label.get(lang)}: {dict(results.sources)[o.id]}"
            for o in sorted(
                workshop_content.support_sources,
                key=lambda o: -dict(results.sources).get(o.id, 0),
            )
            if dict(results.sources).get(o.id)
        )
        most = max(results.steps, default=0)
        top = results.steps.index(most) + 1 if most else None
        tools: tuple[ReportTool, ...] = ()
        actions: tuple[str, ...] = ()
        if top is None:
            position, step_title = _("Nobody has given a step yet."), ""
        else:
            step = content.step(top)
            step_title = f"{top}. {step.title.get(lang)}"
            position = _("Most of the room is at step {step}: {count} of {total}.").format(
                step=step_title, count=most, total=results.participants
            )
            tools = tuple(
                ReportTool(
                    t.name.get(lang), t.description.get(lang), "" if t.composed else t.source
                )
                for t in step.tools
            )
            questions = sorted(step.questions, key=lambda q: not q.key)
            actions = tuple(q.action.get(lang) for q in questions[:ACTIONS])
        return WorkshopReport(
            lang=lang,
            title=" ".join(workshop.title.split()),
            meta=meta,
            position=position,
            chart=count_chart(content, results, _("Where the participants are on the journey")),
            challenges=tuple(groups),
            themes=tuple(f"{word} ({count})" for word, count in results.top_words),
            kinds=kinds,
            sources=sources,
            from_whom=tuple(merged_from_whom(results.support_from)),
            step_title=step_title,
            tools=tools,
            actions=actions,
            footer=_("{brand} · workshop report · no names").format(brand=language(lang).brand),
            labels=_labels(),
        )


def report_attachments(
    content: Content,
    workshop: WorkshopInfo,
    answers: Sequence[ParticipantAnswers],
    moderation: Moderation,
    lang: str,
    when: float,
    zone: str | None = None,
) -> tuple[Attachment, Attachment]:
    """The report as a PDF and as Markdown."""
    report = workshop_report(content, workshop, answers, moderation, lang, when, zone)
    name = f"workshop-{workshop.code}-report"
    return (
        Attachment(f"{name}.pdf", ReportDocument(report, "pdf")),
        Attachment(f"{name}.md", ReportDocument(report, "markdown")),
    )
