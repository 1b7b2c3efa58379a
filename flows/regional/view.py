"""What a region's cluster or innovation officer sees of the consenting clusters, as data in the
current language: where they are on the ten steps and in the phases, the questions most often
unmet per step, the "not sure" hot spots, the support asked for in their workshops, and the
change between assessments.

Every figure goes through `flows.regional.disclosure` together with the same figures of every
other selection the link can see: a hidden figure is None, and a selection that is refused
shows nothing at all (`enough` False, no count). `bot/web/` draws it; the CSV export comes from
the same rows (`rows`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from operator import add
from typing import Any

from flows.content_model import Content
from flows.i18n import _, current_language, ngettext
from flows.locales import format_number
from flows.messages import Table
from flows.regional.disclosure import (
    MIN_CLUSTERS,
    TOTAL,
    Figures,
    Grid,
    Hidden,
    Protected,
    Selection,
    protect_grid,
)
from flows.regional.port import ClusterCounts, SharedCluster
from flows.scoring import UNSURE
from flows.workshop.export import csv_delimiter

TOP_UNMET = 3  # questions shown per step
TOP_UNSURE = 5
HIDDEN_MARK = ".."  # a hidden figure, as statistical offices mark it


@dataclass(frozen=True)
class Cell:
    label: str
    count: int | None  # None: hidden (fewer than five clusters, or could be worked out)
    share: int = 0  # 0..100 of the largest shown cell of its chart
    of: int | None = None  # out of how many (questions: the clusters that answered it)


@dataclass(frozen=True)
class UnmetGroup:
    heading: str
    items: tuple[Cell, ...]


@dataclass(frozen=True)
class SupportAnswer:
    """One workshop participant's coded support answers; `cluster` tells the consenting
    facilitators apart (a number, never who they are)."""

    cluster: int
    region: str
    field: str
    kinds: frozenset[str]
    sources: frozenset[str]


@dataclass(frozen=True)
class RegionalView:
    lang: str
    clusters: int | None  # None when the selection is refused
    enough: bool  # anything is shown at all
    steps: tuple[Cell, ...]  # clusters at each position, step 1 first, then "every step ready"
    phases: tuple[Cell, ...]
    unmet: tuple[UnmetGroup, ...]
    unsure: tuple[Cell, ...]
    kinds: tuple[Cell, ...]
    sources: tuple[Cell, ...]
    support_participants: int | None
    change: tuple[Cell, ...]  # moved forward, unchanged, moved back (clusters assessed twice)
    median_moved: float | None
    labels: dict[str, str]
    median_text: str = ""  # "Median: 1.5 steps", "" without a median
    participants_text: str = ""  # "12 workshop participants", "" without support shown


def _scaled(cells: Sequence[Cell]) -> tuple[Cell, ...]:
    largest = max((c.count or 0 for c in cells), default=0)
    return tuple(
        Cell(c.label, c.count, round((c.count or 0) / largest * 100) if largest else 0, c.of)
        for c in cells
    )


def labels() -> dict[str, str]:
    return {
        "title": _("The regional picture"),
        "clusters": _("Clusters that share their results"),
        "steps": _("Where the clusters are on the journey"),
        "all_ready": _("Every step ready"),
        "phases": _("By phase"),
        "unmet": _("What is most often not yet in place"),
        "unsure": _("“Not sure” hot spots"),
        "support": _("Support asked for in workshops"),
        "kinds": _("Kinds of support"),
        "sources": _("From whom"),
        "change": _("Change between assessments"),
        "suppressed": _(
            "Not shown: fewer than five clusters, or a figure that the others would give away"
        ),
        "hidden": _("not shown"),
        "mark": HIDDEN_MARK,
        "rule": _(
            "Only clusters that agreed to share are counted, each once, without names. A figure "
            "from fewer than five clusters is not shown, nor one that could be worked out from "
            "the figures shown here or under another selection (marked “..”)."
        ),
        "too_few": _(
            "Nothing is shown for this selection: it holds fewer than five clusters, or its "
            "figures together with those of other selections you can open would point to single "
            "clusters. Widen the selection."
        ),
        "region": _("Region"),
        "field": _("Field"),
        "all_regions": _("All regions"),
        "all_fields": _("All fields"),
        "show": _("Show"),
        "export": _("Export CSV"),
        "none": _("Nothing to show yet."),
        "of": _("{count} of {total}"),
    }


# --- the figures of one selection ---------------------------------------------------------------


def _step_key(position: int | None) -> str:
    return "step:ready" if position is None else f"step:{position}"


def _shape(content: Content) -> Figures:
    """Every figure a selection has (all zero) and how they add up, in the order
    `flows.regional.disclosure` checks them: one list for every selection."""
    figs = Figures()
    figs.add(TOTAL, 0)
    step_keys = [_step_key(s.number) for s in content.steps] + [_step_key(None)]
    for key in step_keys:
        figs.add(key, 0)
    figs.adds_up(TOTAL, step_keys)
    phase_keys = []
    for phase in content.phases:
        key = f"phase:{phase.id}"
        figs.add(key, 0)
        figs.adds_up(key, [_step_key(s.number) for s in content.steps if s.phase == phase.id])
        phase_keys.append(key)
    figs.adds_up(TOTAL, [*phase_keys, _step_key(None)])
    for step in content.steps:
        for question in step.questions:
            q = question.id
            for kind in QUESTION_FIGURES:
                figs.add(f"{kind}:{q}", 0)
            figs.adds_up(TOTAL, [f"answered:{q}", f"unanswered:{q}"])
            figs.adds_up(f"answered:{q}", [f"unmet:{q}", f"met:{q}"])
            figs.adds_up(f"answered:{q}", [f"unsure:{q}", f"sure:{q}"])
            figs.adds_up(f"unmet:{q}", [f"unsure:{q}", f"unmet-sure:{q}"])
    for key in ("moved:all", "moved:once", "moved:forward", "moved:same", "moved:back"):
        figs.add(key, 0)
    figs.adds_up(TOTAL, ["moved:all", "moved:once"])
    figs.adds_up("moved:all", ["moved:forward", "moved:same", "moved:back"])
    figs.add("support", 0)
    for key in _support_options(content):
        figs.add(key, 0)
        figs.add(f"not-{key}", 0)
        figs.adds_up("support", [key, f"not-{key}"])
    return figs


QUESTION_FIGURES = ("answered", "unanswered", "unmet", "met", "unsure", "sure", "unmet-sure")


def _support_options(content: Content) -> list[str]:
    return [f"kind:{o.id}" for o in content.workshop.support_kinds] + [
        f"source:{o.id}" for o in content.workshop.support_sources
    ]


class Layout:
    """A content's figures as numbers (`Grid` order), and what each cluster count goes into:
    made once per content, so that a region and field's figures are one list filled from its
    counts (`counted`) and a wider selection's the sum of its narrower ones' lists."""

    def __init__(self, content: Content) -> None:
        shape = _shape(content)
        self.keys = tuple(shape.counts)
        self.index = {key: k for k, key in enumerate(self.keys)}
        self.sums = tuple(
            (self.index[t], tuple(self.index[p] for p in parts)) for t, parts in shape.sums
        )
        self.named_sums = shape.sums
        index = self.index
        self.total = index[TOTAL]
        self.steps: dict[int | None, int] = {
            s.number: index[_step_key(s.number)] for s in content.steps
        }
        self.steps[None] = index[_step_key(None)]
        self.phases = [
            (
                index[f"phase:{p.id}"],
                [index[_step_key(s.number)] for s in content.steps if s.phase == p.id],
            )
            for p in content.phases
        ]
        self.questions = [
            (q.id, tuple(index[f"{kind}:{q.id}"] for kind in QUESTION_FIGURES))
            for step in content.steps
            for q in step.questions
        ]
        self.slots = dict(self.questions)  # a question id → its figures
        self.unanswered = [slots[1] for _q, slots in self.questions]
        self.end = len(content.steps) + 1
        self.moved = tuple(index[f"moved:{k}"] for k in ("all", "once", "forward", "same", "back"))
        self.support = index["support"]
        self.options = [(key, index[key], index[f"not-{key}"]) for key in _support_options(content)]
        self._answers: dict[str, tuple[bool, bool] | None] = {}
        self._content = content

    def _answer(self, answer_id: str) -> tuple[bool, bool] | None:
        """(unmet, unsure) of an answer id, None for one the content does not know."""
        if answer_id not in self._answers:
            found = self._content.answer(answer_id)
            self._answers[answer_id] = (
                None if found is None else (found.score < 100, found.id == UNSURE)
            )
        return self._answers[answer_id]

    def counted(self, cell: ClusterCounts) -> list[int]:
        """The figures of one region and field's clusters (the support ones zero): only what
        the clusters answered is looked at, a question nobody answered is all unanswered."""
        values = [0] * len(self.keys)
        clusters = cell.clusters
        values[self.total] = clusters
        for position, count in cell.positions.items():
            k = self.steps.get(position)
            if k is not None:
                values[k] += count
        for k, own in self.phases:
            values[k] = sum(values[s] for s in own)
        for k in self.unanswered:
            values[k] = clusters
        for question, given in cell.answers.items():
            slots = self.slots.get(question)
            if slots is None:
                continue
            answered = unmet = unsure = 0
            for answer_id, count in given.items():
                found = self._answer(answer_id)
                if found is not None:
                    answered += count
                    unmet += count if found[0] else 0
                    unsure += count if found[1] else 0
            for k, value in zip(
                slots,
                (
                    answered,
                    clusters - answered,
                    unmet,
                    answered - unmet,
                    unsure,
                    answered - unsure,
                    unmet - unsure,
                ),
                strict=True,
            ):
                values[k] = value
        moved = forward = same = back = 0
        end = self.end
        for (first, latest), count in cell.moves.items():
            move = (latest or end) - (first or end)
            moved += count
            if move > 0:
                forward += count
            elif move == 0:
                same += count
            else:
                back += count
        all_k, once_k, forward_k, same_k, back_k = self.moved
        values[all_k], values[once_k] = moved, clusters - moved
        values[forward_k], values[same_k], values[back_k] = forward, same, back
        return values

    def supported(
        self, values: list[int], small: set[int], base: int, support: Sequence[SupportAnswer]
    ) -> None:
        """Write the support figures of these answers into `values` (and the figures from
        fewer than five clusters' workshops, offset by `base`, into `small`)."""

        def behind(answers: Sequence[SupportAnswer]) -> bool:
            """True when these answers come from fewer than five clusters' workshops."""
            return 0 < len({a.cluster for a in answers}) < MIN_CLUSTERS

        values[self.support] = len(support)
        if behind(support):
            small.add(base + self.support)
        for key, yes_k, no_k in self.options:
            kind, option = key.split(":", 1)
            chose = [option in (a.kinds if kind == "kind" else a.sources) for a in support]
            yes = [a for a, c in zip(support, chose, strict=True) if c]
            no = [a for a, c in zip(support, chose, strict=True) if not c]
            values[yes_k], values[no_k] = len(yes), len(no)
            small.update(base + k for k, part in ((yes_k, yes), (no_k, no)) if behind(part))


_LAYOUTS: dict[int, tuple[Content, Layout]] = {}


def layout(content: Content) -> Layout:
    """The content's layout, made once (content is loaded once and never changed)."""
    found = _LAYOUTS.get(id(content))
    if found is None or found[0] is not content:
        found = _LAYOUTS[id(content)] = (content, Layout(content))
    return found[1]


def _moves(cell: ClusterCounts, end: int) -> Counter[int]:
    """Steps moved between the first and the latest assessment (forward positive), counted."""
    moves: Counter[int] = Counter()
    for (first, latest), count in cell.moves.items():
        moves[(latest or end) - (first or end)] += count
    return moves


def figures(
    content: Content, clusters: Sequence[SharedCluster], support: Sequence[SupportAnswer]
) -> Figures:
    """Every figure the view may show of these clusters, and how they add up."""
    shape = layout(content)
    together = ClusterCounts("", "")
    for cell in ClusterCounts.of(clusters).values():
        _merge(together, cell)
    values = shape.counted(together)
    small: set[int] = set()
    shape.supported(values, small, 0, support)
    return Figures(
        dict(zip(shape.keys, values, strict=True)),
        list(shape.named_sums),
        {shape.keys[k] for k in small},
    )


def _merge(into: ClusterCounts, cell: ClusterCounts) -> None:
    into.clusters += cell.clusters
    for position, count in cell.positions.items():
        into.positions[position] = into.positions.get(position, 0) + count
    for question, given in cell.answers.items():
        by_answer = into.answers.setdefault(question, {})
        for answer, count in given.items():
            by_answer[answer] = by_answer.get(answer, 0) + count
    for move, count in cell.moves.items():
        into.moves[move] = into.moves.get(move, 0) + count


# --- every selection of a link, protected together ----------------------------------------------


def selections(
    link_region: str | None,
    clusters: Sequence[SharedCluster] | Sequence[ClusterCounts],
    support: Sequence[SupportAnswer],
    wanted: Selection | None = None,
) -> list[Selection]:
    """The selections a link can see that hold any cluster, with their margins (and `wanted`,
    when given)."""
    present = {(c.region, c.field) for c in clusters} | {(a.region, a.field) for a in support}
    found: set[Selection] = set() if wanted is None else {wanted}
    for region, field_ in present:
        regions = [region] if link_region is not None else [region, None]
        found |= {(r, f) for r in regions for f in (field_, None)}
    return sorted(found, key=lambda s: (s[0] or "", s[1] or ""))


def _in(selection: Selection, region: str, field_: str) -> bool:
    return selection[0] in (None, region) and selection[1] in (None, field_)


def _sorted_into(
    seen: Sequence[Selection], items: Sequence[ClusterCounts] | Sequence[SupportAnswer]
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


@dataclass(frozen=True)
class Picture:
    """Every selection one link can see, with its figures, protected together: what the
    view of any of them is drawn from. It depends on the counts alone (not on the selection
    asked for or the language), so the web pages keep it until the counts change."""

    content: Content
    cells: tuple[ClusterCounts, ...]
    grid: Grid
    hidden: Hidden

    @classmethod
    def of(
        cls,
        content: Content,
        cells: Sequence[ClusterCounts],
        support: Sequence[SupportAnswer],
        link_region: str | None = None,
    ) -> Picture:
        """`cells`: the clusters counted per region and field (all of them in `link_region`
        when the link is for one region)."""
        shape = layout(content)
        seen = selections(link_region, cells, support)
        if link_region is not None:
            seen = [s for s in seen if s[0] == link_region]
        width = len(shape.keys)
        counted: dict[Selection, list[int]] = {}
        for cell in cells:  # each region and field, then the margins as sums of them
            own = shape.counted(cell)
            counted[(cell.region, cell.field)] = own
            for margin in ((cell.region, None), (None, cell.field)):
                found = counted.get(margin)
                counted[margin] = own if found is None else list(map(add, found, own))
        everything = [0] * width
        for (region, field_), own in counted.items():
            if region is not None and field_ is None:
                everything = list(map(add, everything, own))
        counted[(None, None)] = everything
        values: list[int] = []
        for selection in seen:
            values += counted.get(selection) or [0] * width
        small: set[int] = set()
        if support:
            for number, answers in enumerate(_sorted_into(seen, support).values()):
                if answers:
                    own = values[number * width : (number + 1) * width]
                    shape.supported(own, small, number * width, answers)
                    values[number * width : (number + 1) * width] = own
        grid = Grid(tuple(seen), shape.keys, shape.sums, values, frozenset(small))
        return cls(content, tuple(cells), grid, protect_grid(grid, link_region))

    def view(self, wanted: Selection = (None, None)) -> RegionalView:
        """The view of `wanted`, in the current language (nothing shown when the link sees no
        cluster in it, or it is refused)."""
        if wanted not in self.grid.selections:
            return _refused()
        width = len(self.grid.keys)
        base = self.grid.selections.index(wanted) * width
        counts = dict(zip(self.grid.keys, self.grid.counts[base : base + width], strict=True))
        protected = Protected({wanted: self.hidden.keys(wanted)}, self.hidden.refused)
        moves: Counter[int] = Counter()
        end = len(self.content.steps) + 1
        for cell in self.cells:
            if _in(wanted, cell.region, cell.field):
                moves.update(_moves(cell, end))
        return _view(self.content, moves, counts, protected, wanted)


def regional_view(
    content: Content,
    clusters: Sequence[SharedCluster],
    support: Sequence[SupportAnswer],
    wanted: Selection = (None, None),
    link_region: str | None = None,
) -> RegionalView:
    """The view of `wanted`, from every cluster and support answer the link can see (all of
    them in `link_region` when the link is for one region), protected together."""
    cells = list(ClusterCounts.of(clusters).values())
    return Picture.of(content, cells, support, link_region).view(wanted)


def _refused() -> RegionalView:
    return RegionalView(
        current_language(), None, False, (), (), (), (), (), (), None, (), None, labels()
    )


def _median(moves: Counter[int]) -> float:
    """`statistics.median` of the moves, from their counts."""
    ordered = sorted(moves.items())
    size = sum(moves.values())
    middle = []
    seen = 0
    for move, count in ordered:
        for index in (size // 2 - 1, size // 2) if size % 2 == 0 else (size // 2,):
            if seen <= index < seen + count:
                middle.append(move)
        seen += count
    return float(middle[0]) if len(middle) == 1 else (middle[0] + middle[1]) / 2


def _view(
    content: Content,
    moves: Counter[int],
    counts: dict[str, int],
    protected: Protected,
    selection: Selection,
) -> RegionalView:
    lang = current_language()

    def shown(key: str) -> int | None:
        return protected.shown(selection, key, counts[key])

    if selection in protected.refused:
        return _refused()
    steps = [
        Cell(f"{s.number}. {s.short.get(lang)}", shown(_step_key(s.number))) for s in content.steps
    ]
    steps.append(Cell(_("Every step ready"), shown(_step_key(None))))
    phases = [Cell(p.title.get(lang), shown(f"phase:{p.id}")) for p in content.phases]
    total = counts[TOTAL]

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
            if counts[f"kind:{o.id}"]
        ]
        sources = [
            Cell(o.label.get(lang), shown(f"source:{o.id}"))
            for o in content.workshop.support_sources
            if counts[f"source:{o.id}"]
        ]

    change: list[Cell] = []
    median_moved = None
    if shown("moved:all"):
        change = [
            Cell(_("Moved forward"), shown("moved:forward")),
            Cell(_("Unchanged"), shown("moved:same")),
            Cell(_("Moved back"), shown("moved:back")),
        ]
        median_moved = _median(moves)

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
