"""A case's media as a listing: pages by SHA-256 cut by the store's query (on both
backends), each media with every path it was seen at, the same as the whole list."""

from __future__ import annotations

from pathlib import Path

from interlink.adapters.sql.store import SqlStore
from interlink.demo.images import encode, scene
from interlink.domain.principal import Principal
from interlink.services import case_media
from interlink.services.cases import acting_agency
from interlink.services.scan import ScanOptions, scan_exhibit


def test_pages_of_a_cases_media_give_the_whole_list(store: SqlStore, tmp_path: Path) -> None:
    exhibit = tmp_path / "exhibit"
    exhibit.mkdir()
    for n in range(5):
        (exhibit / f"{n}.jpg").write_bytes(encode(scene(n, (64, 48))))
    (exhibit / "copy.jpg").write_bytes((exhibit / "0.jpg").read_bytes())
    agency = acting_agency(store, "alpha", actor="t")
    scan_exhibit(store, exhibit, case="C", options=ScanOptions(workers=0), actor="t", agency=agency)
    who = Principal.local(agency.id, agency.name, "t")
    whole = case_media.media_list(store, who, "C")
    assert [r["sha256"] for r in whole] == sorted(r["sha256"] for r in whole)
    assert len(whole) == 5 and sorted(len(r["paths"]) for r in whole) == [1, 1, 1, 1, 2]
    walked, after, more = [], None, True
    while more:
        rows, more = case_media.media_page(store, who, "C", after=after, limit=2)
        assert len(rows) == 2 or not more
        walked += rows
        after = rows[-1]["sha256"] if rows else None
    assert walked == whole
    assert case_media.media_page(store, who, "C", after="f" * 64, limit=2) == ([], False)
