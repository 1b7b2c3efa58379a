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
from flows.workshop.results import MAX_CHALLENGE, aggregate, merged_from_whom, shorten

MAX_PER_STEP = 6  # challenges shown per step, the newest; the rest are counted
WORD_SIZES = 4  # the most frequent words are drawn in this many sizes


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


@dataclass(frozen=True)
class Word:
    text: str
    count: int
    size: int  # 1 (least frequent shown) .. WORD_SIZES


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
    }


def projector_view(
    content: Content, title: str, code: str, closed: bool, answers: Sequence[ParticipantAnswers]
) -> ProjectorView:
    lang = current_language()
    results = aggregate(content, answers)
    groups = []
    for number, texts in results.challenges_by_step:
        heading = (
            f"{number}. {content.step(number).short.get(lang)}" if number else _("Step not given")
        )
        newest = texts[-MAX_PER_STEP:]
        groups.append(
            StepGroup(
                heading,
                tuple(shorten(t, MAX_CHALLENGE) for t in newest),
                len(texts) - len(newest),
            )
        )
    workshop = content.workshop
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
        words=_sizes(results.top_words),
        kinds=_option_bars(workshop.support_kinds, results.kinds, lang),
        sources=_option_bars(workshop.support_sources, results.sources, lang),
        from_whom=tuple(merged_from_whom(results.support_from)),
        labels=labels(),
        join_command=join_command(code),
    )
