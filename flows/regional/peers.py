"""The peers line of a summary: how many consenting clusters are at the same step, and what
most often holds them back there. Only from five clusters, and nothing that one cluster's
change could move.

There is no next-step figure any more (it was the median score): with five clusters the median
is one cluster's own score, and a coarser band still has edges that one cluster can push it
across, so one cluster's retake could be read from it. The count stays, and the question that
holds them back is named, without a count, only when one cluster changing its answers could
not change which question it is: at least six of them have not met it, and it leads every other
question by three or more."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from flows.content_model import Content
from flows.i18n import _, current_language, ngettext
from flows.regional.disclosure import MIN_CLUSTERS
from flows.regional.port import SharedCluster, StepPeers

LEAD = 3  # one cluster moves two questions' counts by one each: a lead of three survives it


def peers_line(content: Content, position: int | None, clusters: Sequence[SharedCluster]) -> str:
    """One line for a cluster at `position`, from the other clusters' latest assessments; ""
    when fewer than five are at that step (or at the journey's end, with no next step)."""
    if position is None or position >= len(content.steps):
        return ""
    return step_line(content, position, StepPeers.of(clusters, position))


def step_line(content: Content, position: int, peers: StepPeers) -> str:
    """The peers line from the counts of the clusters at the step (`StepPeers`), which the
    database keeps as they change, so the line costs the same for ten clusters or ten
    thousand."""
    if position >= len(content.steps) or peers.clusters < MIN_CLUSTERS:
        return ""
    gaps: Counter[str] = Counter()
    questions = content.step(position).questions
    for question in questions:
        for answer_id, count in peers.answers.get(question.id, {}).items():
            answer = content.answer(answer_id)
            if answer is not None and answer.score < 100:
                gaps[question.id] += count
    parts = [
        ngettext(
            "{count} other cluster that shares its results is also at step {step}.",
            "{count} other clusters that share their results are also at step {step}.",
            peers.clusters,
        ).format(count=peers.clusters, step=position)
    ]
    ranked = [*sorted((gaps[q.id] for q in questions), reverse=True), 0]
    top = max(questions, key=lambda q: gaps[q.id])
    if ranked[0] > MIN_CLUSTERS and ranked[0] - ranked[1] >= LEAD:
        parts.append(
            _("What most often holds them back here: “{question}”.").format(
                question=top.text.get(current_language())
            )
        )
    return " ".join(parts)
