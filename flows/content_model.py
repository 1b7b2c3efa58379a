"""The typed, immutable content model: the journey, its steps, funding, glossary and workshop.

These dataclasses are the one description of the content's shape: `content_loader` derives the
checks of the YAML files and the building of the objects from their fields, their types and the
constraints annotated on them (`MaxLen`, `Entries`, defaults). Built once at start-up; everything
else reads it and never changes it.
"""

# No `from __future__ import annotations`: the loader reads these annotations at start-up, and
# evaluated ones are cheaper to read than strings.
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated

from flows.locales import DEFAULT, codes


@dataclass(frozen=True)
class MaxLen:
    """A `Text` field's limit in characters per language, tighter than MAX_TEXT (for buttons)."""

    chars: int


@dataclass(frozen=True)
class Entries:
    """How many entries a list field needs, and at most allows."""

    min: int
    max: int | None = None


@dataclass(frozen=True)
class Format:
    """A plain-string field that is not an id: `url` (an https address on a host that
    content/SOURCES.md allows, or `composed` for our own suggestion that rests on no outside
    source), `date` (YYYY-MM-DD, not in the future), `status` (one of STATUSES) or `phrase` (a
    short search word, e.g. an abbreviation)."""

    kind: str


COMPOSED = "composed"  # a `source` that says: our own suggestion, see content/SOURCES.md
# Whether a cluster can use a tool or a funding source now: `open` (can be used or applied for
# now), `recurring` (calls come back on a known rhythm), `closed` (the last call is over; the
# kind of call to watch for), `proposed` (not yet adopted) and `past` (a programme that has
# ended: background only, never offered as an action or a plan's tool).
STATUSES = ("open", "recurring", "closed", "proposed", "past")
CURRENT = frozenset({"open", "recurring"})
Url = Annotated[str, Format("url")]
Status = Annotated[str, Format("status")]
Date = Annotated[str, Format("date")]
Phrase = Annotated[str, Format("phrase")]


@dataclass(frozen=True, init=False)
class Text:
    """A human-readable text: one string per language of the registry (`flows.locales`), all
    present once the content check has passed. `Text(en="…", sv="…")` or `Text({"sv": "…"})`."""

    by_lang: Mapping[str, str]

    def __init__(self, by_lang: Mapping[str, str] | None = None, /, **texts: str) -> None:
        object.__setattr__(self, "by_lang", {**(by_lang or {}), **texts})  # read-only: Mapping

    def get(self, lang: str) -> str:
        """The text in `lang`, the default language's where `lang` has none."""
        return self.by_lang.get(lang) or self.by_lang[DEFAULT.code]

    def __getattr__(self, code: str) -> str:
        """`text.sv`: the text in one of the registry's languages, read by name."""
        by_lang = self.__dict__.get("by_lang")
        if by_lang is None or code not in codes():
            raise AttributeError(code)
        return str(by_lang[code])

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.by_lang.items())))


@dataclass(frozen=True)
class Phase:
    id: str
    title: Text
    summary: Text


@dataclass(frozen=True)
class Answer:
    id: str
    score: int
    label: Annotated[Text, MaxLen(40)]


@dataclass(frozen=True)
class Question:
    id: str
    key: bool = field(default=False, kw_only=True)  # may be left out of the YAML
    text: Text
    why: Text
    action: Text
    template: str = field(default="", kw_only=True)  # a template id: the action's download


QuestionList = Annotated[tuple[Question, ...], Entries(4, 6)]


@dataclass(frozen=True)
class Tool:
    id: str
    name: Text
    description: Text
    source: Url  # where the facts come from, or `composed`
    checked: Date  # when the source was last checked
    status: Status  # see STATUSES
    template: str = field(default="", kw_only=True)  # a template id: the tool as a download

    @property
    def composed(self) -> bool:
        return self.source == COMPOSED

    @property
    def current(self) -> bool:
        """A cluster can use it now: offered in tool lists and plans (past ones are background)."""
        return self.status in CURRENT


@dataclass(frozen=True)
class Example:
    id: str
    title: Text
    text: Text


@dataclass(frozen=True)
class Benefits:
    businesses: Annotated[tuple[Text, ...], Entries(1)]
    cluster_organisation: Annotated[tuple[Text, ...], Entries(1)]
    region: Annotated[tuple[Text, ...], Entries(1)]


@dataclass(frozen=True)
class Step:
    number: int
    id: str
    phase: str
    title: Text
    short: Annotated[Text, MaxLen(26)]  # the title, leading words dropped
    intro: Text
    overview: Text
    benefits: Benefits
    questions: QuestionList
    tools: Annotated[tuple[Tool, ...], Entries(3)]
    examples: Annotated[tuple[Example, ...], Entries(2)]
    ready_when: Text

    @property
    def current_tools(self) -> tuple[Tool, ...]:
        """The tools a cluster can use now, in the order the step lists them."""
        return tuple(t for t in self.tools if t.current)

    @property
    def key_question(self) -> Question:
        return next(q for q in self.questions if q.key)


@dataclass(frozen=True)
class Prerequisite:
    """What a step's actions presuppose: earlier steps that must be ready first
    (`content/prerequisites.yaml`), so next actions follow the journey."""

    step: int
    needs: tuple[int, ...]


@dataclass(frozen=True)
class FundingSource:
    id: str
    name: Text
    description: Text
    steps: Annotated[tuple[int, ...], Entries(1)]
    source: Url
    checked: Date
    status: Status  # see STATUSES

    @property
    def current(self) -> bool:
        """It can be applied for or used now (open or recurring)."""
        return self.status in CURRENT

    @property
    def background(self) -> bool:
        """A programme that has ended: shown only in the background view."""
        return self.status == "past"


@dataclass(frozen=True)
class Funding:
    title: Text
    intro: Text
    overview: Text
    questions: QuestionList
    sources: Annotated[tuple[FundingSource, ...], Entries(1)]


@dataclass(frozen=True)
class Term:
    id: str
    term: Text
    definition: Text
    aliases: tuple[Phrase, ...] = ()  # abbreviations and other words people type (any language)


@dataclass(frozen=True)
class TemplateItem:
    """One line of a template: a question or a row to fill in, and how to answer it."""

    text: Text
    answer: Text  # e.g. "1 (not at all) – 5 (fully)", "free text"


@dataclass(frozen=True)
class Template:
    """A form a cluster manager can download and use (a survey, a self-rating, a map)."""

    id: str
    title: Annotated[Text, MaxLen(60)]
    intro: Annotated[Text, MaxLen(800)]  # what it is for and how to use it (a caption)
    steps: Annotated[tuple[int, ...], Entries(1)]  # the steps whose guide offers it
    items: Annotated[tuple[TemplateItem, ...], Entries(3, 30)]


@dataclass(frozen=True)
class Option:
    id: str
    label: Annotated[Text, MaxLen(60)]


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
    support_kinds: Annotated[tuple[Option, ...], Entries(1)]
    support_sources: Annotated[tuple[Option, ...], Entries(1)]


@dataclass(frozen=True)
class Content:
    """The whole journey content, validated."""

    threshold: int
    title: Text
    about: Text
    start: Text
    goal: Text
    phases: Annotated[tuple[Phase, ...], Entries(1)]
    answers: Annotated[tuple[Answer, ...], Entries(2)]
    steps: tuple[Step, ...]
    funding: Funding
    glossary: Annotated[tuple[Term, ...], Entries(35)]
    workshop: Workshop
    templates: Annotated[tuple[Template, ...], Entries(3)]
    prerequisites: tuple[Prerequisite, ...] = ()

    def step(self, number: int) -> Step:
        return self.steps[number - 1]

    def known_step(self, number: int | None) -> int | None:
        """The number if the journey has such a step (stored answers may predate the content)."""
        return number if number is not None and 1 <= number <= len(self.steps) else None

    def step_number(self, text: str) -> int | None:
        """The step a button or a mode names ("3"), or None when there is no such step."""
        return self.known_step(int(text)) if text.isascii() and text.isdigit() else None

    def needs(self, number: int) -> tuple[int, ...]:
        """The earlier steps that step `number`'s actions presuppose."""
        return next((p.needs for p in self.prerequisites if p.step == number), ())

    def template(self, template_id: str) -> Template | None:
        return next((t for t in self.templates if t.id == template_id), None)

    def templates_of(self, number: int) -> tuple[Template, ...]:
        """The templates the guide offers in step `number` (0: funding): those listed for the
        step, and those its questions' actions and its tools name."""
        if number:
            step = self.step(number)
            named = {q.template for q in step.questions} | {t.template for t in step.tools}
        else:
            named = {q.template for q in self.funding.questions}
        return tuple(t for t in self.templates if number in t.steps or t.id in named)

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
