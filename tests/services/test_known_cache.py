from __future__ import annotations

import hashlib
from pathlib import Path

from interlink.adapters.sql.store import SqlStore
from interlink.demo.images import encode, scene
from interlink.services import lists as list_service
from interlink.services.known_cache import known_matcher
from interlink.services.reports import case_report
from interlink.services.scan import ScanOptions, scan_exhibit
from interlink.signals.pdq import hash_rgb
from interlink.triage.known import Query


def test_the_cache_follows_the_lists_state(tmp_path: Path) -> None:
    import numpy as np

    store = SqlStore.open(f"sqlite:///{tmp_path / 'c.db'}")
    cache = tmp_path / "indexes"
    image = scene(5)
    data = encode(image, "PNG")
    digest = hashlib.sha256(data).hexdigest()
    code = hash_rgb(np.asarray(image))
    (tmp_path / "l.csv").write_text(f"sha256,pdq\n{digest},{code.value}\n")
    list_service.import_list(store, tmp_path / "l.csv", name="L")
    first = known_matcher(store, None, cache)
    [state] = list(cache.iterdir())
    again = known_matcher(store, None, cache)  # opened from the cache this time
    query = Query({"sha256": digest}, code)
    assert [m.signal_type for m in again.match(query)] == ["sha256", "pdq"]
    assert again.match(query) == first.match(query)
    (tmp_path / "m.csv").write_text(f"md5\n{'a' * 32}\n")
    list_service.import_list(store, tmp_path / "m.csv", name="M")
    known_matcher(store, None, cache)
    [newer] = list(cache.iterdir())
    assert newer != state  # a new state replaced the old one
    (newer / "manifest.json").write_text("{broken")
    rebuilt = known_matcher(store, None, cache)
    assert rebuilt.size == 2 and (newer / "manifest.json").read_text().startswith("{")
    store.close()


def test_a_scan_uses_the_cache(tmp_path: Path) -> None:
    store = SqlStore.open(f"sqlite:///{tmp_path / 'c.db'}")
    exhibit = tmp_path / "ex"
    exhibit.mkdir()
    data = encode(scene(6), "JPEG")
    (exhibit / "a.jpg").write_bytes(data)
    (tmp_path / "l.csv").write_text(
        f"md5\n{hashlib.md5(data, usedforsecurity=False).hexdigest()}\n"
    )
    list_service.import_list(store, tmp_path / "l.csv", name="L")
    options = ScanOptions(workers=0, index_cache=tmp_path / "indexes")
    scan_exhibit(store, exhibit, case="C", options=options)
    assert case_report(store, "C")["summary"]["known"] == 1
    # One state of the lists (a store this small keeps no media PDQ index for linking).
    assert len(list((tmp_path / "indexes").iterdir())) == 1
    store.close()
