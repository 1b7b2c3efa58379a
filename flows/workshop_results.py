"""Workshop results: aggregation of participants' answers, the live results text, the CSV export,
join codes and links, the QR code and the distribution chart. Pure functions, no Telegram.

Answers are language-neutral (step numbers and option ids from `content/workshop.yaml`) plus
free text, so Swedish and English participants merge into the same totals. UI labels come from
the catalogues via `_` in the current language (set by the caller with `use_language`); content
labels (step names, support kinds and sources) are taken from the content in that language.

matplotlib and qrcode are imported inside the functions that need them, so that start-up stays
fast; adapters call those functions off the event loop.
"""

from __future__ import annotations

import csv
import io
import random
import re
import secrets
import textwrap
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flows.content_model import Content, Option
from flows.i18n import _, current_language, use_language
from flows.summary import bar

# --- data -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParticipantAnswers:
    """One participant's answers: language-neutral codes plus free text."""

    step: int | None = None  # 1..10, None = not answered
    challenges: tuple[str, ...] = ()  # free text, possibly several
    support_kinds: tuple[str, ...] = ()  # ids from content.workshop.support_kinds
    support_sources: tuple[str, ...] = ()  # ids from content.workshop.support_sources
    support_from: str = ""  # free text "from whom" ("" if none)
    lang: str = "en"  # "sv" or "en"


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


# --- aggregation ------------------------------------------------------------------------------

TOP_WORDS = 10
MIN_WORD = 3


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Compact stop-word lists: function words and fillers that say nothing about a challenge.
# Words shorter than MIN_WORD letters are dropped anyway, so they need not be listed.
STOP_SV = _word_set("""
    alla allt andra annan annat att av bara blev bli blir både bör dag dem den denna denne deras
    dess dessa det detta dig din dina ditt där då efter eftersom egen eget egna eller ens er era
    ert ett fick finns fanns fler flera från får för före genom gick gjort göra gör hade han har
    hela helt hennes hon hos hur här inga ingen inget inom inte jag kan kanske kommer kunde kunna
    man med mellan men mer mest mig min mina mitt mot mycket många måste nog när någon något
    några nån nåt och också oss på redan samma samt sedan sig sin sina sitt själv ska skulle som
    så sådan sådana sätt till tror under upp ut utan vad var vara varför varit varje vart vem
    vet vi vid vilka vilken vilket vill väl vår vårt våra än ännu är även över behöver behövs
    går gå finnas fortfarande lite ganska kring just idag
""")
STOP_EN = _word_set("""
    about above after again against all also among and any are aren't around because been
    before being below between both but can can't cannot could couldn't did didn't does doesn't
    doing don't down during each even every few for from further get gets getting got had hadn't
    has hasn't have haven't having her here hers herself him himself his how i'm i've into isn't
    it's its itself just lot lots many may might more most much must need needs needed not now
    off once one only other our ours ourselves out over own quite really same shall she should
    shouldn't since some still such than that that's the their theirs them themselves then there
    there's these they they're this those through too under until upon very was wasn't way were
    weren't what what's when where which while who whom whose why will with within without won't
    would wouldn't yet you you're your yours yourself yourselves well etc want make makes
""")
STOP_WORDS = STOP_SV | STOP_EN

# Letters (any script, å ä ö included) with inner apostrophes kept, so "don't" is one word.
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")


def words(text: str) -> list[str]:
    """The meaningful words of a text: case-folded, stop words and short words removed."""
    found = _WORD.findall(text.replace("’", "'").casefold())
    return [w for w in found if len(w) >= MIN_WORD and w not in STOP_WORDS]


def top_words(texts: Iterable[str], limit: int = TOP_WORDS) -> tuple[tuple[str, int], ...]:
    """The most frequent meaningful words; a word counts once per text (one sticky note)."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(set(words(text)))
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return tuple(ranked[:limit])


def aggregate(content: Content, answers: Sequence[ParticipantAnswers]) -> WorkshopResults:
    """Totals over all participants, whatever their language. Unknown ids (content changed since)
    are ignored; a step outside 1..10 counts as not given; each option counts once per person."""
    count = len(content.steps)
    steps = [0] * count
    unknown = 0
    grouped: dict[int | None, list[str]] = {}
    kinds: Counter[str] = Counter()
    sources: Counter[str] = Counter()
    support_from: list[str] = []
    for answer in answers:
        step = answer.step if answer.step is not None and 1 <= answer.step <= count else None
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
    )


# --- the results message ----------------------------------------------------------------------

MAX_MESSAGE = 4096  # Telegram's limit, counted in UTF-16 code units
TEXT_BUDGET = 4000  # what results_text aims for, leaving room for the adapter
MAX_CHALLENGE = 200  # characters shown per challenge
MAX_FROM = 100  # characters shown per "from whom" text
MAX_TITLE = 200


def _units(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji counts two)."""
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, units: int) -> str:
    """The longest prefix of `text` within `units` UTF-16 code units."""
    while _units(text) > units:
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


def _fit_groups(groups: Sequence[tuple[str, Sequence[str]]], budget: int,
                bullet: str = "• ") -> tuple[list[str], int]:
    """Lines for grouped items within `budget` UTF-16 units (newlines included).

    The newest items (last in each group) are chosen first, one round over the groups at a
    time, so every group stays represented; what is shown keeps its original order. Returns
    the lines and how many items were left out ("… and N more" is the caller's to add)."""
    costs = [_units(head) + 1 if head else 0 for head, _items in groups]
    chosen: list[set[int]] = [set() for _group in groups]
    used = 0
    total = sum(len(items) for _head, items in groups)
    depth = max((len(items) for _head, items in groups), default=0)
    for round_ in range(depth):
        for g, (_head, items) in enumerate(groups):
            index = len(items) - 1 - round_
            if index < 0:
                continue
            cost = _units(bullet + items[index]) + 1 + (costs[g] if not chosen[g] else 0)
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


def _from_whom(texts: Sequence[str]) -> list[str]:
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


def results_text(content: Content, title: str, code: str, results: WorkshopResults,
                 closed: bool) -> str:
    """The facilitator's live results in the current language, for a phone; always a single
    Telegram message (at most TEXT_BUDGET, never more than MAX_MESSAGE UTF-16 units)."""
    lang = current_language()
    workshop = content.workshop
    state = _("Closed") if closed else _("Open")
    head = [
        shorten(title, MAX_TITLE),
        _("Join code: {code}").format(code=code) + " · " + state,
        _("Participants: {count}").format(count=results.participants),
        "",
        _("Step on the journey"),
    ]
    largest = max(results.steps, default=0)
    for number, count in enumerate(results.steps, start=1):
        # bars relative to the most chosen step, so the shape of the room shows at a glance;
        # any step someone chose gets at least one cell
        share = max(10, round(count / largest * 100)) if count else 0
        head.append(f"{bar(share)} {count:>3}  {number}. {content.step(number).short.get(lang)}")
    if results.step_unknown:
        head.append(_("Step not given: {count}").format(count=results.step_unknown))

    words_line = ", ".join(f"{word} ({count})" for word, count in results.top_words)
    middle = ["", _("Most frequent words: {words}").format(words=words_line or "–"),
              "", _("Kinds of support")]
    middle += _counted(workshop.support_kinds, results.kinds, lang) or ["–"]
    middle += ["", _("Sources of support")]
    middle += _counted(workshop.support_sources, results.sources, lang) or ["–"]

    challenges_head = ["", _("Challenges")]
    from_head = ["", _("From whom (free text)")]
    groups = [(_step_name(content, number, lang), [shorten(t, MAX_CHALLENGE) for t in texts])
              for number, texts in results.challenges_by_step]
    from_items = _from_whom(results.support_from)

    fixed = "\n".join(head + challenges_head + middle + from_head)
    more = _units(_more_line(99999)) + 1
    room = max(0, TEXT_BUDGET - _units(fixed) - 2 * more)
    from_need = sum(_units(t) + 3 for t in from_items)  # "• " and the newline
    # the challenges come first, but "from whom" keeps at least a quarter of the room if needed
    challenge_lines, hidden = _fit_groups(groups, room - min(from_need, room // 4))
    room -= sum(_units(line) + 1 for line in challenge_lines)
    from_lines, from_hidden = _fit_groups([("", from_items)], room)

    lines = head + challenges_head
    if not groups:
        lines.append("–")
    lines += challenge_lines + ([_more_line(hidden)] if hidden else [])
    lines += middle + from_head
    if not from_items:
        lines.append("–")
    lines += from_lines + ([_more_line(from_hidden)] if from_hidden else [])
    text = "\n".join(lines)
    return _cut(text, MAX_MESSAGE)  # only a pathological content could need this


# --- CSV export -------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    """Newlines normalised; a cell a spreadsheet would run as a formula gets a leading '."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_headers(lang: str) -> tuple[str, ...]:
    """The export's column headers in `lang`."""
    with use_language(lang):
        return (_("Participant"), _("Language"), _("Step"), _("Step name"), _("Challenges"),
                _("Kinds of support"), _("Sources of support"), _("From whom (free text)"),
                _("Workshop"))


def csv_delimiter(lang: str) -> str:
    """Excel splits a double-clicked CSV on the list separator of the computer's region: ";" in
    Sweden (where the comma is the decimal sign), "," in English-speaking regions."""
    return ";" if lang == "sv" else ","


def export_csv(content: Content, title: str, answers: Sequence[ParticipantAnswers],
               lang: str, delimiter: str | None = None) -> bytes:
    """One row per participant, headers and labels in `lang`; UTF-8 with a BOM for Excel,
    separated by `csv_delimiter(lang)` unless `delimiter` is given.

    Participants are numbered 1..n in the given order; nothing identifies them. The last column
    repeats the workshop's title, so that exports of several workshops can be combined."""
    workshop = content.workshop
    buffer = io.StringIO(newline="")
    # the excel dialect quotes cells holding the delimiter, quotes or newlines; rows end in CRLF
    writer = csv.writer(buffer, dialect="excel", delimiter=delimiter or csv_delimiter(lang))
    writer.writerow(csv_headers(lang))
    count = len(content.steps)
    for number, answer in enumerate(answers, start=1):
        step = answer.step if answer.step is not None and 1 <= answer.step <= count else None
        row = [
            str(number),
            answer.lang,
            "" if step is None else str(step),
            "" if step is None else content.step(step).title.get(lang),
            " | ".join(t.strip() for t in answer.challenges if t.strip()),
            "; ".join(o.label.get(lang) for o in workshop.support_kinds
                      if o.id in answer.support_kinds),
            "; ".join(o.label.get(lang) for o in workshop.support_sources
                      if o.id in answer.support_sources),
            answer.support_from.strip(),
            title.strip(),
        ]
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


# --- join codes and links ---------------------------------------------------------------------

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0 O 1 I L
CODE_LENGTH = 6
LINK_PREFIX = "ws_"
_CODE_SEPARATORS = re.compile(r"[\s\-]+")


def new_join_code(rng: random.Random | secrets.SystemRandom) -> str:
    """Six characters from an unambiguous alphabet (31**6, about 887 million codes);
    production passes secrets.SystemRandom()."""
    return "".join(rng.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def normalise_code(text: str) -> str | None:
    """A typed or pasted code in canonical form, or None when it cannot be one.

    Accepts any case, surrounding spaces, spaces or dashes inside ("abc 234"), the "ws_" prefix
    of the deep link and the whole link itself. Characters outside the alphabet (such as O, 0, 1,
    I and L) are refused rather than guessed."""
    value = text.strip()
    if "start=" in value:
        value = value.rsplit("start=", 1)[1]
    if value[:3].lower() == LINK_PREFIX:
        value = value[3:]
    value = _CODE_SEPARATORS.sub("", value).upper()
    if len(value) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in value):
        return None
    return value


def join_link(bot_username: str, code: str) -> str:
    """The deep link that starts the bot with the workshop's code."""
    canonical = normalise_code(code)
    if canonical is None:
        raise ValueError(f"not a join code: {code!r}")
    return f"https://t.me/{bot_username.strip().lstrip('@')}?start={LINK_PREFIX}{canonical}"


# --- images -----------------------------------------------------------------------------------


def qr_png(url: str) -> bytes:
    """A QR code of `url` as a black-on-white PNG, about 800 pixels wide for a projector."""
    import qrcode  # type: ignore[import-untyped]
    from qrcode.image.pil import PilImage  # type: ignore[import-untyped]

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(url)
    code.make(fit=True)
    modules = code.modules_count + 2 * code.border
    code.box_size = max(10, 800 // modules)
    image = code.make_image(image_factory=PilImage)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def distribution_chart(content: Content, results: WorkshopResults, title: str) -> bytes:
    """Participants per step as horizontal bars (step 1 at the top), in the current language;
    large type for a projector that stays legible on a phone."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    lang = current_language()
    labels = [f"{s.number}. {s.short.get(lang)}" for s in content.steps]
    counts = list(results.steps)
    largest = max(counts, default=0)
    figure = Figure(figsize=(9.6, 7.2), dpi=150)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(labels)))[::-1]
    colours = ["#e07a1f" if largest and c == largest else "#3f7cac" for c in counts]
    axes.barh(positions, counts, color=colours, height=0.7)
    axes.set_yticks(positions, labels=labels, fontsize=16)
    for tick in axes.get_yticklabels():
        tick.set_parse_math(False)
    axes.set_xlim(0, max(largest, 1) * 1.15)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.tick_params(axis="x", labelsize=13)
    for y, count in zip(positions, counts, strict=True):
        axes.text(count + max(largest, 1) * 0.015, y, str(count), va="center", fontsize=16,
                  fontweight="bold" if count else "normal")
    note = _("Participants: {count}").format(count=results.participants)
    if results.step_unknown:
        note += " · " + _("Step not given: {count}").format(count=results.step_unknown)
    axes.set_xlabel(note, fontsize=14, parse_math=False)
    heading = "\n".join(textwrap.wrap(" ".join(title.split()), 48)[:2]) or " "
    axes.set_title(heading, fontsize=19, loc="left", pad=16, parse_math=False)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
