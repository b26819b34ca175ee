"""Segment plans: every radius's thresholds are exact, and layouts respect the memory budget."""

from __future__ import annotations

import numpy as np
import pytest

from interlink.index.planner import (
    MAX_RADIUS,
    CostModel,
    allocate,
    plan_segment,
    scan_plan,
    segment_bytes,
)


def _sample(rows: int, correlated: bool) -> np.ndarray:
    rng = np.random.default_rng(rows)
    codes = rng.integers(0, 2**64, (rows, 4), dtype=np.uint64)
    if correlated:  # a few cluster centres with light noise
        centres = codes[:8]
        noise = rng.integers(0, 2**64, (rows, 4), dtype=np.uint64) & rng.integers(
            0, 2**64, (rows, 4), dtype=np.uint64
        )
        codes = centres[rng.integers(0, 8, rows)] ^ (noise & (noise >> np.uint64(3)))
    return codes


@pytest.mark.parametrize(
    ("rows", "correlated", "tables_at_31"),
    [(5000, False, False), (300_000, True, False), (300_000, False, True), (10**8, False, True)],
)
def test_thresholds_cover_every_radius_and_memory_fits(
    rows: int, correlated: bool, tables_at_31: bool
) -> None:
    plan = plan_segment(_sample(min(rows, 512), correlated), rows, budget=96.0)
    layout = plan.layout
    assert layout is not None
    assert segment_bytes(rows, layout.tables, max(layout.dir_bits)) / rows <= 96.0
    for radius in range(MAX_RADIUS + 1):
        if not plan.scan[radius]:
            assert int((plan.thresholds[radius].astype(int) + 1).sum()) > radius
    assert plan.scan[31] != tables_at_31
    assert plan.thresholds.max() <= max(layout.chunk_bits)


def test_small_segments_and_tight_budgets_scan() -> None:
    assert plan_segment(_sample(100, False), 100).layout is None
    assert plan_segment(_sample(5000, False), 5000, budget=50.0).layout is None
    assert scan_plan().scan.all()


def test_huge_radii_scan_when_tables_cost_more() -> None:
    plan = plan_segment(_sample(512, False), 1 << 20, model=CostModel())
    assert not plan.scan[0] and not plan.scan[31]
    assert plan.scan[MAX_RADIUS]


def test_allocation_is_greedy_on_marginal_cost() -> None:
    cheap = np.array([1.0, 2.0, 4.0, 8.0, 16.0])
    dear = np.array([10.0, 20.0, 40.0, 80.0, 160.0])
    rows, totals = allocate([cheap, dear], upto=6)
    assert rows[0].tolist() == [0, -1]
    assert rows[3].tolist() == [3, -1]
    assert rows[4].tolist() == [4, -1]  # 8 more beats 10 more
    assert rows[5].tolist() == [4, 0]  # the cheap table is at full width
    assert totals[5] == pytest.approx(26.0)
    for radius in range(7):
        assert int((rows[radius].astype(int) + 1).sum()) >= radius + 1
