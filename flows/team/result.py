"""The team result: several colleagues' answers for one cluster combined into one assessment,
and the questions where they disagree. Pure; answers are codes, so languages mix freely.

Combining, per question: the members who answered it with a definite answer ("not sure" left
out, unless everyone was unsure) are ordered by their answer's score and the lower median is
taken (of an even number, the lower of the two middle ones): cautious, since one manager's
view of their own cluster tends to be optimistic, and always an answer someone gave.

Disagreement, per question two or more members answered: the spread between the highest and
the lowest definite score. Questions where someone said yes (100) and someone no (0) come
first, then the widest spreads, each in the journey's order; agreement (no spread) is not
listed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flows.content_model import Content, Question
from flows.scoring import UNSURE, Result, score

MAX_DISAGREEMENTS = 5


@dataclass(frozen=True)
class Disagreement:
    question: Question
    spread: int  # highest minus lowest definite score
    counts: tuple[tuple[str, int], ...]  # (answer id, how many gave it), in the scale's order


@dataclass(frozen=True)
class TeamResult:
    answered: int  # members whose answers count
    per_step: tuple[int, ...]  # per step, how many members answered any of its questions
    combined: dict[str, str]  # question id → combined answer id
    result: Result  # readiness, position and next actions of the combined answers
    disagreements: tuple[Disagreement, ...]


def _questions(content: Content) -> list[Question]:
    return [q for step in content.steps for q in step.questions] + list(content.funding.questions)


def combine_answer(content: Content, given: Sequence[str]) -> str | None:
    """The combined answer of one question (see the module's docstring); None if none."""
    known = [a for a in (content.answer(g) for g in given) if a is not None]
    if not known:
        return None
    definite = sorted((a for a in known if a.id != UNSURE), key=lambda a: a.score)
    if not definite:
        return UNSURE
    return definite[(len(definite) - 1) // 2].id


def combine(content: Content, members: Sequence[Mapping[str, str]]) -> dict[str, str]:
    combined = {}
    for question in _questions(content):
        answer = combine_answer(content, [m[question.id] for m in members if question.id in m])
        if answer is not None:
            combined[question.id] = answer
    return combined


def disagreements(
    content: Content, members: Sequence[Mapping[str, str]]
) -> tuple[Disagreement, ...]:
    """The questions to talk about first, at most MAX_DISAGREEMENTS (see the docstring)."""
    found = []
    for order, question in enumerate(_questions(content)):
        given = [content.answer(m[question.id]) for m in members if question.id in m]
        known = [a for a in given if a is not None]
        scores = [a.score for a in known if a.id != UNSURE]
        if len(known) < 2 or len(scores) < 2 or max(scores) == min(scores):
            continue
        counts = tuple(
            (a.id, n) for a in content.answers if (n := sum(k.id == a.id for k in known))
        )
        opposite = 100 in scores and 0 in scores
        found.append((not opposite, -(max(scores) - min(scores)), order, question, counts))
    found.sort(key=lambda item: item[:3])
    return tuple(
        Disagreement(question, -spread, counts)
        for _first, spread, _order, question, counts in found[:MAX_DISAGREEMENTS]
    )


def team_result(content: Content, members: Sequence[Mapping[str, str]]) -> TeamResult:
    """The team's result from each counting member's latest answers."""
    combined = combine(content, members)
    per_step = tuple(
        sum(any(q.id in m for q in step.questions) for m in members) for step in content.steps
    )
    return TeamResult(
        answered=len(members),
        per_step=per_step,
        combined=combined,
        result=score(content, combined),
        disagreements=disagreements(content, members),
    )
