"""Scanning a disk image end to end: deleted and carved items in the store, a deleted item
matching a known list, carved copies not recorded twice, acquisition facts on the exhibit."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from interlink.adapters.sql.schema import exhibits, sightings
from interlink.adapters.sql.store import SqlStore
from interlink.domain.provenance import SourceRef
from interlink.services.lists import import_list
from interlink.services.scan import ScanOptions, scan_exhibit
from interlink.sources.base import DiskOptions
from tests.sources import disk_builders as built
from tests.sources.disk_builders import DiskImages


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    opened = SqlStore.open(f"sqlite:///{tmp_path / 'store.db'}")
    yield opened
    opened.close()


def _refs(store: SqlStore) -> dict[SourceRef, str]:
    with store.engine.connect() as connection:
        rows = connection.execute(select(sightings.c.ref_key, sightings.c.sha256))
        return {SourceRef.from_key(row.ref_key): row.sha256 for row in rows}


def test_an_e01_scan_records_allocated_deleted_and_carved_media(
    store: SqlStore, disk_images: DiskImages, tmp_path: Path
) -> None:
    deleted_md5 = hashlib.md5(built.FAT_DELETED).hexdigest()
    known = tmp_path / "known.csv"
    known.write_text(f"md5,category\n{deleted_md5},uk:A\n")
    import_list(store, known, name="known")
    options = ScanOptions(workers=0, disk=DiskOptions(verify=True))
    result = scan_exhibit(store, disk_images.e01, case="C1", options=options)
    refs = _refs(store)
    states = sorted(ref.layers[-1].attr("state") or "allocated" for ref in refs if ref.depth > 1)
    # 9 allocated (7 files, an NTFS data stream, the zip member), 2 deleted, 2 carved: the
    # carved copy of beach.jpg is the allocated file found again and is not recorded twice.
    assert states == ["allocated"] * 9 + ["carved"] * 2 + ["deleted"] * 2
    beach = hashlib.sha256(built.FAT_FILES["/photos/2024/beach.jpg"]).hexdigest()
    assert [ref.layers[-1].kind for ref, sha in refs.items() if sha == beach] == ["fs"]
    assert result.summary.known == 1
    deleted = hashlib.sha256(built.FAT_DELETED).hexdigest()
    (hit,) = [ref for ref, sha in refs.items() if sha == deleted]
    assert hit.layers[-1].attr("state") == "deleted"
    (image,) = result.images.values()
    assert image["verified"] is True
    assert image["acquisition"]["evidence_number"] == "EV-1"
    with store.engine.connect() as connection:
        (exhibit_id,) = connection.execute(select(exhibits.c.id)).scalars()
        recorded = store.cases.exhibit_images(connection, exhibit_id)
    (facts,) = recorded.values()
    assert facts["acquisition"]["case_number"] == "CASE-7"
    assert facts["stored_hashes"]["md5"] == facts["computed_hashes"]["md5"]


def test_a_resumed_image_scan_adds_nothing_twice(store: SqlStore, disk_images: DiskImages) -> None:
    options = ScanOptions(workers=0)
    first = scan_exhibit(store, disk_images.raw, case="C1", options=options)
    again = scan_exhibit(store, disk_images.raw, case="C1", options=options)
    assert again.ingested == 0
    assert len(_refs(store)) == first.ingested


def test_workers_that_read_the_image_themselves_record_what_one_process_does(
    disk_images: DiskImages, tmp_path: Path
) -> None:
    """Worker processes open the image's files from their ``ImageMember``; the sightings
    (refs and SHA-256), problems and counts are those of a scan that reads everything here."""
    found = []
    for workers in (0, 2):
        opened = SqlStore.open(f"sqlite:///{tmp_path / f'{workers}.db'}")
        try:
            options = ScanOptions(workers=workers, inline_below=0)
            result = scan_exhibit(opened, disk_images.e01_deflate, case="C1", options=options)
            found.append((_refs(opened), result.ingested, result.summary.to_json()))
        finally:
            opened.close()
    inline, pooled = found
    assert pooled == inline
    files = built.FAT_FILES | built.EXT_FILES | built.NTFS_FILES | built.NTFS_STREAMS
    shared = {sha for ref, sha in pooled[0].items() if ref.layers[-1].kind == "fs"}
    assert {hashlib.sha256(data).hexdigest() for data in files.values()} <= shared
