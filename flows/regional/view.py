"""What a region's cluster or innovation officer sees of the consenting clusters, as data in the
current language: where they are on the ten steps and in the phases, the questions most often
unmet per step, the "not sure" hot spots, the support asked for in their workshops, and the
change between assessments.

Every figure goes through `flows.regional.disclosure` together with the same figures of every
other selection the link can see: a hidden figure is None, and a selection that is refused
shows nothing at all (`enough` False, no count). `bot/web/` draws it; the CSV export comes from
the same rows (`rows`)."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flows.content_model import Content
from flows.i18n import _, current_language, ngettext
from flows.locales import format_number
from flows.messages import Table
from flows.regional.disclosure import MIN_CLUSTERS, TOTAL, Figures, Protected, Selection, protect
from flows.regional.port import SharedCluster
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
