"""Statistical disclosure control for the regional picture: the threshold rule with secondary
(complementary) suppression, as statistical offices use it, over every selection one link can
see at once, so that no figure from fewer than five clusters can be read or worked out.

- Primary suppression: a count of one to four clusters is not shown (zeros are: nobody is
  there to protect), nor a count that stands for fewer than five clusters (`small`).
- Secondary suppression: wherever figures add up to another (a step row to the number of
  clusters, a phase to its steps, a question's unmet and met answers to those who answered it,
  and each figure of a selection to the same figure of its narrower selections), the hidden
  figures of that sum are never a single one and never add up to one to four, so none can be
  recomputed by subtraction from its row, its column or the total. More figures are hidden,
  the smallest first and the narrower selection's before the wider one's, until that holds.
- A selection whose own number of clusters is hidden shows nothing at all (`refused`): fewer
  than five, or fewer than five apart from a wider selection the same link can see.

Pure: counts in, hidden figures out; `flows.regional.view` builds the figures and draws on it.
"""

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
