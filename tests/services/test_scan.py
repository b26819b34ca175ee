from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from interlink.adapters.sql.store import SqlStore
from interlink.demo.exhibit import build_demo_exhibit
from interlink.demo.images import encode, scene
from interlink.services.lists import import_list
from interlink.services.reports import case_report
from interlink.services.scan import ScanOptions, scan_exhibit
from interlink.services.worker import WorkItem, WorkResult, run
from tests.services.killing import counts, kill_midway, slow_exhibit


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    opened = SqlStore.open(store_url)
    yield opened
    opened.close()


def _png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header declares a huge image (a decompression bomb's signature)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_demo_exhibit_is_triaged_as_built(store: SqlStore, tmp_path: Path) -> None:
    built = build_demo_exhibit(tmp_path, new=6, known=5)
    imported = import_list(store, built.known_list, name="known")
    assert imported.entries == 5 and imported.error_count == 0
    result = scan_exhibit(store, built.exhibit, case="C1", options=ScanOptions(workers=0))
    s = result.summary
    # 3 exact copies, 2 transformed copies, and a mirrored copy inside the zip.
    assert s.known == built.known_originals + 1
    assert s.known_by_list == {"known": s.known}
    assert s.binary_duplicates == 2
    assert s.errors == 1  # broken.jpg
    assert {w["kind"] for w in case_report(store, "C1")["warnings"]} == {"corrupt", "empty"}
    # 6 new + the resized copy + photo_b in the zip + 3 images in the nested tar.gz + the
    # 3 photos carrying camera EXIF; and two new videos (the known video's list is not
    # imported here).
    assert s.new_images == 6 + 1 + 1 + 3 + 3 and s.new_videos == 2
    report = case_report(store, "C1")
    by_path = {f["path"]: f for f in report["files"]}
    renamed = by_path["exhibit:downloads/holiday.dat"]
    assert renamed["media_type"] == "image/jpeg" and renamed["status"] == "known"
    assert {m["signal"] for m in renamed["matches"]} == {"md5", "sha256", "pdq"}
    nested = [p for p in by_path if p.startswith("exhibit:transfer.zip!shared/inner.tar.gz!")]
    assert len(nested) == 3
    copy = by_path["exhibit:downloads/copy_of_IMG_0000.jpg"]
    assert copy["duplicate_of"] == "exhibit:camera/IMG_0000.jpg"
    assert by_path["exhibit:misc/broken.jpg"]["status"] == "error"
    assert by_path["exhibit:misc/broken.jpg"]["sha256"]  # still hashed
    queue = [item["path"] for item in report["review_queue"]]
    # New material carrying a place and a camera comes first in the queue.
    assert queue[0].startswith("exhibit:camera/DSC_")
    assert report["cameras"][0]["serial"] == "4403152" and len(report["places"]) == 1
    assert "exhibit:downloads/resized.jpg" not in queue  # stacked under its original
    assert any(
        s["path"] == "exhibit:downloads/resized.jpg"
        for item in report["review_queue"]
        for s in item["stack"]
    )
    for record in report["files"]:
        assert set(record) >= {
            "path",
            "sha256",
            "md5",
            "sha1",
            "pdq",
            "pdq_quality",
            "media_type",
            "status",
            "duplicate_of",
            "matches",
        }


def test_bad_images_are_problems_and_the_scan_goes_on(store: SqlStore, tmp_path: Path) -> None:
    exhibit = tmp_path / "ex"
    exhibit.mkdir()
    (exhibit / "good.jpg").write_bytes(encode(scene(1), "JPEG"))
    (exhibit / "bomb.png").write_bytes(_png_claiming(100_000, 100_000))
    (exhibit / "truncated.png").write_bytes(encode(scene(2), "PNG")[:300])
    result = scan_exhibit(store, exhibit, case="C", options=ScanOptions(workers=0))
    assert result.summary.new_images == 1
    report = case_report(store, "C")
    kinds = {w["path"].split(":", 1)[1]: w["kind"] for w in report["warnings"]}
    assert kinds["bomb.png"] == "decompression_bomb"
    assert kinds["truncated.png"] == "corrupt"


def test_worker_pool_gives_the_same_result_as_inline(tmp_path: Path) -> None:
    built = build_demo_exhibit(tmp_path / "demo", new=4, known=4)
    results = []
    for workers in (0, 2):
        store = SqlStore.open(f"sqlite:///{tmp_path / f'w{workers}.db'}")
        import_list(store, built.known_list, name="known")
        options = ScanOptions(workers=workers, inline_below=0)
        scan_exhibit(store, built.exhibit, case="C", options=options)
        report = case_report(store, "C")
        results.append(
            sorted((f["path"], f["sha256"], f["status"], f["pdq"]) for f in report["files"])
        )
        store.close()
    assert results[0] == results[1]


def crash_on_poison(item: WorkItem) -> WorkResult:
    """A worker that dies outright on one file, as a crashing decoder would."""
    if item.path and item.path.endswith("poison.jpg"):
        os._exit(3)
    return run(item)


def test_a_crashing_worker_costs_one_item_not_the_scan(tmp_path: Path) -> None:
    exhibit = tmp_path / "ex"
    exhibit.mkdir()
    for i in range(6):
        (exhibit / f"img{i}.jpg").write_bytes(encode(scene(i), "JPEG"))
    (exhibit / "poison.jpg").write_bytes(encode(scene(99), "JPEG"))
    store = SqlStore.open(f"sqlite:///{tmp_path / 'db.sqlite'}")
    options = ScanOptions(workers=2, runner=crash_on_poison, inline_below=0)
    result = scan_exhibit(store, exhibit, case="C", options=options)
    assert result.summary.new_images == 6
    report = case_report(store, "C")
    [problem] = [w for w in report["warnings"] if w["path"].endswith("poison.jpg")]
    assert "crashed" in problem["message"] and not problem["ingested"]
    store.close()


@pytest.mark.slow
def test_a_killed_scan_resumes_without_duplicates_or_loss(tmp_path: Path) -> None:
    exhibit = tmp_path / "ex"
    slow_exhibit(exhibit)
    url = f"sqlite:///{tmp_path / 'killed.db'}"
    command = [sys.executable, "-m", "interlink", "--db", url, "scan", str(exhibit), "--case", "C"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "INTERLINK_WORKERS": "1"}
    partial = kill_midway([*command, "--json"], env, url)
    assert 10 <= partial < 100
    done = subprocess.run([*command, "--json"], env=env, capture_output=True, check=True)
    result = json.loads(done.stdout)
    assert result["resumed"] is True
    assert result["skipped"] == partial and result["ingested"] == 100 - partial
    # Exactly what one uninterrupted scan records: each file once, five signals each (three
    # cryptographic hashes, PDQ and ORB).
    assert counts(url) == (100, 100, 500, 100)
    assert result["summary"]["files"] == 100 and result["summary"]["new_images"] == 100


def test_unknown_list_names_are_refused(store: SqlStore, tmp_path: Path) -> None:
    from interlink.domain.errors import NotFoundError

    (tmp_path / "a.jpg").write_bytes(encode(scene(1), "JPEG"))
    with pytest.raises(NotFoundError, match="nope"):
        scan_exhibit(store, tmp_path, case="C", options=ScanOptions(workers=0, lists=("nope",)))


def test_report_json_carries_thumbnails_only_in_html(store: SqlStore, tmp_path: Path) -> None:
    (tmp_path / "ex").mkdir()
    (tmp_path / "ex" / "a.jpg").write_bytes(encode(scene(1), "JPEG"))
    scan_exhibit(store, tmp_path / "ex", case="C", options=ScanOptions(workers=0))
    from interlink.services.reports import write_report

    written = write_report(store, "C", tmp_path / "out")
    html = written.html_path.read_text(encoding="utf-8")
    assert html.count("data-clear=") == 1
    assert "base64" not in written.json_path.read_text(encoding="utf-8")
    assert io.BytesIO(written.json_path.read_bytes()).read(1) == b"{"


def _stored(store: SqlStore) -> dict[str, list[tuple[object, ...]]]:
    """Every row a scan writes, without ids, times and scan ids (which differ run to run)."""
    queries = {
        "media": "select sha256, md5, sha1, size, media_type, kind, width, height from media",
        "signals": "select sha256, type, value, quality, variants, data from media_signals",
        "thumbnails": "select sha256, jpeg from thumbnails",
        "sightings": "select ref_hash, ref_key, path, sha256, size, modified, seq from sightings",
        "matches": "select sha256, entry_id, list_id, signal_type, distance from media_matches",
        "problems": "select ref_hash, ref_key, path, kind, message, ingested from problems",
        "clues": "select * from media_clues",
        "videos": "select * from video_info",
    }
    with store.engine.connect() as connection:
        return {
            name: sorted(tuple(row) for row in connection.execute(text(query)))
            for name, query in queries.items()
        }


def test_every_way_of_running_a_scan_stores_the_same(tmp_path: Path) -> None:
    from interlink.services.reports import exhibit_summary, load_case
    from interlink.triage.report import Summary, build_report

    built = build_demo_exhibit(tmp_path / "demo", new=4, known=4)
    ways = {
        "inline, one item per batch": ScanOptions(workers=0, batch_size=1),
        "two workers": ScanOptions(workers=2, inline_below=0, batch_size=5),
        "small exhibit in-process": ScanOptions(workers=2, inline_below=1000),
    }
    stored = {}
    for n, (way, options) in enumerate(ways.items()):
        store = SqlStore.open(f"sqlite:///{tmp_path / f'{n}.db'}")
        import_list(store, built.known_list, name="known")
        result = scan_exhibit(store, built.exhibit, case="C", options=options)
        [exhibit] = store.cases.exhibits(store.cases.get("C").id)
        full = Summary(**build_report(load_case(store, "C"))["summary"])
        assert result.summary == exhibit_summary(store, "C", exhibit.id) == full, way
        assert full.known and full.errors and full.binary_duplicates and full.warnings
        stored[way] = _stored(store)
        store.close()
    first, *others = stored.values()
    assert all(other == first for other in others)
    assert first["matches"] and first["problems"] and first["thumbnails"]
