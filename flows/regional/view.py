"""What a region's cluster or innovation officer sees of the consenting clusters, as data in the
current language: where they are on the ten steps and in the phases, the questions most often
unmet per step, the "not sure" hot spots, the support asked for in their workshops, and the
change between assessments. Any cell from fewer than five clusters is suppressed (None).

`bot/web/` draws it; the CSV export comes from the same rows (`rows`)."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from flows.content_model import Content
from flows.i18n import _, current_language, ngettext
from flows.locales import format_number
from flows.messages import Table
from flows.regional.peers import MIN_CLUSTERS
from flows.regional.port import SharedCluster
from flows.scoring import UNSURE
from flows.workshop.export import csv_delimiter

TOP_UNMET = 3  # questions shown per step
TOP_UNSURE = 5


@dataclass(frozen=True)
class Cell:
    label: str
    count: int | None  # None: from fewer than five clusters, not shown
    share: int = 0  # 0..100 of the largest shown cell of its chart
    of: int | None = None  # out of how many (questions: the clusters that answered it)


@dataclass(frozen=True)
class UnmetGroup:
    heading: str
    items: tuple[Cell, ...]


@dataclass(frozen=True)
class Support:
    """Workshop answers of consenting facilitators: coded kinds and sources only."""

    workshops: int
    participants: int
    kinds: Counter[str]
    sources: Counter[str]


@dataclass(frozen=True)
class RegionalView:
    lang: str
    clusters: int
    enough: bool  # at least five clusters: anything is shown at all
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


def _cell(label: str, count: int, of: int | None = None) -> Cell:
    return Cell(label, count if count >= MIN_CLUSTERS or count == 0 else None, of=of)


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
        "suppressed": _("fewer than 5"),
        "rule": _(
            "Only clusters that agreed to share are counted, each once, without names. A figure "
            "from fewer than five clusters is not shown."
        ),
        "too_few": _(
            "Fewer than five clusters have shared their results in this selection, so nothing "
            "is shown. Widen the selection."
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


def regional_view(
    content: Content, clusters: Sequence[SharedCluster], support: Support
) -> RegionalView:
    lang = current_language()
    latest = [c.assessments[-1] for c in clusters if c.assessments]
    enough = len(latest) >= MIN_CLUSTERS
    positions = Counter(a.position for a in latest)
    steps = [_cell(f"{s.number}. {s.short.get(lang)}", positions[s.number]) for s in content.steps]
    steps.append(_cell(_("Every step ready"), positions[None]))
    phase_counts = Counter(content.step(a.position).phase for a in latest if a.position)
    phases = [_cell(p.title.get(lang), phase_counts[p.id]) for p in content.phases]

    unmet_groups = []
    unsure_cells = []
    for step in content.steps:
        items = []
        for question in step.questions:
            answered = [
                content.answer(a.answers[question.id]) for a in latest if question.id in a.answers
            ]
            known = [x for x in answered if x is not None]
            if len(known) < MIN_CLUSTERS:
                continue  # too few answered it to say anything
            unmet = sum(1 for x in known if x.score < 100)
            unsure = sum(1 for x in known if x.id == UNSURE)
            if unmet >= MIN_CLUSTERS:
                items.append(Cell(question.text.get(lang), unmet, of=len(known)))
            if unsure >= MIN_CLUSTERS:
                unsure_cells.append(
                    Cell(f"{step.number}. {question.text.get(lang)}", unsure, of=len(known))
                )
        items.sort(key=lambda c: -(c.count or 0) / (c.of or 1))
        if items:
            heading = f"{step.number}. {step.short.get(lang)}"
            unmet_groups.append(UnmetGroup(heading, _scaled(items[:TOP_UNMET])))
    unsure_cells.sort(key=lambda c: -(c.count or 0) / (c.of or 1))

    workshop = content.workshop
    enough_support = support.participants >= MIN_CLUSTERS
    kinds = [
        _cell(o.label.get(lang), support.kinds[o.id])
        for o in workshop.support_kinds
        if enough_support and support.kinds[o.id]
    ]
    sources = [
        _cell(o.label.get(lang), support.sources[o.id])
        for o in workshop.support_sources
        if enough_support and support.sources[o.id]
    ]

    twice = [c for c in clusters if len(c.assessments) >= 2]
    end = len(content.steps) + 1
    moves = [
        (c.assessments[-1].position or end) - (c.assessments[0].position or end) for c in twice
    ]
    change: list[Cell] = []
    median_moved = None
    if len(twice) >= MIN_CLUSTERS:
        change = [
            _cell(_("Moved forward"), sum(1 for m in moves if m > 0)),
            _cell(_("Unchanged"), sum(1 for m in moves if m == 0)),
            _cell(_("Moved back"), sum(1 for m in moves if m < 0)),
        ]
        median_moved = float(statistics.median(moves))

    def by_count(cells: list[Cell]) -> tuple[Cell, ...]:
        return _scaled(sorted(cells, key=lambda c: -(c.count or 0)))

    return RegionalView(
        lang=lang,
        clusters=len(latest),
        enough=enough,
        steps=_scaled(steps) if enough else (),
        phases=_scaled(phases) if enough else (),
        unmet=tuple(unmet_groups) if enough else (),
        unsure=_scaled(unsure_cells[:TOP_UNSURE]) if enough else (),
        kinds=by_count(kinds),
        sources=by_count(sources),
        support_participants=support.participants if enough_support else None,
        change=_scaled(change) if enough else (),
        median_moved=median_moved if enough else None,
        labels=labels(),
        median_text=_median_text(median_moved, lang) if enough else "",
        participants_text=ngettext(
            "{count} workshop participant", "{count} workshop participants", support.participants
        ).format(count=support.participants)
        if enough_support
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
    """The view as a table for the CSV: section, item, count, out of ("fewer than 5" where
    suppressed)."""
    hidden = view.labels["suppressed"]

    def shown(cell: Cell) -> str:
        return hidden if cell.count is None else str(cell.count)

    out: list[tuple[str, str, str, str]] = [(view.labels["clusters"], "", str(view.clusters), "")]
    if not view.enough:
        return out
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
