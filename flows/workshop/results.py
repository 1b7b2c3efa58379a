"""Workshop results: totals over every participant, whatever their language, and the
facilitator's live results text, always one message long.

UI labels come from the catalogues via `_` in the current language (set by the caller); content
labels (step names, support kinds and sources) from the content in that language.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flows.channel import Channel
from flows.content_model import Content, Option
from flows.i18n import _, current_language
from flows.messages import CountChart
from flows.summary import bar
from flows.workshop.answers import ParticipantAnswers
from flows.workshop.moderation import Moderation, text_items, visible_answers
from flows.workshop.words import top_words


@dataclass(frozen=True)
class WorkshopResults:
    participants: int
    steps: tuple[int, ...]  # count per step 1..10
    step_unknown: int
    # challenges grouped by step (step order, None = step not given last), arrival order within
    challenges_by_step: tuple[tuple[int | None, tuple[str, ...]], ...]
    top_words: tuple[tuple[str, int], ...]  # (word, count), most frequent first, ties by word
    kinds: tuple[tuple[str, int], ...]  # (support kind id, count), content order, zeros included
    sources: tuple[tuple[str, int], ...]  # (source id, count), content order, zeros included
    support_from: tuple[str, ...]  # non-empty free texts, arrival order
    held: int = 0  # free texts the profanity filter holds back, waiting for a facilitator
    hidden: int = 0  # free texts a facilitator hid


def aggregate(
    content: Content,
    answers: Sequence[ParticipantAnswers],
    moderation: Moderation | None = None,
) -> WorkshopResults:
    """Totals over all participants, whatever their language. Unknown ids (content changed since)
    are ignored; a step outside 1..10 counts as not given; each option counts once per person.
    Only the free texts the room may see are in it (`moderation`: by default the filter on and
    nothing decided); the others are counted as held back or hidden."""
    moderation = moderation or Moderation()
    statuses = [moderation.status(item) for item in text_items(answers)]
    answers = visible_answers(answers, moderation)
    count = len(content.steps)
    steps = [0] * count
    unknown = 0
    grouped: dict[int | None, list[str]] = {}
    kinds: Counter[str] = Counter()
    sources: Counter[str] = Counter()
    support_from: list[str] = []
    for answer in answers:
        step = content.known_step(answer.step)
        if step is None:
            unknown += 1
        else:
            steps[step - 1] += 1
        texts = [t.strip() for t in answer.challenges if t.strip()]
        if texts:
            grouped.setdefault(step, []).extend(texts)
        kinds.update(set(answer.support_kinds))
        sources.update(set(answer.support_sources))
        if answer.support_from.strip():
            support_from.append(answer.support_from.strip())
    order = [n for n in range(1, count + 1) if n in grouped] + ([None] if None in grouped else [])
    workshop = content.workshop
    return WorkshopResults(
        participants=len(answers),
        steps=tuple(steps),
        step_unknown=unknown,
        challenges_by_step=tuple((n, tuple(grouped[n])) for n in order),
        top_words=top_words(t for _step, texts in grouped.items() for t in texts),
        kinds=tuple((o.id, kinds[o.id]) for o in workshop.support_kinds),
        sources=tuple((o.id, sources[o.id]) for o in workshop.support_sources),
        support_from=tuple(support_from),
        held=statuses.count("held"),
        hidden=statuses.count("hidden"),
    )


# --- the results message ----------------------------------------------------------------------

ROOM = 96  # of the channel's longest message, what results_text leaves to the adapter
MAX_CHALLENGE = 200  # characters shown per challenge
MAX_FROM = 100  # characters shown per "from whom" text
MAX_TITLE = 200

Length = Callable[[str], int]  # a text's length as the channel counts it


def text_budget(channel: Channel | None) -> int | None:
    """How long the results text may be in `channel` (its longest message less ROOM); None:
    no limit."""
    longest = channel.longest_message if channel is not None else None
    return None if longest is None else longest - ROOM


def _cut(text: str, units: int, length: Length) -> str:
    """The longest prefix of `text` within `units`, as `length` counts."""
    while length(text) > units:
        text = text[: max(0, min(len(text) - 1, units))]
    return text


def shorten(text: str, limit: int) -> str:
    """One line of at most `limit` characters, cut at a word boundary when possible, with '…'."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    head = flat[: limit - 1]
    space = head.rfind(" ")
    if space >= limit * 3 // 4:
        head = head[:space]
    return head.rstrip(" ,.;:–-") + "…"


def _label(options: Sequence[Option], option_id: str, lang: str) -> str:
    return next((o.label.get(lang) for o in options if o.id == option_id), option_id)


def _step_name(content: Content, number: int | None, lang: str) -> str:
    if number is None:
        return _("Step not given")
    return f"{number}. {content.step(number).short.get(lang)}"


def _more_line(count: int) -> str:
    return _("…and {count} more (all are in the CSV export)").format(count=count)


def _fit_groups(
    groups: Sequence[tuple[str, Sequence[str]]], budget: int, length: Length, bullet: str = "• "
) -> tuple[list[str], int]:
    """Lines for grouped items within `budget`, as `length` counts (newlines included).

    The newest items (last in each group) are chosen first, one round over the groups at a
    time, so every group stays represented; what is shown keeps its original order. Returns
    the lines and how many items were left out ("… and N more" is the caller's to add)."""
    costs = [length(head) + 1 if head else 0 for head, _items in groups]
    chosen: list[set[int]] = [set() for _group in groups]
    used = 0
    total = sum(len(items) for _head, items in groups)
    depth = max((len(items) for _head, items in groups), default=0)
    for round_ in range(depth):
        for g, (_head, items) in enumerate(groups):
            index = len(items) - 1 - round_
            if index < 0:
                continue
            cost = length(bullet + items[index]) + 1 + (costs[g] if not chosen[g] else 0)
            if used + cost <= budget:
                chosen[g].add(index)
                used += cost
    lines: list[str] = []
    for g, (head, items) in enumerate(groups):
        if chosen[g]:
            if head:
                lines.append(head)
            lines.extend(bullet + items[i] for i in sorted(chosen[g]))
    return lines, total - sum(len(c) for c in chosen)


def merged_from_whom(texts: Sequence[str]) -> list[str]:
    """Identical answers merged (case and spacing ignored), most frequent first, with a count."""
    seen: dict[str, tuple[str, int]] = {}
    for text in texts:
        key = " ".join(text.casefold().split())
        first, count = seen.get(key, (shorten(text, MAX_FROM), 0))
        seen[key] = (first, count + 1)
    ranked = sorted(seen.values(), key=lambda item: -item[1])  # stable: first seen first on ties
    return [f"{text} (×{count})" if count > 1 else text for text, count in ranked]


def _counted(options: Sequence[Option], counts: Sequence[tuple[str, int]], lang: str) -> list[str]:
    """Chosen options, most chosen first (content order on ties); options nobody chose are left
    out to keep the message short."""
    ranked = sorted((c for c in counts if c[1] > 0), key=lambda c: -c[1])
    return [f"{count:>3}  {_label(options, option_id, lang)}" for option_id, count in ranked]


def results_text(
    content: Content,
    title: str,
    code: str,
    results: WorkshopResults,
    closed: bool,
    channel: Channel | None = None,
) -> str:
    """The facilitator's live results in the current language, for a phone; always a single
    message of `channel` (at most `text_budget`, never more than its longest message); without
    a channel, every line."""
    lang = current_language()
    length: Length = channel.length if channel is not None else len
    budget = text_budget(channel)
    workshop = content.workshop
    state = _("Closed") if closed else _("Open")
    head = [
        shorten(title, MAX_TITLE),
        _("Join code: {code}").format(code=code) + " · " + state,
        _("Participants: {count}").format(count=results.participants),
    ]
    if results.held or results.hidden:
        head.append(
            _("Held back by the filter: {held} · Hidden: {hidden}").format(
                held=results.held, hidden=results.hidden
            )
        )
    head += ["", _("Step on the journey")]
    largest = max(results.steps, default=0)
    for number, count in enumerate(results.steps, start=1):
        # bars relative to the most chosen step, so the shape of the room shows at a glance;
        # any step someone chose gets at least one cell
        share = max(10, round(count / largest * 100)) if count else 0
        head.append(f"{bar(share)} {count:>3}  {number}. {content.step(number).short.get(lang)}")
    if results.step_unknown:
        head.append(_("Step not given: {count}").format(count=results.step_unknown))

    words_line = ", ".join(f"{word} ({count})" for word, count in results.top_words)
    middle = [
        "",
        _("Most frequent words: {words}").format(words=words_line or "–"),
        "",
        _("Kinds of support"),
    ]
    middle += _counted(workshop.support_kinds, results.kinds, lang) or ["–"]
    middle += ["", _("Sources of support")]
    middle += _counted(workshop.support_sources, results.sources, lang) or ["–"]

    challenges_head = ["", _("Challenges")]
    from_head = ["", _("From whom (free text)")]
    groups = [
        (_step_name(content, number, lang), [shorten(t, MAX_CHALLENGE) for t in texts])
        for number, texts in results.challenges_by_step
    ]
    from_items = merged_from_whom(results.support_from)

    fixed = "\n".join(head + challenges_head + middle + from_head)
    more = length(_more_line(99999)) + 1
    room = sys.maxsize if budget is None else max(0, budget - length(fixed) - 2 * more)
    from_need = sum(length(t) + 3 for t in from_items)  # "• " and the newline
    # the challenges come first, but "from whom" keeps at least a quarter of the room if needed
    challenge_lines, hidden = _fit_groups(groups, room - min(from_need, room // 4), length)
    room -= sum(length(line) + 1 for line in challenge_lines)
    from_lines, from_hidden = _fit_groups([("", from_items)], room, length)

    lines = head + challenges_head
    if not groups:
        lines.append("–")
    lines += challenge_lines + ([_more_line(hidden)] if hidden else [])
    lines += middle + from_head
    if not from_items:
        lines.append("–")
    lines += from_lines + ([_more_line(from_hidden)] if from_hidden else [])
    text = "\n".join(lines)
    longest = channel.longest_message if channel is not None else None
    # only a pathological content could need this
    return text if longest is None else _cut(text, longest, length)


def count_chart(content: Content, results: WorkshopResults, title: str) -> CountChart:
    """Participants per step, in the current language, for `bot/render/` to draw."""
    lang = current_language()
    note = _("Participants: {count}").format(count=results.participants)
    if results.step_unknown:
        note += " · " + _("Step not given: {count}").format(count=results.step_unknown)
    return CountChart(
        title=" ".join(title.split()),
        labels=tuple(f"{s.number}. {s.short.get(lang)}" for s in content.steps),
        counts=results.steps,
        note=note,
    )
