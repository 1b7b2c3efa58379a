"""What the workshop's projector page shows, as data in the current language: the join panel,
where the room is on the ten steps, the challenges grouped by step with the most frequent words,
the support wanted and from whom. `bot/web/` turns it into HTML; nothing here names anyone.

Built from the same totals as the facilitator's results message (`results.aggregate`), so the
phone and the wall never disagree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flows.content_model import Content, Option
from flows.i18n import _, current_language
from flows.workshop.answers import ParticipantAnswers
from flows.workshop.codes import join_command
from flows.workshop.moderation import Moderation, Status, moderation_list
from flows.workshop.results import MAX_CHALLENGE, aggregate, merged_from_whom, shorten

# One screen: the wall is never scrolled, so what it shows is capped whatever the room's size
# (the rest is counted: "…and 12 more"); the newest first, every step kept represented.
MAX_CHALLENGES = 6  # challenges shown in all
MAX_CHALLENGE_CHARS = 90  # of each on the wall
MAX_FROM_WHOM = 4  # "from whom" texts shown
MAX_FROM_CHARS = 60  # of each on the wall
MAX_OPTIONS = 5  # support kinds and sources shown, the most chosen
WORD_SIZES = 4  # the most frequent words are drawn in this many sizes
WALL_WORDS = 8  # of the most frequent words
HOST_LISTED = 12  # texts in the facilitator view's moderation list


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    share: int  # 0..100, relative to the largest bar of its chart (the shape of the room)
    top: bool = False  # the largest (or tied for it)


@dataclass(frozen=True)
class StepGroup:
    heading: str  # "3. Hitta möjligheter", or "Step not given"
    items: tuple[str, ...]  # the newest challenges, shortened
    more: int  # how many older ones are not shown
    count: int = 0  # all of the step's challenges


@dataclass(frozen=True)
class Word:
    text: str
    count: int
    size: int  # 1 (least frequent shown) .. WORD_SIZES


@dataclass(frozen=True)
class HostItem:
    """A text in the facilitator view's moderation list, with what its button does."""

    text: str
    status: Status
    answer: int
    ref: str
    action: str  # "hide" or "show"


@dataclass(frozen=True)
class ProjectorView:
    lang: str
    title: str
    code: str
    closed: bool
    participants: int
    steps: tuple[Bar, ...]
    step_unknown: int
    challenges: tuple[StepGroup, ...]
    challenge_count: int
    words: tuple[Word, ...]
    kinds: tuple[Bar, ...]
    sources: tuple[Bar, ...]
    from_whom: tuple[str, ...]
    labels: dict[str, str]
    join_command: str  # "/workshop join ABC234", for those who type rather than scan
    revealed: bool = True  # False: only the count of participants shows
    challenges_more: int = 0  # challenges not shown (all steps together)
    from_more: int = 0  # "from whom" texts not shown
    kinds_more: int = 0
    sources_more: int = 0
    host: bool = False  # the facilitator view: moderation list, reveal and report
    filter_on: bool = True
    host_items: tuple[HostItem, ...] = ()
    host_more: int = 0


def _bars(labels: Sequence[str], counts: Sequence[int]) -> tuple[Bar, ...]:
    largest = max(counts, default=0)
    return tuple(
        Bar(
            label,
            count,
            round(count / largest * 100) if largest else 0,
            bool(count) and count == largest,
        )
        for label, count in zip(labels, counts, strict=True)
    )


def _option_bars(
    options: Sequence[Option], counts: Sequence[tuple[str, int]], lang: str
) -> tuple[Bar, ...]:
    """The options someone chose, most chosen first (content order on ties): a wall of zeros
    says nothing."""
    by_id = dict(counts)
    chosen = sorted((o for o in options if by_id.get(o.id, 0)), key=lambda o: -by_id[o.id])
    return _bars([o.label.get(lang) for o in chosen], [by_id[o.id] for o in chosen])


def _sizes(words: Sequence[tuple[str, int]]) -> tuple[Word, ...]:
    if not words:
        return ()
    low, high = min(c for _w, c in words), max(c for _w, c in words)
    span = max(1, high - low)
    return tuple(
        Word(word, count, 1 + round((count - low) / span * (WORD_SIZES - 1)))
        for word, count in words
    )


def labels() -> dict[str, str]:
    """The page's fixed words in the current language."""
    return {
        "join": _("Join from your phone"),
        "scan": _("Scan the code with your phone's camera"),
        "or_send": _("or send the bot:"),
        "or_go_to": _("or go to"),
        "code": _("Join code"),
        "participants": _("Participants"),
        "steps": _("Where we are on the journey"),
        "step_unknown": _("Step not given: {count}"),
        "challenges": _("Challenges"),
        "no_challenges": _("No challenges yet."),
        "more": _("…and {count} more"),
        "words": _("Most frequent words"),
        "kinds": _("Support wanted"),
        "sources": _("From whom"),
        "from_whom": _("In their own words"),
        "none": _("Nothing yet."),
        "open": _("Open for answers"),
        "closed": _("Closed: no more answers"),
        "live": _("Updates by itself"),
        "offline": _("Connection lost, reconnecting…"),
        "gone": _("This link no longer works. Ask the facilitator for the new one."),
        "export": _("Export CSV"),
        "no_names": _("Anonymous: no names are shown."),
        "waiting": _("The results are shown when the facilitator chooses."),
        "reveal": _("Show the results"),
        "conceal": _("Hide the results"),
        "moderate": _("Answers in their own words"),
        "moderate_note": _("Hidden answers leave the wall, the word list and the results."),
        "hide": _("Hide"),
        "show": _("Show again"),
        "let_through": _("Let through"),
        "held": _("held back"),
        "hidden": _("hidden"),
        "filter_on": _("Profanity filter: on (flagged answers wait for you)"),
        "filter_off": _("Profanity filter: off"),
        "turn_off": _("Turn the filter off"),
        "turn_on": _("Turn the filter on"),
        "no_texts": _("No answers in their own words yet."),
        "report_pdf": _("Report (PDF)"),
        "report_md": _("Report (Markdown)"),
        "host": _("Facilitator view: only you see the buttons. Project the plain link."),
    }


def _fit(groups: Sequence[tuple[str, Sequence[str]]], limit: int) -> list[tuple[int, int]]:
    """How many of each group's newest items to show (and how many not), `limit` in all:
    one round over the groups at a time, the largest groups first (where the room is)."""
    shown = [0] * len(groups)
    order = sorted(range(len(groups)), key=lambda g: -len(groups[g][1]))  # stable on ties
    left = limit
    while left > 0 and any(shown[g] < len(items) for g, (_h, items) in enumerate(groups)):
        for g in order:
            if left > 0 and shown[g] < len(groups[g][1]):
                shown[g] += 1
                left -= 1
    return [(n, len(items) - n) for n, (_h, items) in zip(shown, groups, strict=True)]


def projector_view(
    content: Content,
    title: str,
    code: str,
    closed: bool,
    answers: Sequence[ParticipantAnswers],
    moderation: Moderation | None = None,
    revealed: bool = True,
    host: bool = False,
) -> ProjectorView:
    """The page in the current language: only the texts the room may see (`moderation`);
    with `host`, the facilitator's moderation list too."""
    lang = current_language()
    moderation = moderation or Moderation()
    results = aggregate(content, answers, moderation)
    headed = [
        (
            f"{number}. {content.step(number).short.get(lang)}" if number else _("Step not given"),
            texts,
        )
        for number, texts in results.challenges_by_step
    ]
    groups = []
    not_shown = 0
    for (heading, texts), (count, more) in zip(headed, _fit(headed, MAX_CHALLENGES), strict=True):
        not_shown += more
        if count:  # a step none of whose challenges fit is counted in "…and N more"
            newest = texts[len(texts) - count :]
            items = tuple(shorten(t, min(MAX_CHALLENGE, MAX_CHALLENGE_CHARS)) for t in newest)
            groups.append(StepGroup(heading, items, more, len(texts)))
    workshop = content.workshop
    kinds = _option_bars(workshop.support_kinds, results.kinds, lang)
    sources = _option_bars(workshop.support_sources, results.sources, lang)
    from_whom = merged_from_whom(results.support_from)
    host_items: tuple[HostItem, ...] = ()
    host_more = 0
    if host:
        listed, host_more = moderation_list(answers, moderation, HOST_LISTED)
        host_items = tuple(
            HostItem(
                shorten(entry.item.text, MAX_CHALLENGE),
                entry.status,
                entry.item.answer or 0,
                entry.item.ref,
                "hide" if entry.status == "shown" else "show",
            )
            for entry in listed
            if entry.item.answer is not None
        )
    return ProjectorView(
        lang=lang,
        title=" ".join(title.split()),
        code=code,
        closed=closed,
        participants=results.participants,
        steps=_bars([f"{s.number}. {s.short.get(lang)}" for s in content.steps], results.steps),
        step_unknown=results.step_unknown,
        challenges=tuple(groups),
        challenge_count=sum(len(texts) for _n, texts in results.challenges_by_step),
        words=_sizes(results.top_words[:WALL_WORDS]),
        kinds=kinds[:MAX_OPTIONS],
        sources=sources[:MAX_OPTIONS],
        from_whom=tuple(shorten(t, MAX_FROM_CHARS) for t in from_whom[:MAX_FROM_WHOM]),
        labels=labels(),
        join_command=join_command(code),
        revealed=revealed,
        challenges_more=not_shown,
        from_more=max(0, len(from_whom) - MAX_FROM_WHOM),
        kinds_more=max(0, len(kinds) - MAX_OPTIONS),
        sources_more=max(0, len(sources) - MAX_OPTIONS),
        host=host,
        filter_on=moderation.filter_on,
        host_items=host_items,
        host_more=host_more,
    )
