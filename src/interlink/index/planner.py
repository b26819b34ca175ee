"""Choosing a segment's tables and each radius's chunk thresholds from a cost model.

Exactness never depends on the plan: any thresholds ``t`` (``-1`` skips a table) with
``sum(t_i + 1) > radius`` find every code within ``radius`` (if every chunk differed by more
than its threshold, the distance would be at least ``sum(t_i + 1)``). The plan only decides
which exact search is cheapest: how many chunks, how wide each directory is, which bits go
together, which thresholds to use for each radius, and when a plain scan is cheaper.

Costs come from a sample of the segment's own codes (pairwise chunk distances), so realistic,
correlated codes with uneven buckets are costed as they are, not as uniform random bits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from interlink.index._build_kernels import chunk_keys, pair_histograms
from interlink.index.codes import CODE_BITS, Codes
from interlink.index.layout import ChunkLayout, chunk_widths, decorrelated_order

#: Radii above this are treated as this (every code is within 256 bits).
MAX_RADIUS = CODE_BITS
#: Segments smaller than this are scanned; tables would cost more than they save.
SCAN_BELOW = 4096
#: The radius the layout is optimised for (PDQ's match threshold).
DESIGN_RADIUS = 31
#: Fixed bytes per stored code: the code itself and its int64 id.
BASE_BYTES = 40


@dataclass(frozen=True, slots=True)
class CostModel:
    """Nanoseconds per unit of work. The defaults are a least-squares fit to eight measured
    layouts (8-12 tables at 10^7 and 9-11 at 10^8 realistic PDQ codes, 2-core AMD EPYC); they
    predict those query times within 6 %. They rank layouts; they do not promise timings."""

    visit: float = 42.0  # one directory bucket visited
    entry: float = 5.0  # one table entry filtered by its suffix
    candidate: float = 24.0  # one candidate verified against its full code
    scan: float = 3.5  # one stored code compared by a plain scan


@dataclass(frozen=True, slots=True)
class SegmentPlan:
    """The tables of a segment (``None``: scan only) and, for each radius ``r`` (row
    ``min(r, 256)``), the chunk thresholds to use and whether to scan instead."""

    layout: ChunkLayout | None
    thresholds: npt.NDArray[np.int8] = field(repr=False)  # (257, m)
    scan: npt.NDArray[np.bool_] = field(repr=False)  # (257,)
    estimated_ns: float = 0.0  # modelled cost of one query at the design radius


def scan_plan() -> SegmentPlan:
    """A plan without tables: every query scans."""
    return SegmentPlan(
        None, np.zeros((MAX_RADIUS + 1, 0), np.int8), np.ones(MAX_RADIUS + 1, np.bool_)
    )


def segment_bytes(rows: int, tables: int, dir_bits: int) -> float:
    """Bytes of a segment of ``rows`` rows with ``tables`` tables of ``dir_bits``-bit
    directories: codes, ids, deletion bitmap, entries, directories and threshold table."""
    per_row = BASE_BYTES + 0.125 + 4 * tables
    fixed = tables * 4 * (2**dir_bits + 1) + 8 * (tables + 1) + (MAX_RADIUS + 1) * (tables + 1)
    return float(per_row * rows + fixed + 1)


def row_bits(rows: int) -> int:
    """Bits a row number of a segment of ``rows`` rows takes in a table entry."""
    return max(1, math.ceil(math.log2(max(rows, 2))))


# _BALL[b, t]: keys of b bits within t of a given key (b, t = 0..32).
_BALL = np.cumsum(
    [[float(math.comb(b, d)) for d in range(33)] for b in range(33)], axis=1, dtype=np.float64
)
_UNIFORM = _BALL / (2.0 ** np.arange(33))[:, None]


def _probabilities(counts: npt.NDArray[np.int64], length: int) -> npt.NDArray[np.float64]:
    """P(distance over ``length`` bits <= t) for t = 0..32: the sample's estimate, never below
    what uniform random bits would give."""
    pairs = max(int(counts.sum()), 1)
    sample = np.cumsum(counts) / pairs
    return np.asarray(np.minimum(np.maximum(sample, _UNIFORM[length]), 1.0), dtype=np.float64)


def _table_costs(
    model: CostModel,
    rows: int,
    width: int,
    dir_bits: int,
    p_dir: npt.NDArray[np.float64],
    p_filter: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    """Cost of one table at thresholds t = 0..width."""
    upto = width + 1
    cost = (
        model.visit * _BALL[dir_bits, :upto]
        + model.entry * rows * p_dir[:upto]
        + model.candidate * rows * p_filter[:upto]
    )
    return np.asarray(cost, dtype=np.float64)


def allocate(
    costs: list[npt.NDArray[np.float64]], upto: int = MAX_RADIUS
) -> tuple[npt.NDArray[np.int8], list[float]]:
    """Thresholds for every radius 0..``upto`` given each table's cost by threshold, and the
    total cost at each radius. Greedy on marginal cost, which is optimal for convex per-table
    costs; radius ``r`` needs ``sum(t + 1) >= r + 1``."""
    m = len(costs)
    current = [-1] * m
    spent = [0.0] * m
    tables = [c.tolist() for c in costs]
    rows = np.zeros((upto + 1, m), np.int8)
    totals: list[float] = []
    covered = 0  # sum(t + 1)
    for radius in range(upto + 1):
        while covered < radius + 1:
            best, best_step = -1, math.inf
            for i in range(m):
                if current[i] + 1 < len(tables[i]):
                    step = tables[i][current[i] + 1] - spent[i]
                    if step < best_step:
                        best, best_step = i, step
            if best < 0:
                break  # every table at full width: everything is a candidate
            current[best] += 1
            covered += 1
            spent[best] = tables[best][current[best]]
        rows[radius] = current
        totals.append(sum(spent))
    return rows, totals


@dataclass(frozen=True, slots=True)
class _Option:
    cost: float
    layout: ChunkLayout
    costs: list[npt.NDArray[np.float64]]


def _options(
    sample: Codes, rows: int, tables: int, order: tuple[int, ...], budget: float, model: CostModel
) -> list[_Option]:
    widths = chunk_widths(tables)
    probe = ChunkLayout(order, widths, widths)
    luts = probe.key_luts()
    keys = np.stack([chunk_keys(sample, luts[i]) for i in range(tables)])
    rbits = row_bits(rows)
    top = int(math.log2(rows))
    choices = []
    for k in range(max(1, top - 5), min(min(widths), top + 1) + 1):
        if segment_bytes(rows, tables, k) / rows <= budget:
            choices.append(k)
    if not choices:
        return []
    # Histograms of every prefix length a choice needs: the directory (k bits) and the part
    # the entry filter sees (k bits plus the suffix that fits beside the row number).
    needed = sorted(
        {k for k in choices}
        | {k + min(min(widths) - k, 32 - rbits) for k in choices}
        | {k + min(max(widths) - k, 32 - rbits) for k in choices}
    )
    lengths = np.asarray([needed] * tables, np.int64)
    histograms = pair_histograms(keys, np.asarray(widths, np.int64), lengths)
    column = {length: c for c, length in enumerate(needed)}
    options = []
    for k in choices:
        costs = []
        for i, width in enumerate(widths):
            seen = k + min(width - k, 32 - rbits)
            p_dir = _probabilities(histograms[i, column[k]], k)
            p_filter = _probabilities(histograms[i, column[seen]], seen)
            costs.append(_table_costs(model, rows, width, k, p_dir, p_filter))
        _, totals = allocate(costs, DESIGN_RADIUS)
        layout = ChunkLayout(order, widths, (k,) * tables)
        options.append(_Option(totals[DESIGN_RADIUS], layout, costs))
    return options


def plan_segment(
    sample: Codes,
    rows: int,
    *,
    budget: float = 96.0,
    model: CostModel | None = None,
    tables: tuple[int, ...] | None = None,
    scan_below: int = SCAN_BELOW,
) -> SegmentPlan:
    """The cheapest exact plan for a segment of ``rows`` codes like ``sample`` (a random
    sample of them, a few thousand at most) within ``budget`` bytes per code, ids included.
    Segments under ``scan_below`` rows are scanned without tables. ``tables``: the table
    counts to consider (by default 8-12, or 8, 10 and 12 below 2**18 rows)."""
    model = model or CostModel()
    if tables is None:
        tables = (8, 9, 10, 11, 12) if rows >= 1 << 18 else (8, 10, 12)
    if rows < max(scan_below, 2):
        return scan_plan()
    options: list[_Option] = []
    for m in tables:
        widths = chunk_widths(m)
        for order in (tuple(range(CODE_BITS)), decorrelated_order(sample, widths)):
            options.extend(_options(sample, rows, m, order, budget, model))
    if not options:
        return scan_plan()
    best = min(options, key=lambda option: option.cost)
    thresholds, totals = allocate(best.costs)
    scan = np.asarray([total > model.scan * rows for total in totals], np.bool_)
    return SegmentPlan(best.layout, thresholds, scan, totals[DESIGN_RADIUS])
