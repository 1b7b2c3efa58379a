"""What flows take in (Event) and give out (Reply): plain data that every adapter renders.

A Reply holds no code. Its attachment describes a picture or a file (a chart's values and labels,
a QR code's text, a table's rows); the adapters draw or write it (`bot/render/`), so the flows
never import a drawing library.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

EventKind = Literal["command", "text", "choice", "open"]


@dataclass(frozen=True)
class Event:
    """One thing the user did: a command (`value` without the slash, `arg` its argument),
    free text, a press of a choice (`value` is the choice id, `kind:value`), or opening a chat
    that shows no history (the terminal; `value` the language asked for, "" for the user's):
    the flows answer where the user is."""

    kind: EventKind
    value: str
    arg: str = ""


@dataclass(frozen=True)
class Choice:
    """A button: a stable id the flows understand and a label in the user's language; or, with
    a `url`, a link that opens elsewhere (a channel without buttons shows the link)."""

    id: str
    label: str
    opens_beside: bool = False  # what it opens comes beside its message, which stays as it is
    url: str = ""  # a link button: pressing it opens the link and sends the flows nothing


@dataclass(frozen=True)
class ReadinessChart:
    """Readiness per step as bars, step 1 first: the threshold marked, the current step
    highlighted, the "not sure" share apart from the bar, a key under it."""

    title: str
    labels: tuple[str, ...]  # one per step, in the user's language
    percents: tuple[int | None, ...]
    threshold: int
    current: int | None  # step number to highlight
    threshold_label: str
    axis_label: str
    value_format: str = "{percent}%"  # a bar's label, as the language writes percentages
    subtitle: str = ""  # the date and the kind of check
    values: tuple[str, ...] = ()  # each bar's label ("Partly", "57 %"); () = value_format
    unsure: tuple[int, ...] = ()  # per step, the points answered "not sure", drawn apart
    scale: tuple[tuple[int, str], ...] = ()  # the axis ticks (percent, label); () = 0–100
    key: tuple[tuple[str, str], ...] = ()  # (role, label); roles: current, ready, not_ready,
    # unsure
    # the axis is in words (a quick check: No, Partly, Yes): no threshold line, which would be
    # a percentage on it, and a "not sure" step gets a short hatched mark, not a full bar
    words: bool = False


@dataclass(frozen=True)
class CountChart:
    """How many chose each step, for a projector: the most chosen steps stand out."""

    title: str
    labels: tuple[str, ...]
    counts: tuple[int, ...]
    note: str  # under the bars, e.g. "Participants: 12"


@dataclass(frozen=True)
class QrCode:
    """A QR code of `text` (a link), large enough for a projector."""

    text: str


@dataclass(frozen=True)
class Table:
    """A spreadsheet (CSV): the header row (none when empty), the rows, and the list separator
    its readers expect."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    delimiter: str = ","


@dataclass(frozen=True)
class Link:
    """A name and where it points ("" when there is nothing to link to)."""

    text: str
    url: str = ""


@dataclass(frozen=True)
class PlanTool:
    """A step's tool as the plan names it: its name, and its number in the plan's list of
    sources (`ActionPlan.sources`, from 1); 0 for our own suggestion, which has no source."""

    text: str
    source: int = 0


PlanState = Literal["open", "overdue", "done", "dropped"]


@dataclass(frozen=True)
class PlanAction:
    """One next action as the action plan shows it."""

    text: str
    why: str  # why it matters
    template: str  # the title of the template the action names, "" if none
    owner: str  # who owns it, as the user wrote it; "" when nobody does yet
    due: str  # the month it is due in words ("mars 2027"); "" when not set
    state: PlanState
    state_label: str  # the state in words ("Open", "Overdue", "Done", "Not relevant")


@dataclass(frozen=True)
class PlanStep:
    """One step of the journey in the plan: its readiness and, if any, its actions and the
    step's tools (named once for all its actions). Number 0 is the funding track."""

    number: int
    title: str
    readiness: str  # in words or as a percentage, as precise as the check was: "Partly", "70 %"
    ready: bool
    current: bool  # the step the cluster is at
    held_back: tuple[str, ...]  # "question — answer" for each answer that held the step back
    actions: tuple[PlanAction, ...]
    tools: tuple[PlanTool, ...] = ()  # shown where the step has actions

    @property
    def name(self) -> str:
        """ "3. Identify opportunities"; the funding track by its title alone."""
        return f"{self.number}. {self.title}" if self.number else self.title


@dataclass(frozen=True)
class PlanLabels:
    """The document's fixed words in the reader's language."""

    readiness: str  # section: readiness per step
    step: str  # table header
    readiness_column: str  # table header
    held_back: str  # "What held it back"
    actions: str  # section: next actions by step
    why: str
    tools: str
    template: str
    owner: str
    due: str
    state: str
    nobody: str  # an empty owner or due month
    no_actions: str  # when there is nothing left to do
    ready_when: str  # section: ready for the next step when …
    unsure: str  # section: "not sure" answers to settle with colleagues
    change: str  # section: change since the previous assessment
    page: str  # "Page {page} of {pages}"
    sources: str = "Sources"  # section: the numbered list of the tools' sources


@dataclass(frozen=True)
class ActionPlan:
    """The action plan of one completed assessment, every text already in the reader's
    language; the adapters lay it out as a PDF or Markdown (`bot/render/`)."""

    lang: str  # "sv" or "en": hyphenation, quotes and dates are the renderer's to get right
    title: str
    cluster: str  # the cluster's name; "" when the user gave none
    meta: str  # the date and the kind of check: "2 december 2026 · Snabbkoll"
    position: str  # where the cluster stands: step, title and phase
    chart: ReadinessChart
    steps: tuple[PlanStep, ...]  # all ten, step 1 first
    ready_when: str  # what "ready for the next step" means at the current step ("" at the end)
    unsure: tuple[str, ...]  # the questions answered "not sure"
    change: str  # the change since the previous assessment; "" for the first
    footer: str  # under every page, before the page number
    labels: PlanLabels
    funding: PlanStep | None = None  # the funding track (number 0), with its score
    sources: tuple[Link, ...] = ()  # the tools' sources, numbered from 1 in the order shown

    @property
    def rows(self) -> tuple[PlanStep, ...]:
        """The ten steps and, after them, the funding track."""
        return (*self.steps, self.funding) if self.funding is not None else self.steps


@dataclass(frozen=True)
class PlanDocument:
    """The action plan as a file: a PDF, or Markdown for pasting into other documents."""

    plan: ActionPlan
    kind: Literal["pdf", "markdown"]


@dataclass(frozen=True)
class ReportGroup:
    """Challenges of the participants at one step: the heading, and the texts."""

    heading: str  # "3. Hitta möjligheter (4)"
    items: tuple[str, ...]


@dataclass(frozen=True)
class ReportTool:
    """A tool of the room's step: its name, what it is, and where to find it ("" if nowhere)."""

    name: str
    description: str
    url: str = ""


@dataclass(frozen=True)
class ReportLabels:
    """The report's fixed words in the reader's language."""

    steps: str  # section: where the room is on the journey
    challenges: str
    themes: str  # "Frequent themes"
    support: str  # section: the support wanted
    kinds: str
    sources: str
    from_whom: str  # "In their own words"
    next_step: str  # section: the step most of the room is at
    tools: str
    actions: str
    none: str  # an empty list
    page: str  # "Page {page} of {pages}"


@dataclass(frozen=True)
class WorkshopReport:
    """A workshop's results for participants and funders, every text in the reader's
    language and nothing that names anyone: laid out as a PDF or Markdown (`bot/render/`)."""

    lang: str
    title: str
    meta: str  # the date and how many took part
    position: str  # the step most of the room is at, in a sentence
    chart: CountChart
    challenges: tuple[ReportGroup, ...]
    themes: tuple[str, ...]  # "funding (4)"
    kinds: tuple[str, ...]  # "Funding: 5"
    sources: tuple[str, ...]
    from_whom: tuple[str, ...]
    step_title: str  # "3. Identify opportunities" ("" when nobody gave a step)
    tools: tuple[ReportTool, ...]
    actions: tuple[str, ...]
    footer: str
    labels: ReportLabels


@dataclass(frozen=True)
class ReportDocument:
    """The workshop report as a file: a PDF, or Markdown."""

    report: WorkshopReport
    kind: Literal["pdf", "markdown"]


JsonValue = str | int | float | bool | None | list["JsonValue"] | dict[str, "JsonValue"]


@dataclass(frozen=True)
class DataField:
    """One stored value: its key in the JSON copy (documented in docs/MYDATA.md) and the value
    there; its label and the value as a reader reads it (`text`, or a list as `items`). With
    `text` and `items` empty the reader's copy leaves it out (bookkeeping); `in_json=False`
    marks what only the reader's copy shows (an action's text next to its id)."""

    name: str
    label: str
    value: JsonValue
    text: str = ""
    items: tuple[str, ...] = ()
    in_json: bool = True


@dataclass(frozen=True)
class DataTable:
    """The rows of one table of the personal-data registry that are the user's."""

    name: str  # the table's name: the key in the JSON copy
    title: str
    records: tuple[tuple[DataField, ...], ...]


@dataclass(frozen=True)
class DataSection:
    """One kind of personal data (a category of the registry) and what the privacy text says
    of it."""

    category: str
    title: str
    about: tuple[str, ...]
    tables: tuple[DataTable, ...]


@dataclass(frozen=True)
class DataCopy:
    """A copy of everything stored about the user (`/mydata`), every text in the reader's
    language: as JSON (machine-readable, keys in English) or Markdown (`bot/render/`)."""

    kind: Literal["json", "markdown"]
    lang: str
    title: str
    intro: str
    user_id: str
    made: str  # when the copy was made, ISO 8601 in UTC
    made_text: str  # the same in words, with the user id: under the title
    sections: tuple[DataSection, ...]
    nothing: str  # a table without rows of the user's
    footer: str


@dataclass(frozen=True)
class CalendarEvent:
    """An event for the user's own calendar (an iCalendar file), where the channel cannot write
    to the user later. `start` is wall-clock time in `timezone`, so the event stays at that hour
    there whichever zone the calendar shows; the same `uid` with a higher `sequence` moves the
    event the user added before instead of adding a second one. Plain values only: a channel
    may keep the attachment as JSON and render it later."""

    uid: str
    summary: str  # the event's title
    description: str  # the open actions, one a line, and the link back
    start: str  # local time in `timezone`, ISO 8601 without a zone: "2027-01-04T09:30"
    timezone: str  # an IANA name, e.g. "Europe/Stockholm"
    minutes: int  # how long it lasts
    stamp: float  # when the file was made, unix seconds
    sequence: int  # higher for every new version of the event
    lang: str  # the language of the summary and the description
    url: str = ""  # a link back to the chat; "" where there is none
    alarm: bool = True  # the calendar alerts the user at the start


Drawing = (
    ReadinessChart
    | CountChart
    | QrCode
    | Table
    | PlanDocument
    | ReportDocument
    | DataCopy
    | CalendarEvent
)


@dataclass(frozen=True)
class Attachment:
    """A picture or a file to send with a reply, described as data."""

    filename: str
    content: Drawing

    @property
    def is_image(self) -> bool:
        return isinstance(self.content, ReadinessChart | CountChart | QrCode)


@dataclass(frozen=True)
class ResultsShown:
    """What a reply showing a workshop's results shows: the workshop, as of `revision`. A
    channel that edits messages in place keeps that message up to date as answers arrive."""

    workshop_id: int
    revision: int


@dataclass(frozen=True)
class Reply:
    """One message: text, optional buttons (`rows` groups them into keyboard rows), attachment
    (then `text` is its caption). `expects_text`: the message asks for free text, so an adapter
    that answers buttons by typed text (the terminal) takes what is typed as that text.
    `stays`: a reply worth keeping in the conversation (a summary): what its buttons open comes
    beside it, never in its place."""

    text: str
    choices: tuple[Choice, ...] = ()
    rows: tuple[int, ...] = ()
    attachment: Attachment | None = None
    tag: str = ""  # lets an adapter recognise a message of its own (the help)
    expects_text: bool = False
    stays: bool = False
    shows: ResultsShown | None = None  # the workshop results it shows
    # a short notice answering a button press: a channel that can shows it briefly beside the
    # pressed message and leaves that message as it is ("No new answers")
    brief: bool = False

    def choice_rows(self) -> list[list[Choice]]:
        """The buttons grouped into rows: `rows` gives row sizes; by default one per row."""
        sizes = list(self.rows) or [1] * len(self.choices)
        out, start = [], 0
        for size in sizes:
            if start >= len(self.choices):
                break
            out.append(list(self.choices[start : start + size]))
            start += size
        if start < len(self.choices):
            out.extend([c] for c in self.choices[start:])
        return out


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # all but tab and newline


def clean_text(text: str) -> str:
    """Text as people typed it, without control characters: a NUL the database refuses, an
    ESC or BEL that would drive an operator's terminal, a carriage return from a paste."""
    return _CONTROL.sub("", text)


def clean(event: Event) -> Event:
    """The event with its text cleaned (`clean_text`), as every channel hands it on."""
    value, arg = clean_text(event.value), clean_text(event.arg)
    if value == event.value and arg == event.arg:
        return event
    return Event(event.kind, value, arg)


_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@\w+)?(?:\s+(.*))?$", re.DOTALL)


def parse_command(text: str) -> Event | None:
    """'/glossary kluster' → Event('command', 'glossary', 'kluster'); None if not a command."""
    match = _COMMAND.match(text.strip())
    if not match:
        return None
    return Event("command", match.group(1).lower(), (match.group(2) or "").strip())
