from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from interlink.adapters.sql.signal_data import PAGES, _cell, page_order, stored, value_of
from interlink.adapters.sql.store import SqlStore
from interlink.domain.media import Media, MediaKind, Sighting
from interlink.domain.provenance import SourceRef
from interlink.domain.scan import ScannedFile
from interlink.domain.signals import Signal
from interlink.signals import orb
from tests.signals.orb_helpers import random_value


def test_an_orb_value_is_stored_as_bytes_and_read_back_as_text() -> None:
    value = random_value(1)
    row = stored(orb.NAME, value)
    assert row["value"] == "" and len(row["data"]) == 1680
    assert value_of(row["value"], row["data"]) == value
    assert stored("md5", "ab" * 16) == {"value": "ab" * 16, "data": None}
    assert stored(orb.NAME, "A" * 2313) == {"value": "A" * 2313, "data": None}  # not packable
    assert value_of("A" * 2313, None) == "A" * 2313


def _rows(seed: int) -> list[dict[str, Any]]:
    sha = f"{seed:064x}"
    small = [{"sha256": sha, "type": t, **stored(t, v)} for t, v in (("md5", "a" * 32),)]
    small.append({"sha256": sha, "type": "pdq", **stored("pdq", "b" * 64), "variants": ["c" * 64]})
    return [*small, {"sha256": sha, "type": orb.NAME, **stored(orb.NAME, random_value(seed))}]


@pytest.mark.parametrize(("backend", "per_page"), [("sqlite", 2), ("postgresql", 4)])
def test_page_order_puts_a_page_of_large_rows_then_small_rows_that_fill_it(
    backend: str, per_page: int
) -> None:
    pages = PAGES[backend]
    rows = [row for seed in range(9) for row in _rows(seed)]
    ordered = page_order(rows, backend)
    assert sorted(map(id, ordered)) == sorted(map(id, rows))  # every row, once
    kinds = [row["type"] for row in ordered]
    assert kinds[:per_page] == [orb.NAME] * per_page and kinds[per_page] != orb.NAME
    next_page = kinds.index(orb.NAME, per_page)
    assert sum(_cell(row, pages) for row in ordered[:next_page]) <= pages.room
    assert sum(_cell(row, pages) for row in ordered[: next_page + 1]) > pages.room
    small = [row for row in rows if row["type"] != orb.NAME]
    assert page_order(small, backend) is small
    assert page_order(rows, "other") is rows


def _media(n: int, with_orb: bool) -> Media:
    sha = f"{n:064x}"
    signals = [
        Signal("md5", f"{n:032x}"),
        Signal("sha1", f"{n:040x}"),
        Signal("sha256", sha),
        Signal("pdq", f"{n:064x}", 90),
    ]
    if with_orb:
        signals.append(Signal(orb.NAME, random_value(n)))
    return Media(
        sha, f"{n:032x}", f"{n:040x}", 10, "image/jpeg", MediaKind.IMAGE, 4, 3, tuple(signals)
    )


def _signal_pages(path: Path, with_orb: bool, count: int) -> int:
    store = SqlStore.open(f"sqlite:///{path}")
    with store.transaction() as tx:
        case, _ = store.cases.ensure_case(tx, "C")
        exhibit, _ = store.cases.ensure_exhibit(tx, case.id, "E", "/e")
        scan, _ = store.media.open_scan(tx, exhibit.id, {})
        for start in range(0, count, 16):  # batches, as a scan commits them
            files = []
            for n in range(start, start + 16):
                media = _media(n, with_orb)
                sighting = Sighting(media.sha256, SourceRef("E").child("folder", f"{n}.jpg"), 10)
                files.append((n, ScannedFile(media, sighting, pdq_variants=("d" * 64,) * 7)))
            store.media.record(tx, scan.id, exhibit.id, files, [])
    if with_orb:
        assert store.media.signals_of([f"{3:064x}"], orb.NAME)[f"{3:064x}"][0] == random_value(3)
    store.close()
    with sqlite3.connect(path) as connection:
        connection.execute("VACUUM")
        query = "SELECT count(*) FROM dbstat WHERE name = 'media_signals'"
        return int(connection.execute(query).fetchone()[0])


def test_orb_rows_share_pages_with_the_small_rows_of_a_batch(tmp_path: Path) -> None:
    """Written media by media, an image's rows (~2.8 KB) took a 4 KB page each: two ORB rows
    and one image's small rows between them do not fit one. In page order they take less than
    2,048 bytes an image with the ORB index's entry (82), where they took 3,072 so."""
    count = 64
    with_orb = _signal_pages(tmp_path / "on.db", True, count)
    without = _signal_pages(tmp_path / "off.db", False, count)
    assert (with_orb - without) * 4096 / count <= 2048 - 82
