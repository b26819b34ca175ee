from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from interlink.adapters.sql.networks import SqlKnownMedia, SqlNetworkRepository
from interlink.adapters.sql.store import SqlStore
from interlink.domain.categories import Category
from interlink.domain.errors import NotFoundError
from interlink.domain.lists import HashList, ListEntry
from interlink.domain.signals import Signal
from interlink.formats import cybertip
from interlink.services import networks as service
from tests.network.planted import planted_reports


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    opened = SqlStore.open(store_url)
    yield opened
    opened.close()


def test_reports_and_builds_survive_the_store(store: SqlStore) -> None:
    planted = planted_reports(networks=3, size=4)
    data = b"".join(cybertip.write_reports(item.report for item in planted.reports))
    repository = SqlNetworkRepository(store, "analyst")
    first = service.import_reports(repository, io.BytesIO(data), agency="NCMEC", case="op")
    assert first.new == first.imported == len(planted.reports)
    again = service.import_reports(repository, io.BytesIO(data))
    assert again.new == 0
    stored = list(repository.reports())
    assert [r.report for r in stored] == [item.report for item in planted.reports]
    assert stored[0].agency is None  # the re-import replaced the first
    with pytest.raises(NotFoundError):
        service.get_build(repository)
    built = service.build(repository, SqlKnownMedia(store))
    loaded = repository.get_build(built.build_id)
    assert loaded.build_id == built.build_id and loaded.report_count == built.report_count
    assert np.array_equal(loaded.graph.source, built.graph.source)
    assert loaded.graph.keys == built.graph.keys
    assert loaded.analysis.networks == built.analysis.networks
    assert loaded.merges == built.merges and dict(loaded.attributions) == dict(built.attributions)
    assert service.show(repository, "N1") == service.show(repository, "N1", built.build_id)
    actions = [r.action for r in store.audit.records()]
    assert actions.count("reports.import") == 2 and "networks.build" in actions
    assert "networks.read" in actions


def test_known_media_lookup_reads_every_enabled_list(store: SqlStore) -> None:
    value = "ab" * 16
    with store.transaction() as tx:
        a = store.lists.create(tx, HashList("A"), fmt="csv", pdq_threshold=31)
        b = store.lists.create(tx, HashList("B"), fmt="csv", pdq_threshold=31)
        off = store.lists.create(tx, HashList("off", enabled=False), fmt="csv", pdq_threshold=31)
        store.lists.add_entries(
            tx, a, [ListEntry((Signal("md5", value),), Category("uk", "A"), "S")]
        )
        store.lists.add_entries(tx, b, [ListEntry((Signal("md5", value),), victim_identified=True)])
        store.lists.add_entries(tx, off, [ListEntry((Signal("md5", "cd" * 16),))])
    found = SqlKnownMedia(store).lookup("md5", [value, "cd" * 16, "ef" * 16])
    assert set(found) == {value}
    info = found[value]
    assert info.lists == ("A", "B") and info.category == Category("uk", "A")
    assert info.series == "S" and info.victim_identified is True


def test_media_held_in_the_store_are_known_with_what_they_matched(
    store: SqlStore, tmp_path: Path
) -> None:
    from interlink.demo.images import TRANSFORMS, encode, scene
    from interlink.services import lists as list_service
    from interlink.services.scan import ScanOptions, scan_exhibit

    exhibit = tmp_path / "ex"
    exhibit.mkdir()
    held = encode(TRANSFORMS["mirror"](scene(30)), "JPEG")  # known only through its PDQ
    other = encode(scene(31), "JPEG")
    (exhibit / "a.jpg").write_bytes(held)
    (exhibit / "b.jpg").write_bytes(other)
    list_service.add_files(
        store,
        "L",
        [_write(tmp_path / "k.png", encode(scene(30), "PNG"))],
        category=Category("industry", "B1"),
    )
    scan_exhibit(store, exhibit, case="C", options=ScanOptions(workers=0))
    md5s = [hashlib.md5(d, usedforsecurity=False).hexdigest() for d in (held, other)]
    found = SqlKnownMedia(store).lookup("md5", [*md5s, "0" * 32])
    assert set(found) == set(md5s)
    assert found[md5s[0]].lists == ("store", "L")
    assert found[md5s[0]].category == Category("industry", "B1")
    assert found[md5s[1]].lists == ("store",) and found[md5s[1]].category is None


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
