"""The action plan as Markdown (GitHub-flavoured), to paste into a board paper, a wiki or a
shared document: the same content as the PDF, with the readiness as a table and the actions as
task lists under their steps, each step's tools once with the number of their source in the
list at the end.

Every text is written literally: owners are free text typed by users ("Anna | styrelsen",
"*x*"), so whatever Markdown would read as a table cell's end, emphasis, a link, HTML or the
start of a heading or list is backslash-escaped, and line breaks become spaces (a table row is
one line). The chart is not repeated: the table holds the same readiness, in words.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from flows.messages import ActionPlan, PlanAction, PlanStep, WorkshopReport

# what could end a table cell or start emphasis, a link, an image, HTML, a code span,
# strikethrough or a heading's closing sequence
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # invisible, and NUL is unsafe
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")  # "&amp;" would show as "&"
_BLOCK_START = re.compile(r"^([+=-])|^(\d+)([.)])")  # a list, a rule or a setext underline
_URL_SAFE = ":/?#[]@!$&'*+,;=%~-._"  # kept; spaces, parentheses and <> are percent-encoded


def inline(text: str) -> str:
    """`text` as literal inline Markdown on one line."""
    text = " ".join(_CONTROL.sub("", text).split())
    return _ENTITY.sub(r"\\&", _SPECIAL.sub(r"\\\1", text))


def paragraph(text: str) -> str:
    """`text` as a literal paragraph: also escaped where its start would open a block."""
    return _BLOCK_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", inline(text))


def link(text: str, url: str) -> str:
    """[text](url), or the bare text when there is nowhere to link to."""
    if not url:
        return inline(text)
    return f"[{inline(text)}]({quote(url, safe=_URL_SAFE)})"


def _opening(plan: ActionPlan) -> list[str]:
    out = [f"# {inline(plan.title)}", ""]
    if plan.cluster:
        out += [f"**{inline(plan.cluster)}**", ""]
    if plan.meta:
        out += [f"*{inline(plan.meta)}*", ""]
    out += [f"**{inline(plan.position)}**", ""]
    return out


def _readiness_table(plan: ActionPlan) -> list[str]:
    labels = plan.labels
    out = [
        f"## {inline(labels.readiness)}",
        "",
        f"| {inline(labels.step)} | {inline(labels.readiness_column)} "
        f"| {inline(labels.held_back)} |",
        "| --- | --- | --- |",
    ]
    for step in plan.rows:
        out.append(_table_row(step))
    return [*out, ""]


def _table_row(step: PlanStep) -> str:
    title = f"{step.number}. {inline(step.title)}" if step.number else inline(step.title)
    readiness = inline(step.readiness)
    if step.ready:
        readiness = f"✓ {readiness}"
    if step.current:  # the step the cluster is at, as the PDF's highlighted row
        title, readiness = f"**{title}**", f"**{readiness}**"
    held_back = " · ".join(inline(answer) for answer in step.held_back)
    return f"| {title} | {readiness} | {held_back} |"


def _action(action: PlanAction, plan: ActionPlan) -> list[str]:
    """A task: ticked when done, struck through (and no box to tick) when dropped; then
    why, tools, template, and owner, due month and state on one line."""
    labels = plan.labels
    text = inline(action.text)
    if action.state == "done":
        out = [f"- [x] **{text}**"]
    elif action.state == "dropped":
        out = [f"- ~~**{text}**~~"]
    else:
        out = [f"- [ ] **{text}**"]
    if action.why:
        out.append(f"  - **{inline(labels.why)}:** {inline(action.why)}")
    if action.template:
        out.append(f"  - **{inline(labels.template)}:** {inline(action.template)}")
    state = inline(action.state_label)
    if action.state == "overdue":
        state = f"**{state}**"
    out.append(
        f"  - **{inline(labels.owner)}:** {inline(action.owner or labels.nobody)}"
        f" · **{inline(labels.due)}:** {inline(action.due or labels.nobody)}"
        f" · **{inline(labels.state)}:** {state}"
    )
    return out


def _actions(plan: ActionPlan) -> list[str]:
    out = [f"## {inline(plan.labels.actions)}", ""]
    steps = [step for step in plan.rows if step.actions]
    if not steps:
        return [*out, paragraph(plan.labels.no_actions), ""]
    for step in steps:
        title = f"{step.number}. {inline(step.title)}" if step.number else inline(step.title)
        out += [f"### {title}", ""]
        if step.tools:  # once for the step, each with its source's number
            tools = ", ".join(
                f"{link(tool.text, plan.sources[tool.source - 1].url)} \\[{tool.source}\\]"
                if tool.source
                else inline(tool.text)
                for tool in step.tools
            )
            out += [f"**{inline(plan.labels.tools)}:** {tools}", ""]
        for action in step.actions:
            out += _action(action, plan)
        out.append("")
    return out


def plan_markdown(plan: ActionPlan) -> bytes:
    """The plan as a UTF-8 Markdown file."""
    labels = plan.labels
    lines = _opening(plan) + _readiness_table(plan) + _actions(plan)
    if plan.ready_when:
        lines += [f"## {inline(labels.ready_when)}", "", paragraph(plan.ready_when), ""]
    if plan.unsure:
        lines += [f"## {inline(labels.unsure)}", ""]
        lines += [f"- {inline(question)}" for question in plan.unsure]
        lines.append("")
    if plan.change:
        lines += [f"## {inline(labels.change)}", "", paragraph(plan.change), ""]
    if plan.sources:
        lines += [f"## {inline(labels.sources)}", ""]
        lines += [
            f"{number}. {inline(source.text)}: <{quote(source.url, safe=_URL_SAFE)}>"
            for number, source in enumerate(plan.sources, start=1)
        ]
        lines.append("")
    if plan.footer:
        lines += ["---", "", f"*{inline(plan.footer)}*", ""]
    return "\n".join(lines).encode("utf-8")


def _bulleted(heading: str, texts: tuple[str, ...], none: str) -> list[str]:
    out = [heading, ""]
    out += [f"- {inline(text)}" for text in texts] or [paragraph(none)]
    return [*out, ""]


def report_markdown(report: WorkshopReport) -> bytes:
    """The workshop report as a UTF-8 Markdown file: the PDF's content, with the step
    distribution as a table instead of the chart."""
    labels = report.labels
    lines = [f"# {inline(report.title)}", "", f"*{inline(report.meta)}*", ""]
    lines += [f"**{inline(report.position)}**", "", f"## {inline(labels.steps)}", ""]
    lines += ["| | |", "| --- | ---: |"]
    lines += [
        f"| {inline(label)} | {count} |"
        for label, count in zip(report.chart.labels, report.chart.counts, strict=True)
    ]
    lines += ["", f"*{inline(report.chart.note)}*", "", f"## {inline(labels.challenges)}", ""]
    if report.themes:
        lines += [f"**{inline(labels.themes)}:** " + ", ".join(map(inline, report.themes)), ""]
    if not report.challenges:
        lines += [paragraph(labels.none), ""]
    for group in report.challenges:
        lines += _bulleted(f"### {inline(group.heading)}", group.items, labels.none)
    lines += [f"## {inline(labels.support)}", ""]
    lines += _bulleted(f"### {inline(labels.kinds)}", report.kinds, labels.none)
    lines += _bulleted(f"### {inline(labels.sources)}", report.sources, labels.none)
    lines += _bulleted(f"### {inline(labels.from_whom)}", report.from_whom, labels.none)
    if report.step_title:
        lines += [f"## {inline(labels.next_step)}: {inline(report.step_title)}", ""]
        lines += [f"### {inline(labels.tools)}", ""]
        lines += [
            f"- **{link(tool.name, tool.url)}**: {inline(tool.description)}"
            for tool in report.tools
        ]
        lines += [""]
        lines += _bulleted(f"### {inline(labels.actions)}", report.actions, labels.none)
    lines += ["---", "", f"*{inline(report.footer)}*", ""]
    return "\n".join(lines).encode("utf-8")
