"""The peers line of a summary: how consenting clusters at the same step typically score on the
next step, and what most often holds them back at this one. Never a figure from fewer than
five clusters."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence

from flows.content_model import Content
from flows.i18n import _, current_language, ngettext
from flows.regional.port import SharedCluster
from flows.summary import percent_text

MIN_CLUSTERS = 5  # no figure of the regional picture comes from fewer


def peers_line(content: Content, position: int | None, clusters: Sequence[SharedCluster]) -> str:
    """One line for a cluster at `position`, from the other clusters' latest assessments; ""
    when fewer than five are at that step (or at the journey's end, with no next step)."""
    if position is None or position >= len(content.steps):
        return ""
    latest = [c.assessments[-1] for c in clusters if c.assessments]
    same = [a for a in latest if a.position == position]
    if len(same) < MIN_CLUSTERS:
        return ""
    following = position + 1
    scores = [
        a.percents[following - 1]
        for a in same
        if len(a.percents) >= following and a.percents[following - 1] is not None
    ]
    gaps: Counter[str] = Counter()
    for a in same:
        for question in content.step(position).questions:
            answer = content.answer(a.answers.get(question.id, ""))
            if answer is not None and answer.score < 100:
                gaps[question.id] += 1
    parts = [
        ngettext(
            "{count} other cluster that shares its results is also at step {step}.",
            "{count} other clusters that share their results are also at step {step}.",
            len(same),
        ).format(count=len(same), step=position)
    ]
    if len(scores) >= MIN_CLUSTERS:
        typical = round(statistics.median(v for v in scores if v is not None))
        parts.append(
            _("They typically reach {percent} on step {next}.").format(
                percent=percent_text(typical), next=following
            )
        )
    if gaps:
        question_id, count = min(gaps.items(), key=lambda item: (-item[1], item[0]))
        question = next(q for q in content.step(position).questions if q.id == question_id)
        parts.append(
            _("What most often holds them back here: “{question}” ({count} of {total}).").format(
                question=question.text.get(current_language()), count=count, total=len(same)
            )
        )
    return " ".join(parts)
