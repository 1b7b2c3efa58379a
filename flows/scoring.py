"""Scoring an assessment: pure functions from answers to readiness, position and next actions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from flows.content_model import Content, Question, Step, Tool

MAX_ACTIONS = 5
MIN_ACTIONS = 3  # the funding track fills up to this many when the steps offer fewer
UNSURE = "unsure"


@dataclass(frozen=True)
class StepScore:
    number: int
    percent: int | None  # None when none of the step's questions were answered
    answered: int
    unsure: int
    ready: bool


@dataclass(frozen=True)
class Action:
    step: int
    question: Question


@dataclass(frozen=True)
class Comparison:
    changes: tuple[tuple[int, int], ...]  # (step number, change in percentage points), non-zero
    previous_position: int | None
    moved: int  # steps moved forward (positive) or back (negative)
    common: int | None = None  # compared on this many questions both checks asked; None: all


@dataclass(frozen=True)
class Result:
    steps: tuple[StepScore, ...]
    position: int | None  # the first step not yet ready; None when every step is ready
    phase: str | None
    actions: tuple[Action, ...]
    tools: tuple[Tool, ...]
    funding: int | None
    unsure: int

    @property
    def percents(self) -> tuple[int | None, ...]:
        return tuple(s.percent for s in self.steps)


def _percent(
    content: Content, questions: Sequence[Question], answers: Mapping[str, str]
) -> tuple[int | None, int, int]:
    scores, unsure = [], 0
    for q in questions:
        answer = content.answer(answers[q.id]) if q.id in answers else None
        if answer is None:
            continue
        scores.append(answer.score)
        unsure += answer.id == UNSURE
    if not scores:
        return None, 0, 0
    return round(sum(scores) / len(scores)), len(scores), unsure


def score_step(content: Content, step: Step, answers: Mapping[str, str]) -> StepScore:
    percent, answered, unsure = _percent(content, step.questions, answers)
    ready = percent is not None and percent >= content.threshold
    return StepScore(step.number, percent, answered, unsure, ready)


def position_of(content: Content, scores: Sequence[StepScore]) -> int | None:
    """The first step below the threshold (an unanswered step counts as not ready)."""
    return next((s.number for s in scores if not s.ready), None)


def _unmet(
    content: Content,
    questions: Sequence[Question],
    answers: Mapping[str, str],
    done: frozenset[str],
) -> list[Question]:
    """A step's unmet questions, the weakest answers first, then in the step's order."""
    unmet = []
    for index, q in enumerate(questions):
        answer = content.answer(answers.get(q.id, ""))
        if answer is not None and answer.score < 100 and q.id not in done:
            unmet.append((answer.score, index, q))
    return [q for _, _, q in sorted(unmet, key=lambda t: t[:2])]


def open_steps(content: Content, ready: frozenset[int], position: int | None) -> tuple[int, ...]:
    """The steps whose actions come now, in journey order: the current step, then the next one
    if everything it presupposes (`content/prerequisites.yaml`) is ready. When every step is
    ready, any step with an unmet answer, in order."""
    if position is None:
        return tuple(s.number for s in content.steps)
    following = position + 1
    if following <= len(content.steps) and set(content.needs(following)) <= ready:
        return (position, following)
    return (position,)


def next_actions(
    content: Content,
    answers: Mapping[str, str],
    position: int | None,
    done: frozenset[str] = frozenset(),
    ready: frozenset[int] | None = None,
) -> tuple[Action, ...]:
    """What to do next, in journey order: the current step's unmet questions, then the next
    step's where it presupposes nothing still missing, and the funding track's weakest unmet
    question alongside (its step is 0). Nothing from a step further on; at most five; done
    ones left out. `ready`: the steps at or above the threshold (scored from `answers` when
    not given)."""
    if ready is None:
        ready = frozenset(s.number for s in content.steps if score_step(content, s, answers).ready)
    steps = [
        Action(number, q)
        for number in open_steps(content, ready, position)
        for q in _unmet(content, content.step(number).questions, answers, done)
    ]
    funding = [Action(0, q) for q in _unmet(content, content.funding.questions, answers, done)]
    if not funding:
        return tuple(steps[:MAX_ACTIONS])
    steps = steps[: MAX_ACTIONS - 1]
    return (*steps, *funding[: max(1, MIN_ACTIONS - len(steps))])


def score(
    content: Content, answers: Mapping[str, str], done: frozenset[str] = frozenset()
) -> Result:
    """Readiness per step, the position on the journey and what to do next."""
    steps = tuple(score_step(content, s, answers) for s in content.steps)
    position = position_of(content, steps)
    funding, _, funding_unsure = _percent(content, content.funding.questions, answers)
    return Result(
        steps=steps,
        position=position,
        phase=content.step(position).phase if position else None,
        actions=next_actions(
            content, answers, position, done, frozenset(s.number for s in steps if s.ready)
        ),
        tools=content.step(position or len(content.steps)).current_tools,
        funding=funding,
        unsure=sum(s.unsure for s in steps) + funding_unsure,
    )


def compare(
    current: Result, previous_percents: Sequence[int | None], previous_position: int | None
) -> Comparison:
    """The change since the previous completed assessment."""
    changes = tuple(
        (s.number, s.percent - before)
        for s, before in zip(current.steps, previous_percents, strict=False)
        if s.percent is not None and before is not None and s.percent != before
    )
    end = len(current.steps) + 1
    moved = (current.position or end) - (previous_position or end)
    return Comparison(changes, previous_position, moved)


def compare_answers(
    content: Content, answers: Mapping[str, str], previous: Mapping[str, str]
) -> Comparison:
    """Like with like: the change on the questions both assessments asked. A quick check
    after a full one is compared on the key questions only, positions included, so a
    different set of questions is never read as a step back."""
    common = answers.keys() & previous.keys()
    now = score(content, {q: answers[q] for q in common})
    before = score(content, {q: previous[q] for q in common})
    same = answers.keys() == previous.keys()
    return replace(
        compare(now, before.percents, before.position), common=None if same else len(common)
    )
