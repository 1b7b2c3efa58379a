"""The action plan of one completed assessment, as data for a document (`ActionPlan`): where
the cluster stands, each step's readiness and what held it back, the actions by step with
their owners, the "not sure" answers to settle, and the change since the assessment before.
Pure: every text in the current language; `bot/render/` lays it out as PDF or Markdown."""

from __future__ import annotations

from datetime import UTC, datetime

from babel.dates import format_date

from flows.actionplan.ownership import month_label, plan_actions, state_of, state_word
from flows.actionplan.state import ActionPlanState
from flows.content_model import Content, Question, Step
from flows.i18n import _, current_language
from flows.journey.diagnostic import QUICK
from flows.journey.state import RECHECK, Assessed, Previous
from flows.locales import language
from flows.messages import (
    ActionPlan,
    Link,
    PlanAction,
    PlanLabels,
    PlanStep,
    PlanTool,
    ReadinessChart,
)
from flows.scoring import UNSURE, Action, Result, score
from flows.summary import (
    change_since,
    chart_attachment,
    comparison_text,
    percent_text,
    step_value,
)


def day(timestamp: float, lang: str) -> str:
    """A date in words: "2 december 2026" / "2 December 2026"."""
    when = datetime.fromtimestamp(timestamp, UTC).date()
    return format_date(when, "d MMMM y", locale=language(lang).babel)


def check_name(mode: str) -> str:
    """The kind of check, as a plan or a list of assessments names it."""
    if mode.startswith(RECHECK):
        return _("re-check of step {number}").format(number=mode.removeprefix(RECHECK))
    return _("quick check") if mode == QUICK else _("full check")


def file_name(completed: float, kind: str) -> str:
    """handlingsplan-2026-12-02.pdf / action-plan-2026-12-02.md, in the reader's language."""
    stem = _("action-plan")
    when = datetime.fromtimestamp(completed, UTC).strftime("%Y-%m-%d")
    return f"{stem}-{when}.{'pdf' if kind == 'pdf' else 'md'}"


def build_plan(
    content: Content,
    assessed: Assessed,
    previous: Previous | None,
    plan: ActionPlanState,
    month: str,
) -> ActionPlan:
    """The plan of `assessed`, with the owners and states in `plan` as they stand in `month`
    ("YYYY-MM", the user's current month) and the change since `previous`."""
    lang = current_language()
    result = score(content, assessed.answers, frozenset(plan.done) | set(plan.dropped))
    actions = plan_actions(content, assessed.answers, result.position, plan)
    sources: list[Link] = []
    steps = tuple(
        _step(content, step, result, assessed, [a for a in actions if a.step == step.number],
              plan, month, sources)
        for step in content.steps
    )  # fmt: skip
    funding = _funding(content, result, assessed, [a for a in actions if a.step == 0], plan, month)
    change = ""
    if previous is not None:
        checks = (check_name(previous.mode) if previous.mode else "", check_name(assessed.mode))
        change = comparison_text(
            content,
            change_since(content, result, assessed.answers, previous),
            previous.completed,
            lang,
            checks,
        )
    meta = f"{day(assessed.completed, lang)} · {check_name(assessed.mode)}"
    return ActionPlan(
        lang=lang,
        title=_("Action plan for international cooperation"),
        cluster=plan.cluster or "",
        meta=meta,
        position=_position(content, result),
        chart=_chart(content, result, assessed.answers, meta),
        steps=steps,
        ready_when=(
            _("Ready for the next step when: {condition}").format(
                condition=content.step(result.position).ready_when.get(lang)
            )
            if result.position is not None
            else ""
        ),
        unsure=tuple(
            content.question(qid).text.get(lang)  # type: ignore[union-attr]
            for qid, answer in assessed.answers.items()
            if answer == UNSURE and content.question(qid) is not None
        ),
        change=change,
        footer=_("Cluster Journey · the TACTICS ten-step journey"),
        labels=_labels(),
        funding=funding,
        sources=tuple(sources),
    )


def _chart(
    content: Content, result: Result, answers: dict[str, str], subtitle: str
) -> ReadinessChart:
    chart = chart_attachment(content, result, answers, subtitle).content
    assert isinstance(chart, ReadinessChart)
    return chart


def _position(content: Content, result: Result) -> str:
    lang = current_language()
    if result.position is None:
        return _(
            "Every step is above the readiness threshold: keep your networks alive and start "
            "the journey again with new goals."
        )
    step = content.step(result.position)
    return _("You are at step {number} of {total}: {title} ({phase}).").format(
        number=step.number,
        total=len(content.steps),
        title=step.title.get(lang),
        phase=content.phase(step.phase).title.get(lang),
    )


def _held_back(
    content: Content, questions: tuple[Question, ...], answers: dict[str, str]
) -> tuple[str, ...]:
    """ "question — answer" for each answer below a yes."""
    lang = current_language()
    out = []
    for q in questions:
        answer = content.answer(answers.get(q.id, ""))
        if answer is not None and answer.score < 100:
            out.append(f"{q.text.get(lang)} — {answer.label.get(lang)}")
    return tuple(out)


def _step(
    content: Content,
    step: Step,
    result: Result,
    assessed: Assessed,
    actions: list[Action],
    plan: ActionPlanState,
    month: str,
    sources: list[Link],
) -> PlanStep:
    """A step's row and actions; where it has actions, its current tools once, each source
    numbered in `sources` (added to it the first time it is shown)."""
    lang = current_language()
    scored = result.steps[step.number - 1]
    tools = []
    for tool in content.step(step.number).current_tools if actions else ():
        number = 0
        if not tool.composed:
            link = Link(tool.name.get(lang), tool.source)
            if all(s.url != tool.source for s in sources):
                sources.append(link)
            number = next(i for i, s in enumerate(sources, start=1) if s.url == tool.source)
        tools.append(PlanTool(tool.name.get(lang), number))
    return PlanStep(
        number=step.number,
        title=step.title.get(lang),
        readiness=step_value(content, step, scored.percent, assessed.answers),
        ready=scored.ready,
        current=result.position == step.number,
        held_back=_held_back(content, step.questions, assessed.answers),
        actions=tuple(_action(content, a.question, plan, month) for a in actions),
        tools=tuple(tools),
    )


def _funding(
    content: Content,
    result: Result,
    assessed: Assessed,
    actions: list[Action],
    plan: ActionPlanState,
    month: str,
) -> PlanStep | None:
    """The funding track as a row with its score, and its actions; None when the check did
    not ask about funding."""
    if result.funding is None:
        return None
    return PlanStep(
        number=0,
        title=content.funding.title.get(current_language()),
        readiness=percent_text(result.funding),
        ready=result.funding >= content.threshold,
        current=False,
        held_back=_held_back(content, content.funding.questions, assessed.answers),
        actions=tuple(_action(content, a.question, plan, month) for a in actions),
    )


def _action(content: Content, question: Question, plan: ActionPlanState, month: str) -> PlanAction:
    lang = current_language()
    template = content.template(question.template)
    state = state_of(plan, question.id, month)
    due = plan.due.get(question.id)
    return PlanAction(
        text=question.action.get(lang),
        why=question.why.get(lang),
        template=template.title.get(lang) if template is not None else "",
        owner=plan.owners.get(question.id, ""),
        due=month_label(due, lang) if due else "",
        state=state,
        state_label=state_word(state),
    )


def _labels() -> PlanLabels:
    return PlanLabels(
        readiness=_("Readiness per step"),
        step=_("Step"),
        readiness_column=_("Readiness"),
        held_back=_("Held back by"),
        actions=_("Next actions by step"),
        why=_("Why it matters"),
        tools=_("Tools"),
        template=_("Template"),
        owner=_("Owner"),
        due=_("Due"),
        state=_("Status"),
        nobody=_("not set"),
        no_actions=_("No open actions: every answer is a yes."),
        ready_when=_("Ready for the next step"),
        unsure=_("Questions to settle with colleagues (answered “not sure”)"),
        change=_("Change since the previous assessment"),
        page=_("Page {page} of {pages}"),
        sources=_("Sources"),
    )
