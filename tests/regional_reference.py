"""The regional view and its disclosure control as they were before issue 29's rewrite
(`flows/regional/view.py` and `flows/regional/disclosure.py` at 19e8e46), kept frozen as the
reference that tests/test_regional_picture.py compares the fast computation with: for the same
clusters, the same figures shown and hidden. Not used by the bot."""

# ruff: noqa
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

MIN_CLUSTERS = 5  # no figure of the regional picture comes from fewer
TOTAL = "clusters"  # the figure every selection has: how many clusters it holds

Selection = tuple[str | None, str | None]  # region, field; None: all of them


def safe(count: int) -> bool:
    """A count that may be shown on its own: none, or at least five."""
    return count == 0 or count >= MIN_CLUSTERS


@dataclass
class Figures:
    """One selection's figures by key, the sums among them (total key, part keys), and the
    keys that stand for fewer than five clusters whatever their count (`small`)."""

    counts: dict[str, int] = field(default_factory=dict)
    sums: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    small: set[str] = field(default_factory=set)

    def add(self, key: str, count: int, *, small: bool = False) -> None:
        self.counts[key] = count
        if small:
            self.small.add(key)

    def adds_up(self, total: str, parts: Sequence[str]) -> None:
        self.sums.append((total, tuple(parts)))


def wider(selection: Selection, link_region: str | None) -> list[Selection]:
    """The selections a link can see that hold `selection` (not itself)."""
    region, field_ = selection
    regions = {region} if link_region is not None else {region, None}
    return [(r, f) for r in regions for f in {field_, None} if (r, f) != selection]


def refused_by_size(
    sizes: Mapping[Selection, int], selection: Selection, link_region: str | None
) -> bool:
    """Fewer than five clusters, or one to four fewer than a wider selection of the link."""
    size = sizes.get(selection, 0)
    if size < MIN_CLUSTERS:
        return True
    return any(0 < sizes.get(w, 0) - size < MIN_CLUSTERS for w in wider(selection, link_region))


Cell = tuple[Selection, str]


@dataclass(frozen=True)
class Protected:
    """What may be shown: the hidden figures of each selection, and the selections refused."""

    hidden: dict[Selection, frozenset[str]]
    refused: frozenset[Selection]

    def shown(self, selection: Selection, key: str, count: int) -> int | None:
        return None if key in self.hidden.get(selection, frozenset()) else count


def protect(figures: Mapping[Selection, Figures], link_region: str | None) -> Protected:
    """Primary and secondary suppression over every selection in `figures` (each region and
    field combination with clusters, and their margins), hiding until every sum holds."""
    counts: dict[Cell, int] = {}
    for selection, figs in figures.items():
        for key, count in figs.counts.items():
            counts[(selection, key)] = count
    sums: list[tuple[Cell, tuple[Cell, ...]]] = []
    for selection, figs in figures.items():
        sums += [((selection, t), tuple((selection, p) for p in parts)) for t, parts in figs.sums]
    # a figure of a selection is the sum of the same figure of its narrower selections
    children: dict[tuple[Selection, int], list[Selection]] = defaultdict(list)
    for selection in figures:
        region, field_ = selection
        if region is not None and link_region is None and (None, field_) in figures:
            children[((None, field_), 0)].append(selection)
        if field_ is not None and (region, None) in figures:
            children[((region, None), 1)].append(selection)
    for (parent, _axis), narrower in children.items():
        for key in figures[parent].counts:
            sums.append(((parent, key), tuple((c, key) for c in narrower)))

    sizes = {s: f.counts.get(TOTAL, 0) for s, f in figures.items()}
    hidden: set[Cell] = {
        cell
        for cell, count in counts.items()
        if not safe(count) or cell[1] in figures[cell[0]].small
    }
    hidden |= {(s, TOTAL) for s in figures if refused_by_size(sizes, s, link_region)}

    containing: dict[Cell, list[int]] = defaultdict(list)
    for number, (total, parts) in enumerate(sums):
        for cell in (total, *parts):
            containing[cell].append(number)
    waiting = list(range(len(sums)))  # the sums to check again, after a figure was hidden

    def hide(cell: Cell) -> None:
        if cell not in hidden:
            hidden.add(cell)
            waiting.extend(containing[cell])

    def refuse(selection: Selection) -> None:
        for key in figures[selection].counts:
            hide((selection, key))

    for selection in {s for s, key in hidden if key == TOTAL}:
        hidden.update((selection, key) for key in figures[selection].counts)
    while waiting:
        total, parts = sums[waiting.pop()]
        if _holds(total, parts, hidden, counts):
            continue
        pick = _next_to_hide(total, parts, hidden, counts)
        if pick is None:
            continue  # nothing left to hide: every figure of the sum is hidden
        if pick[1] == TOTAL:
            refuse(pick[0])
        else:
            hide(pick)
    by_selection: dict[Selection, set[str]] = defaultdict(set)
    for selection, key in hidden:
        by_selection[selection].add(key)
    refused = frozenset(s for s in figures if (s, TOTAL) in hidden)
    return Protected({s: frozenset(k) for s, k in by_selection.items()}, refused)


def _holds(
    total: Cell, parts: Sequence[Cell], hidden: set[Cell], counts: Mapping[Cell, int]
) -> bool:
    gone = [c for c in (total, *parts) if c in hidden]
    if not gone:
        return True
    if total in hidden:
        return len(gone) != 1  # the total alone hidden is the sum of its shown parts
    return len(gone) >= 2 and safe(sum(counts[c] for c in gone))


def _next_to_hide(
    total: Cell, parts: Iterable[Cell], hidden: set[Cell], counts: Mapping[Cell, int]
) -> Cell | None:
    candidates = [c for c in parts if c not in hidden and counts[c] > 0]
    if candidates:
        return min(candidates, key=lambda c: (counts[c], str(c)))
    return None if total in hidden else total


import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flows.content_model import Content
from flows.i18n import _, current_language, ngettext
from flows.locales import format_number
from flows.messages import Table
from flows.regional.port import SharedCluster
from flows.regional.view import Cell, RegionalView, SupportAnswer, UnmetGroup, labels
from flows.scoring import UNSURE
from flows.workshop.export import csv_delimiter

TOP_UNMET = 3  # questions shown per step
TOP_UNSURE = 5
HIDDEN_MARK = ".."  # a hidden figure, as statistical offices mark it


def _scaled(cells: Sequence[Cell]) -> tuple[Cell, ...]:
    largest = max((c.count or 0 for c in cells), default=0)
    return tuple(
        Cell(c.label, c.count, round((c.count or 0) / largest * 100) if largest else 0, c.of)
        for c in cells
    )


# --- the figures of one selection ---------------------------------------------------------------


def _step_key(position: int | None) -> str:
    return "step:ready" if position is None else f"step:{position}"


def _answers_by_id(content: Content) -> Any:
    """`content.answer`, looked up once per answer id (it searches the list)."""
    known: dict[str, Any] = {}

    def answer(answer_id: str) -> Any:
        if answer_id not in known:
            known[answer_id] = content.answer(answer_id)
        return known[answer_id]

    return answer


def figures(
    content: Content, clusters: Sequence[SharedCluster], support: Sequence[SupportAnswer]
) -> Figures:
    """Every figure the view may show of these clusters, and how they add up."""
    figs = Figures()
    latest = [c.assessments[-1] for c in clusters if c.assessments]
    figs.add(TOTAL, len(latest))
    positions = Counter(_step_key(a.position) for a in latest)
    step_keys = [_step_key(s.number) for s in content.steps] + [_step_key(None)]
    for key in step_keys:
        figs.add(key, positions[key])
    figs.adds_up(TOTAL, step_keys)
    phase_keys = []
    for phase in content.phases:
        key = f"phase:{phase.id}"
        own = [_step_key(s.number) for s in content.steps if s.phase == phase.id]
        figs.add(key, sum(positions[k] for k in own))
        figs.adds_up(key, own)
        phase_keys.append(key)
    figs.adds_up(TOTAL, [*phase_keys, _step_key(None)])

    answer_of = _answers_by_id(content)
    given: dict[str, Counter[str]] = {}  # question → answer id → clusters, in one pass
    for a in latest:
        for question_id, answer_id in a.answers.items():
            given.setdefault(question_id, Counter())[answer_id] += 1
    for step in content.steps:
        for question in step.questions:
            known = [
                (found, count)
                for answer_id, count in given.get(question.id, Counter()).items()
                if (found := answer_of(answer_id)) is not None
            ]
            answered = sum(count for _found, count in known)
            unmet = sum(count for found, count in known if found.score < 100)
            unsure = sum(count for found, count in known if found.id == UNSURE)
            q = question.id
            figs.add(f"answered:{q}", answered)
            figs.add(f"unanswered:{q}", len(latest) - answered)
            figs.add(f"unmet:{q}", unmet)
            figs.add(f"met:{q}", answered - unmet)
            figs.add(f"unsure:{q}", unsure)
            figs.add(f"sure:{q}", answered - unsure)
            figs.add(f"unmet-sure:{q}", unmet - unsure)
            figs.adds_up(TOTAL, [f"answered:{q}", f"unanswered:{q}"])
            figs.adds_up(f"answered:{q}", [f"unmet:{q}", f"met:{q}"])
            figs.adds_up(f"answered:{q}", [f"unsure:{q}", f"sure:{q}"])
            figs.adds_up(f"unmet:{q}", [f"unsure:{q}", f"unmet-sure:{q}"])

    end = len(content.steps) + 1
    moves = [
        (c.assessments[-1].position or end) - (c.assessments[0].position or end)
        for c in clusters
        if len(c.assessments) >= 2
    ]
    figs.add("moved:all", len(moves))
    figs.add("moved:once", len(latest) - len(moves))
    figs.add("moved:forward", sum(1 for m in moves if m > 0))
    figs.add("moved:same", sum(1 for m in moves if m == 0))
    figs.add("moved:back", sum(1 for m in moves if m < 0))
    figs.adds_up(TOTAL, ["moved:all", "moved:once"])
    figs.adds_up("moved:all", ["moved:forward", "moved:same", "moved:back"])

    def behind(answers: Sequence[SupportAnswer]) -> bool:
        """True when these answers come from fewer than five clusters' workshops."""
        return 0 < len({a.cluster for a in answers}) < MIN_CLUSTERS

    figs.add("support", len(support), small=behind(support))
    options = [("kind", o.id) for o in content.workshop.support_kinds]
    options += [("source", o.id) for o in content.workshop.support_sources]
    for kind, option in options:
        key = f"{kind}:{option}"
        chose = [option in (a.kinds if kind == "kind" else a.sources) for a in support]
        yes = [a for a, c in zip(support, chose, strict=True) if c]
        no = [a for a, c in zip(support, chose, strict=True) if not c]
        figs.add(key, len(yes), small=behind(yes))
        figs.add(f"not-{key}", len(no), small=behind(no))
        figs.adds_up("support", [key, f"not-{key}"])
    return figs


# --- the view of the selection ------------------------------------------------------------------


def selections(
    link_region: str | None,
    clusters: Sequence[SharedCluster],
    support: Sequence[SupportAnswer],
    wanted: Selection,
) -> list[Selection]:
    """The selections a link can see that hold any cluster, with their margins, and `wanted`."""
    present = {(c.region, c.field) for c in clusters} | {(a.region, a.field) for a in support}
    found: set[Selection] = {wanted}
    for region, field_ in present:
        regions = [region] if link_region is not None else [region, None]
        found |= {(r, f) for r in regions for f in (field_, None)}
    return sorted(found, key=lambda s: (s[0] or "", s[1] or ""))


def _in(selection: Selection, region: str, field_: str) -> bool:
    return selection[0] in (None, region) and selection[1] in (None, field_)


def _sorted_into(
    seen: Sequence[Selection], items: Sequence[SharedCluster] | Sequence[SupportAnswer]
) -> dict[Selection, list[Any]]:
    """Each selection's items, in their order: what `_in` keeps of them, found in one pass
    (an item belongs to its own region and field and to their margins), not one per
    selection."""
    into: dict[Selection, list[Any]] = {s: [] for s in seen}
    for item in items:
        for region in dict.fromkeys((item.region, None)):
            for field_ in dict.fromkeys((item.field, None)):
                found = into.get((region, field_))
                if found is not None:
                    found.append(item)
    return into


def regional_view(
    content: Content,
    clusters: Sequence[SharedCluster],
    support: Sequence[SupportAnswer],
    wanted: Selection = (None, None),
    link_region: str | None = None,
) -> RegionalView:
    """The view of `wanted`, from every cluster and support answer the link can see (all of
    them in `link_region` when the link is for one region), protected together."""
    seen = selections(link_region, clusters, support, wanted)
    cluster_lists = _sorted_into(seen, clusters)
    support_lists = _sorted_into(seen, support)
    by_selection = {s: figures(content, cluster_lists[s], support_lists[s]) for s in seen}
    if link_region is not None:
        by_selection = {s: f for s, f in by_selection.items() if s[0] == link_region}
    protected = protect(by_selection, link_region)
    inside = [c for c in clusters if _in(wanted, c.region, c.field)]
    return _view(content, inside, by_selection[wanted], protected, wanted)


def _view(
    content: Content,
    clusters: Sequence[SharedCluster],
    figs: Figures,
    protected: Protected,
    selection: Selection,
) -> RegionalView:
    lang = current_language()

    def shown(key: str) -> int | None:
        return protected.shown(selection, key, figs.counts[key])

    if selection in protected.refused:
        return RegionalView(lang, None, False, (), (), (), (), (), (), None, (), None, labels())
    steps = [
        Cell(f"{s.number}. {s.short.get(lang)}", shown(_step_key(s.number))) for s in content.steps
    ]
    steps.append(Cell(_("Every step ready"), shown(_step_key(None))))
    phases = [Cell(p.title.get(lang), shown(f"phase:{p.id}")) for p in content.phases]
    total = figs.counts[TOTAL]

    def ratio(cell: Cell) -> float:
        return -(cell.count or 0) / (cell.of or total or 1)

    unmet_groups = []
    unsure_cells = []
    for step in content.steps:
        items = []
        for question in step.questions:
            q = question.id
            of = shown(f"answered:{q}")
            if unmet := shown(f"unmet:{q}"):
                items.append(Cell(question.text.get(lang), unmet, of=of))
            if unsure := shown(f"unsure:{q}"):
                unsure_cells.append(
                    Cell(f"{step.number}. {question.text.get(lang)}", unsure, of=of)
                )
        items.sort(key=ratio)
        if items:
            heading = f"{step.number}. {step.short.get(lang)}"
            unmet_groups.append(UnmetGroup(heading, _scaled(items[:TOP_UNMET])))
    unsure_cells.sort(key=ratio)

    participants = shown("support")
    kinds, sources = [], []
    if participants:
        kinds = [
            Cell(o.label.get(lang), shown(f"kind:{o.id}"))
            for o in content.workshop.support_kinds
            if figs.counts[f"kind:{o.id}"]
        ]
        sources = [
            Cell(o.label.get(lang), shown(f"source:{o.id}"))
            for o in content.workshop.support_sources
            if figs.counts[f"source:{o.id}"]
        ]

    change: list[Cell] = []
    median_moved = None
    if shown("moved:all"):
        change = [
            Cell(_("Moved forward"), shown("moved:forward")),
            Cell(_("Unchanged"), shown("moved:same")),
            Cell(_("Moved back"), shown("moved:back")),
        ]
        end = len(content.steps) + 1
        median_moved = float(
            statistics.median(
                (c.assessments[-1].position or end) - (c.assessments[0].position or end)
                for c in clusters
                if len(c.assessments) >= 2
            )
        )

    def by_count(cells: list[Cell]) -> tuple[Cell, ...]:
        return _scaled(sorted(cells, key=lambda c: -(c.count or 0)))

    return RegionalView(
        lang=lang,
        clusters=total,
        enough=True,
        steps=_scaled(steps),
        phases=_scaled(phases),
        unmet=tuple(unmet_groups),
        unsure=_scaled(unsure_cells[:TOP_UNSURE]),
        kinds=by_count(kinds),
        sources=by_count(sources),
        support_participants=participants or None,
        change=_scaled(change),
        median_moved=median_moved,
        labels=labels(),
        median_text=_median_text(median_moved, lang),
        participants_text=ngettext(
            "{count} workshop participant", "{count} workshop participants", participants
        ).format(count=participants)
        if participants
        else "",
    )


def _median_text(median: float | None, lang: str) -> str:
    if median is None:
        return ""
    whole = float(median).is_integer()
    # a fraction takes the plural form, as "1.5 steps" in English
    return ngettext(
        "Median: {steps} step", "Median: {steps} steps", abs(int(median)) if whole else 2
    ).format(steps=format_number(median, lang))


def table(view: RegionalView) -> Table:
    """The view as the CSV's table (rows as `rows` gives them, no header row), in the list
    separator of the view's language."""
    return Table((), tuple(rows(view)), csv_delimiter(view.lang))


def rows(view: RegionalView) -> list[tuple[str, str, str, str]]:
    """The view as a table for the CSV: section, item, count, out of ("not shown" where
    hidden); a refused selection is one row that says why."""
    if not view.enough:
        return [(view.labels["too_few"], "", "", "")]
    hidden = view.labels["hidden"]

    def shown(cell: Cell) -> str:
        return hidden if cell.count is None else str(cell.count)

    out: list[tuple[str, str, str, str]] = [(view.labels["clusters"], "", str(view.clusters), "")]
    sections: list[tuple[str, Sequence[Cell]]] = [
        (view.labels["steps"], view.steps),
        (view.labels["phases"], view.phases),
    ]
    sections += [(f"{view.labels['unmet']}: {g.heading}", g.items) for g in view.unmet]
    sections += [
        (view.labels["unsure"], view.unsure),
        (view.labels["kinds"], view.kinds),
        (view.labels["sources"], view.sources),
        (view.labels["change"], view.change),
    ]
    for section, cells in sections:
        out += [(section, c.label, shown(c), "" if c.of is None else str(c.of)) for c in cells]
    return out
