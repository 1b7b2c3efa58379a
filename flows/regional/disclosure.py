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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from operator import add

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


@dataclass(frozen=True)
class Protected:
    """What may be shown: the hidden figures of each selection, and the selections refused."""

    hidden: dict[Selection, frozenset[str]]
    refused: frozenset[Selection]

    def shown(self, selection: Selection, key: str, count: int) -> int | None:
        return None if key in self.hidden.get(selection, frozenset()) else count


def protect(figures: Mapping[Selection, Figures], link_region: str | None) -> Protected:
    """Primary and secondary suppression over every selection in `figures` (each region and
    field combination with clusters, and their margins), hiding until every sum holds. Every
    selection has the same figures and sums (`flows.regional.view.figures` makes them so)."""
    if not figures:
        return Protected({}, frozenset())
    first = next(iter(figures.values()))
    keys = tuple(first.counts)
    if TOTAL not in keys:
        raise ValueError(f"every selection needs the figure {TOTAL!r}")
    index = {key: k for k, key in enumerate(keys)}
    counts: list[int] = []
    small: set[int] = set()
    for number, figs in enumerate(figures.values()):
        if tuple(figs.counts) != keys or figs.sums != first.sums:
            raise ValueError("every selection needs the same figures and sums")
        counts += figs.counts.values()
        small |= {number * len(keys) + index[key] for key in figs.small}
    sums = tuple((index[t], tuple(index[p] for p in parts)) for t, parts in first.sums)
    grid = Grid(tuple(figures), keys, sums, counts, frozenset(small))
    hidden = protect_grid(grid, link_region)
    return Protected(
        {s: gone for s in figures if (gone := hidden.keys(s))}, frozenset(hidden.refused)
    )


@dataclass(frozen=True)
class Grid:
    """The figures of many selections that share one layout, indexed by number: figure `k` of
    the `s`th selection is `counts[s * len(keys) + k]`; `sums` are the layout's sums (total,
    parts) as key numbers; `small` the figures (by that number) from fewer than five clusters
    whatever their count."""

    selections: tuple[Selection, ...]
    keys: tuple[str, ...]
    sums: tuple[tuple[int, tuple[int, ...]], ...]
    counts: Sequence[int]
    small: frozenset[int]


@dataclass(frozen=True)
class Hidden:
    """What `protect_grid` hides: a flag per figure of the grid, and the selections refused."""

    grid: Grid
    flags: bytearray
    refused: frozenset[Selection]

    def keys(self, selection: Selection) -> frozenset[str]:
        """The hidden figures of `selection`."""
        width = len(self.grid.keys)
        base = self.grid.selections.index(selection) * width
        flags = self.flags
        return frozenset(key for k, key in enumerate(self.grid.keys) if flags[base + k])


def protect_grid(grid: Grid, link_region: str | None) -> Hidden:
    """`protect` on numbers: the same sums, checked in the same order with the same choices,
    so it hides exactly what `protect` always hid, but without building a key per figure and a
    list per sum. Sum `s * T + t` is the layout's sum `t` in the `s`th selection; then come
    the margins, `S * T + g * K + k`: figure `k` of the `g`th wider selection (and axis) as
    the sum of the same figure of its narrower ones. A sum is looked at again only when one of
    its figures was hidden since it was last looked at (`dirty`): a sum nothing changed in
    gives the same answer as before, which changed nothing."""
    selections, width = grid.selections, len(grid.keys)
    position = {s: n for n, s in enumerate(selections)}
    total_key = grid.keys.index(TOTAL)
    per_selection = len(grid.sums)
    counts = grid.counts

    groups: dict[tuple[Selection, int], list[int]] = {}
    for number, (region, field_) in enumerate(selections):
        if region is not None and link_region is None and (None, field_) in position:
            groups.setdefault(((None, field_), 0), []).append(number)
        if field_ is not None and (region, None) in position:
            groups.setdefault(((region, None), 1), []).append(number)
    parents = [position[parent] for parent, _axis in groups]
    narrower = [tuple(children) for children in groups.values()]
    in_groups: list[list[int]] = [[] for _ in selections]  # a selection's groups, in order
    for g, (parent, children) in enumerate(zip(parents, narrower, strict=True)):
        for member in (parent, *children):
            in_groups[member].append(g)
    margins = len(selections) * per_selection
    count = margins + len(groups) * width

    in_sums: list[list[tuple[int, bool]]] = [[] for _ in range(width)]  # key → its sums
    for t, (total, parts) in enumerate(grid.sums):
        in_sums[total].append((t, True))
        for k in parts:
            in_sums[k].append((t, False))

    def containing(cell: int) -> list[tuple[int, bool]]:
        """The sums `cell` is in, in order, and whether as their total."""
        s, k = divmod(cell, width)
        first = s * per_selection
        return [(first + t, is_total) for t, is_total in in_sums[k]] + [
            (margins + g * width + k, parents[g] == s) for g in in_groups[s]
        ]

    def members(number: int) -> tuple[int, list[int]]:
        if number < margins:
            s, t = divmod(number, per_selection)
            base = s * width
            total, own = grid.sums[t]
            return base + total, [base + p for p in own]
        g, k = divmod(number - margins, width)
        return parents[g] * width + k, [c * width + k for c in narrower[g]]

    hidden = bytearray(len(counts))
    for cell, value in enumerate(counts):
        if not safe(value):
            hidden[cell] = 1
    for cell in grid.small:
        hidden[cell] = 1
    sizes = {s: counts[n * width + total_key] for n, s in enumerate(selections)}
    for n, s in enumerate(selections):
        if refused_by_size(sizes, s, link_region):
            hidden[n * width + total_key] = 1

    # per sum: its total hidden, how many of its parts are hidden and what they add up to,
    # kept as figures are hidden, so that whether a sum holds is known without reading it
    total_gone = bytearray(count)
    parts_gone = [0] * count
    gone_sum = [0] * count
    touched: set[int] = set()
    refused_ones = [n for n in range(len(selections)) if hidden[n * width + total_key]]
    lengths = [len(parts) for _total, parts in grid.sums]
    for n in refused_ones:  # every figure of it hidden: its own sums at once
        base = n * width
        hidden[base : base + width] = b"\x01" * width
        total_gone[n * per_selection : (n + 1) * per_selection] = b"\x01" * per_selection
        parts_gone[n * per_selection : (n + 1) * per_selection] = lengths
        for g in in_groups[n]:
            start = margins + g * width
            if parents[g] == n:
                total_gone[start : start + width] = b"\x01" * width
            else:
                parts_gone[start : start + width] = map(
                    add, parts_gone[start : start + width], [1] * width
                )
                gone_sum[start : start + width] = map(
                    add, gone_sum[start : start + width], counts[base : base + width]
                )
            touched.update(range(start, start + width))
    refused_set = set(refused_ones)

    def note(cell: int) -> list[int]:
        """Count a newly hidden figure into its sums; the sums it is in, in order."""
        found = containing(cell)
        value = counts[cell]
        for number, is_total in found:
            if is_total:
                total_gone[number] = 1
            else:
                parts_gone[number] += 1
                gone_sum[number] += value
        return [number for number, _is_total in found]

    def holds(number: int) -> bool:
        gone = parts_gone[number]
        if total_gone[number]:
            return gone > 0  # the total alone hidden is the sum of its shown parts
        return gone == 0 or (gone >= 2 and safe(gone_sum[number]))

    for cell in (c for c, flag in enumerate(hidden) if flag):
        if cell // width not in refused_set:
            touched.update(note(cell))
    dirty = bytearray(count)  # sums that may not hold: to look at
    for number in touched:
        if not holds(number):
            dirty[number] = 1

    waiting: list[int] = []  # sums to look at again after a figure was hidden, last first

    def hide(cell: int) -> None:
        """Hide `cell`; the sums it breaks are looked at next (those it leaves holding need
        not be: looking at them would change nothing, now or later)."""
        if hidden[cell]:
            return
        hidden[cell] = 1
        s, k = divmod(cell, width)
        value, first = counts[cell], s * per_selection
        found = [(first + t, is_total) for t, is_total in in_sums[k]]
        found += [(margins + g * width + k, parents[g] == s) for g in in_groups[s]]
        for number, is_total in found:  # `note` and `holds`, written out: the hot path
            if is_total:
                total_gone[number] = 1
                if parts_gone[number]:
                    continue
            else:
                gone = parts_gone[number] = parts_gone[number] + 1
                total = gone_sum[number] = gone_sum[number] + value
                if total_gone[number] or (gone >= 2 and (total == 0 or total >= MIN_CLUSTERS)):
                    continue
            dirty[number] = 1
            waiting.append(number)

    def refuse(n: int) -> None:
        """Hide every figure of the `n`th selection, as `hide` one after the other would, at
        once: its own sums all hold afterwards (every figure hidden), and of the margins each
        is looked at from where the last of its figures was hidden, if it is broken then."""
        base, first = n * width, n * per_selection
        fresh = [k for k in range(width) if not hidden[base + k]]
        hidden[base : base + width] = b"\x01" * width
        total_gone[first : first + per_selection] = b"\x01" * per_selection
        parts_gone[first : first + per_selection] = lengths
        for g in in_groups[n]:
            start = margins + g * width
            if parents[g] == n:
                for k in fresh:
                    total_gone[start + k] = 1
            else:
                for k in fresh:
                    parts_gone[start + k] += 1
                    gone_sum[start + k] += counts[base + k]
        for k in fresh:
            for g in in_groups[n]:
                number = margins + g * width + k
                if not holds(number):
                    dirty[number] = 1
                    waiting.append(number)

    def name(cell: int) -> str:  # the tie-break of `protect`: the text of (selection, key)
        s, k = divmod(cell, width)
        return str((selections[s], grid.keys[k]))

    below = count  # every sum is looked at once, the last first, then again when waiting
    while True:
        if waiting:
            number = waiting.pop()
        else:
            below = dirty.rfind(1, 0, below)
            if below < 0:
                break
            number = below
        if not dirty[number]:
            continue
        dirty[number] = 0
        if holds(number):
            continue
        total, cells = members(number)
        candidates = [p for p in cells if not hidden[p] and counts[p] > 0]
        if candidates:
            least = min(counts[p] for p in candidates)
            tied = [p for p in candidates if counts[p] == least]
            pick = tied[0] if len(tied) == 1 else min(tied, key=name)
        elif hidden[total]:
            continue  # nothing left to hide: every figure of the sum is hidden
        else:
            pick = total
        if pick % width == total_key:
            refuse(pick // width)
        else:
            hide(pick)
    refused = frozenset(s for n, s in enumerate(selections) if hidden[n * width + total_key])
    return Hidden(grid, hidden, refused)
