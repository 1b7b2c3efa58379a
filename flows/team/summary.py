"""The team result as text, in the style of the personal summary: a bar per step, where the
team puts the cluster, the questions to talk about first (as counts, never names) and the
combined next actions. A question's counts only from three answers: of two, the owner's own
answer would tell them the other's."""

from __future__ import annotations

from flows.content_model import Content
from flows.i18n import _, current_language, ngettext
from flows.summary import bar, in_words, percent_text, step_value, step_word
from flows.team.result import Disagreement, TeamResult

BREAKDOWN_FROM = 3  # answers to a question before its counts are shown


def counts_text(content: Content, disagreement: Disagreement) -> str:
    """Who said what, as counts: "1 ja, 2 nej" / "1 yes, 2 no"; "" from fewer than three."""
    if sum(count for _answer, count in disagreement.counts) < BREAKDOWN_FROM:
        return ""
    lang = current_language()
    labels = {a.id: a.label.get(lang).lower() for a in content.answers}
    return ", ".join(f"{count} {labels[answer]}" for answer, count in disagreement.counts)


def answered_text(answered: int, members: int) -> str:
    """How many of the team's members have answered: "2 of 3 members have answered."."""
    return ngettext(
        "{answered} of {members} member has answered.",
        "{answered} of {members} members have answered.",
        members,
    ).format(answered=answered, members=members)


def team_summary_text(content: Content, cluster: str, team: TeamResult, members: int) -> str:
    lang = current_language()
    result = team.result
    lines = [
        _("Team result for “{cluster}”").format(cluster=cluster),
        answered_text(team.answered, members),
        "",
    ]
    if in_words(content, team.combined):  # everyone took the quick check
        values = [
            step_value(content, content.step(s.number), s.percent, team.combined)
            for s in result.steps
        ]
        values = [value.ljust(max(len(v) for v in values)) for value in values]
    else:
        values = ["  –" if s.percent is None else percent_text(s.percent, 3) for s in result.steps]
    for scored, value, count in zip(result.steps, values, team.per_step, strict=True):
        short = content.step(scored.number).short.get(lang)
        lines.append(f"{bar(scored.percent)} {value}  {scored.number}. {short} ({count})")
    lines += [_("In brackets: how many answered the step."), ""]
    if result.position is not None:
        step = content.step(result.position)
        lines.append(
            _("Together you put the cluster at step {number}: {title} ({phase}).").format(
                number=step.number,
                title=step.title.get(lang),
                phase=content.phase(step.phase).title.get(lang),
            )
        )
    else:
        lines.append(
            _(
                "Every step is above the readiness threshold: keep your networks alive "
                "and start the journey again with new goals."
            )
        )
    lines.append("")
    if team.disagreements:
        lines.append(_("The questions to talk about first:"))
        counted = [(d, counts_text(content, d)) for d in team.disagreements]
        lines.extend(
            f"{i}. {d.question.text.get(lang)} {counts}".rstrip()
            for i, (d, counts) in enumerate(counted, start=1)
        )
        if any(not counts for _d, counts in counted):
            lines.append(
                _(
                    "Where fewer than three of you answered a question, the counts are left "
                    "out: they would tell who answered what."
                )
            )
    else:
        lines.append(_("You agree on every question you answered."))
    if result.actions:
        lines.extend(["", _("Next actions:")])
        lines.extend(
            f"{i}. {a.question.action.get(lang)} ({step_word(a.step)})"
            for i, a in enumerate(result.actions, start=1)
        )
    lines += [
        "",
        _(
            "Each answer is the team's cautious middle: the median of the definite answers, "
            "the lower one when the team is split evenly."
        ),
    ]
    return "\n".join(lines)
