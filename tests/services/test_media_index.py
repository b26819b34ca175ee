"""The kept index of stored media PDQs: brought up to date incrementally, it answers as a full
rebuild does, on both backends; a state that does not fit the store is rebuilt."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import ImageOps

from interlink.adapters.sql.schema import media, media_signals
from interlink.adapters.sql.store import SqlStore
from interlink.demo.images import encode, scene
from interlink.services import case_links, cases
from interlink.services.cases import stored_pdq_index
from interlink.services.media_index import media_pdq_index, store_directory
from interlink.services.scan import ScanOptions, scan_exhibit


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    opened = SqlStore.open(store_url)
    yield opened
    opened.close()


def _add_media(store: SqlStore, rng: random.Random, count: int) -> list[str]:
    """``count`` media, most with a PDQ (some of poor quality), some also with an MD5 signal;
    return their PDQ values."""
    values = []
    media_rows: list[dict[str, object]] = []
    signal_rows: list[dict[str, object]] = []
    for _ in range(count):
        sha = rng.randbytes(32).hex()
        media_rows.append(
            {
                "sha256": sha,
                "md5": sha[:32],
                "sha1": sha[:40],
                "size": 1,
                "media_type": "image/png",
                "kind": "image",
                "first_seen": datetime.now(UTC),
            }
        )
        signal_rows.append({"sha256": sha, "type": "md5", "value": sha[:32]})
        if rng.random() < 0.9:
            value = rng.randbytes(32).hex()
            quality = rng.choice([None, 30, 80, 100])
            signal_rows.append({"sha256": sha, "type": "pdq", "value": value, "quality": quality})
            values.append(value)
    if not media_rows:
        return values
    with store.transaction() as tx:
        tx.execute(media.insert(), media_rows)
        tx.execute(media_signals.insert(), signal_rows)
    return values


def _near(value: str, rng: random.Random, bits: int) -> str:
    code = int(value, 16)
    for bit in rng.sample(range(256), bits):
        code ^= 1 << bit
    return f"{code:064x}"


def _assert_same_as_rebuilt(store: SqlStore, cache: Path, probes: list[str]) -> None:
    kept = media_pdq_index(store, cache)
    rebuilt, media_of = stored_pdq_index(store)
    assert len(kept.index) == len(rebuilt) == len(media_of)
    assert dict(kept.media_of) == media_of
    for probe in probes:
        assert kept.index.query(probe, 31) == rebuilt.query(probe, 31)


def test_the_kept_index_equals_a_full_rebuild_after_adds(store: SqlStore, tmp_path: Path) -> None:
    rng = random.Random(18)
    cache = tmp_path / "indexes"
    values: list[str] = []
    _assert_same_as_rebuilt(store, cache, [])  # an empty store: an empty index
    for count in (40, 1, 300, 0, 25):
        values += _add_media(store, rng, count)
        probes = [
            _near(v, rng, rng.randrange(0, 40)) for v in rng.sample(values, min(20, len(values)))
        ]
        _assert_same_as_rebuilt(store, cache, probes)
    state = store_directory(store, cache) / "STATE.json"
    assert '"rows": ' in state.read_text()


def test_a_crash_left_append_is_dropped_and_another_database_rebuilt(
    store: SqlStore, tmp_path: Path
) -> None:
    rng = random.Random(7)
    cache = tmp_path / "indexes"
    values = _add_media(store, rng, 50)
    media_pdq_index(store, cache)
    directory = store_directory(store, cache)
    with open(directory / "ids.bin", "ab") as handle:  # rows appended, state never written
        handle.write(b"\x01" * 8 * 3)
    values += _add_media(store, rng, 10)
    _assert_same_as_rebuilt(store, cache, values[:5])
    # Another database at the same URL (restored, recreated): none of the indexed rows is in it.
    with store.transaction() as tx:
        tx.execute(media_signals.delete())
        tx.execute(media.delete())
    values = _add_media(store, rng, 70)
    _assert_same_as_rebuilt(store, cache, values[-5:])


@pytest.mark.parametrize("kept_from", [1, cases.KEPT_INDEX_FROM])
def test_a_scan_with_an_index_cache_links_near_duplicates(
    store: SqlStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kept_from: int
) -> None:
    """From ``KEPT_INDEX_FROM`` stored PDQs on, the kept index is searched (and kept); below,
    the stored PDQs are read for the scan as without a cache: the same link either way."""
    monkeypatch.setattr(cases, "KEPT_INDEX_FROM", kept_from)
    nl = cases.acting_agency(store, "Politie", "NL", actor="nl")
    de = cases.acting_agency(store, "BKA", "DE", actor="de")
    options = ScanOptions(workers=0, index_cache=tmp_path / "indexes")
    for case, agency, files in (
        ("NL-1", nl, {"two.jpg": encode(scene(2, (320, 240)))}),
        ("DE-7", de, {"mirrored.png": encode(ImageOps.mirror(scene(2, (320, 240))), "PNG")}),
    ):
        root = tmp_path / case
        root.mkdir()
        for name, data in files.items():
            (root / name).write_bytes(data)
        scan_exhibit(store, root, case=case, options=options, agency=agency)
    view = case_links.case_links(store, "DE-7", de)
    [link] = view["links"]
    assert link["case"] == "NL-1" and link["counts"] == {"near_duplicate": 1}
    kept = (store_directory(store, tmp_path / "indexes") / "STATE.json").is_file()
    assert kept == (kept_from == 1)
