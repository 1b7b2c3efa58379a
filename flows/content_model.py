"""The typed, immutable content model: the journey, its steps, funding, glossary and workshop.

Built once at start-up by `content_loader`; everything else reads it and never changes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

LANGS = ("en", "sv")


@dataclass(frozen=True)
class Text:
    """A human-readable text in both languages."""

    en: str
    sv: str

    def get(self, lang: str) -> str:
        return self.sv if lang == "sv" else self.en


@dataclass(frozen=True)
class Phase:
    id: str
    title: Text
    summary: Text


@dataclass(frozen=True)
class Answer:
    id: str
    score: int
    label: Text


@dataclass(frozen=True)
class Question:
    id: str
    key: bool
    text: Text
    why: Text
    action: Text


@dataclass(frozen=True)
class Tool:
    id: str
    name: Text
    description: Text


@dataclass(frozen=True)
class Example:
    id: str
    title: Text
    text: Text


@dataclass(frozen=True)
class Benefits:
    businesses: tuple[Text, ...]
    cluster_organisation: tuple[Text, ...]
    region: tuple[Text, ...]


@dataclass(frozen=True)
class Step:
    number: int
    id: str
    phase: str
    title: Text
    short: Text
    intro: Text
    overview: Text
    benefits: Benefits
    questions: tuple[Question, ...]
    tools: tuple[Tool, ...]
    examples: tuple[Example, ...]
    ready_when: Text

    @property
    def key_question(self) -> Question:
        return next(q for q in self.questions if q.key)


@dataclass(frozen=True)
class FundingSource:
    id: str
    name: Text
    description: Text
    steps: tuple[int, ...]


@dataclass(frozen=True)
class Funding:
    title: Text
    intro: Text
    overview: Text
    questions: tuple[Question, ...]
    sources: tuple[FundingSource, ...]


@dataclass(frozen=True)
class Term:
    id: str
    term: Text
    definition: Text


@dataclass(frozen=True)
class Option:
    id: str
    label: Text


@dataclass(frozen=True)
class WorkshopQuestions:
    step: Text
    challenges: Text
    support: Text
    support_from: Text


@dataclass(frozen=True)
class Workshop:
    title: Text
    intro: Text
    questions: WorkshopQuestions
    support_kinds: tuple[Option, ...]
    support_sources: tuple[Option, ...]


@dataclass(frozen=True)
class Content:
    """The whole journey content, validated."""

    threshold: int
    title: Text
    about: Text
    start: Text
    goal: Text
    phases: tuple[Phase, ...]
    answers: tuple[Answer, ...]
    steps: tuple[Step, ...]
    funding: Funding
    glossary: tuple[Term, ...]
    workshop: Workshop

    def step(self, number: int) -> Step:
        return self.steps[number - 1]

    def phase(self, phase_id: str) -> Phase:
        return next(p for p in self.phases if p.id == phase_id)

    @cached_property
    def _questions(self) -> dict[str, tuple[int, Question]]:
        found = {q.id: (s.number, q) for s in self.steps for q in s.questions}
        found.update({q.id: (0, q) for q in self.funding.questions})
        return found

    def question(self, question_id: str) -> Question | None:
        hit = self._questions.get(question_id)
        return hit[1] if hit else None

    def step_of(self, question_id: str) -> int:
        """The step number a question belongs to; 0 for the funding questions."""
        return self._questions[question_id][0]

    def answer(self, answer_id: str) -> Answer | None:
        return next((a for a in self.answers if a.id == answer_id), None)

    @property
    def question_count(self) -> int:
        return sum(len(s.questions) for s in self.steps) + len(self.funding.questions)

    @property
    def tool_count(self) -> int:
        return sum(len(s.tools) for s in self.steps)
