"""The readiness summary: compact phone-friendly text and the chart, in the user's language."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from babel.dates import format_date

from flows.content_model import Content, Step
from flows.i18n import _, current_language, ngettext
from flows.journey.state import Previous
from flows.locales import language
from flows.messages import Attachment, ReadinessChart
from flows.scoring import UNSURE, Comparison, Result, compare, compare_answers

MAX_SUMMARY = 1500
BAR_WIDTH = 10


def bar(percent: int | None) -> str:
    """A ten-cell Unicode bar; an unanswered step shows as empty dots."""
    if percent is None:
        return "·" * BAR_WIDTH
    full = round(percent / 100 * BAR_WIDTH)
    return "█" * full + "░" * (BAR_WIDTH - full)


def step_word(number: int) -> str:
    """Where an action belongs, for lists: "step 3", or the funding track for 0."""
    return _("step {number}").format(number=number) if number else _("funding track")


def _date(timestamp: float, lang: str) -> str:
    day = datetime.fromtimestamp(timestamp, UTC).date()
    return format_date(day, format="d MMMM", locale=language(lang).babel)


def summary_text(
    content: Content,
    result: Result,
    mode: str | None,
    comparison: Comparison | None = None,
    previous_at: float | None = None,
    done: int = 0,
    notes: Mapping[str, str] | None = None,
    answers: Mapping[str, str] | None = None,
    checks: tuple[str, str] = ("", ""),
) -> str:
    """The summary in the current language, at most MAX_SUMMARY characters. Each action names
    its step; `notes` (question id → "(step 3 · Anna · March 2027)") says what the user set.
    With the `answers`, a step of one answered question (the quick check) shows that answer
    in words ("Partly"), not a percentage more precise than it is."""
    lang = current_language()
    title = (
        _("Your readiness summary (quick check)")
        if mode == "quick"
        else _("Your readiness summary (full check)")
    )
    lines = [title, ""]
    # where the cluster stands and what to do first: on a phone this is what shows
    if result.position is not None:
        step = content.step(result.position)
        phase = content.phase(step.phase).title.get(lang)
        lines.append(
            _("You are at step {number}: {title} ({phase}).").format(
                number=step.number, title=step.title.get(lang), phase=phase
            )
        )
    else:
        lines.append(
            _(
                "Every step is above the readiness threshold: keep your networks alive "
                "and start the journey again with new goals."
            )
        )
    if comparison is not None:
        lines.append(comparison_text(content, comparison, previous_at, lang, checks))
    if done:
        lines.append(_("Actions ticked off since this assessment: {count}.").format(count=done))
    if result.actions:
        lines.extend(["", _("Next actions:")])
        notes = notes or {}
        lines.extend(
            f"{i}. {a.question.action.get(lang)} "
            + notes.get(a.question.id, f"({step_word(a.step)})")
            for i, a in enumerate(result.actions, start=1)
        )
    lines.append("")
    if answers and in_words(content, answers):  # the quick check: one answer per step
        values = [
            step_value(content, content.step(score.number), score.percent, answers)
            for score in result.steps
        ]
        values = [value.ljust(max(len(v) for v in values)) for value in values]
    else:
        values = [
            "  –" if score.percent is None else percent_text(score.percent, 3)
            for score in result.steps
        ]
    for score, value in zip(result.steps, values, strict=True):
        step = content.step(score.number)
        lines.append(f"{bar(score.percent)} {value}  {score.number}. {step.short.get(lang)}")
    if result.funding is not None:
        lines.append(
            f"{bar(result.funding)} {percent_text(result.funding, 3)}  " + _("Funding (all steps)")
        )
    if result.unsure:
        lines.append(
            _(
                "“Not sure” answers: {count}. They count as not yet met; check them "
                "with colleagues."
            ).format(count=result.unsure)
        )
    if result.tools:
        lines.extend(
            [
                "",
                _("Tools for this step: {tools}").format(
                    tools="; ".join(t.name.get(lang) for t in result.tools)
                ),
            ]
        )
    text = "\n".join(lines)
    while len(text) > MAX_SUMMARY and lines:
        lines.pop()  # the tools line goes first, then the bars: the chart shows them too
        text = "\n".join(lines)
    return text


def change_since(
    content: Content, result: Result, answers: Mapping[str, str], previous: Previous
) -> Comparison:
    """The change since `previous`, like with like when its answers are known (records from
    before 2026-12 kept only its percentages)."""
    if previous.answers:
        return compare_answers(content, answers, previous.answers)
    return compare(result, previous.percents, previous.position)


def comparison_text(
    content: Content,
    comparison: Comparison,
    previous_at: float | None,
    lang: str,
    checks: tuple[str, str] = ("", ""),
) -> str:
    """The change in words, and what was compared with what; `checks`: the names of the
    previous check and of this one ("quick check", "full check")."""
    since = _date(previous_at, lang) if previous_at else "–"
    steps = abs(comparison.moved)
    if comparison.moved > 0:
        head = ngettext(
            "Since {date} you have moved forward {count} step.",
            "Since {date} you have moved forward {count} steps.",
            steps,
        )
    elif comparison.moved < 0:
        head = ngettext(
            "Since {date} you have moved back {count} step.",
            "Since {date} you have moved back {count} steps.",
            steps,
        )
    else:
        head = _("Since {date} your position is unchanged.")
    parts = [head.format(date=since, count=steps)]
    before, now = checks
    if comparison.common is not None:
        parts.append(
            ngettext(
                "Compared on the {count} question both asked: {before} then, {now} now.",
                "Compared on the {count} questions both asked: {before} then, {now} now.",
                comparison.common,
            ).format(before=before, now=now, count=comparison.common)
        )
    elif before:
        parts.append(_("Compared with last time, also a {check}.").format(check=before))
    if comparison.changes:
        changes = ", ".join(
            f"{n}. {content.step(n).short.get(lang)} {d:+d}" for n, d in comparison.changes
        )
        parts.append(_("Change in points: {changes}").format(changes=changes))
    return " ".join(parts)


def percent_text(value: int, width: int = 0) -> str:
    """A percentage as the language writes it: "70%" in English, "70 %" in Swedish."""
    return _("{percent}%").format(percent=f"{value:>{width}}" if width else value)


def in_words(content: Content, answers: Mapping[str, str]) -> bool:
    """True for a quick check: no step has more than one answer, so each step's readiness is
    one of three answers and reads better in words than as 0, 50 or 100 %."""
    return bool(answers) and all(
        sum(q.id in answers for q in step.questions) <= 1 for step in content.steps
    )


def step_value(
    content: Content, step: Step, percent: int | None, answers: Mapping[str, str]
) -> str:
    """A step's readiness as precise as its answers: the answer in words where one question was
    answered (the quick check), a percentage where several were, "–" where none was."""
    if percent is None:
        return "–"
    given = [content.answer(answers.get(q.id, "")) for q in step.questions]
    words = [a.label.get(current_language()) for a in given if a is not None]
    return words[0] if len(words) == 1 else percent_text(percent)


def chart_attachment(
    content: Content,
    result: Result,
    answers: Mapping[str, str] | None = None,
    subtitle: str = "",
) -> Attachment:
    """The readiness chart, described in the current language; the adapter draws it. With the
    `answers` it explains itself: each bar's value as precise as the check (a quick check's
    steps read "Partly", not "50 %", on an axis of No/Partly/Yes), the "not sure" share apart
    from "no", and a key; `subtitle` carries the date and the kind of check."""
    lang = current_language()
    answers = answers or {}
    values = tuple(
        step_value(content, content.step(s.number), s.percent, answers) for s in result.steps
    )
    words = in_words(content, answers)
    if words:  # the quick check: three possible values per step, shown as words
        scale = tuple(
            (a.score, a.label.get(lang))
            for a in sorted(content.answers, key=lambda a: a.score)
            if a.id != UNSURE
        )
        axis = _("Answer to each step's key question")
    else:
        scale = tuple((tick, str(tick)) for tick in range(0, 101, 20))
        axis = _("Readiness (%)")
    unsure = tuple(round(100 * s.unsure / s.answered) if s.answered else 0 for s in result.steps)
    key = [
        ("current", _("The step to work on now")),
        ("ready", _("Ready")),
        ("not_ready", _("Not yet ready")),
    ]
    if any(unsure):
        key.append(("unsure", _("“Not sure”: still open")))
    chart = ReadinessChart(
        title=_("Readiness per step"),
        labels=tuple(f"{s.number}. {s.short.get(lang)}" for s in content.steps),
        percents=result.percents,
        threshold=content.threshold,
        current=result.position,
        threshold_label=""
        if words
        else _("ready from {percent}%").format(percent=content.threshold),
        axis_label=axis,
        value_format=_("{percent}%"),
        subtitle=subtitle,
        values=values,
        unsure=unsure,
        scale=scale,
        key=tuple(key),
        words=words,
    )
    return Attachment("readiness.png", chart)
