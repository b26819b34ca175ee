import math
import random
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interlink.linking.clues import (
    ClueRecord,
    LinkKind,
    camera_key,
    cameras,
    haversine_m,
    links_by_camera,
    links_by_place,
    links_by_unique_id,
    places,
    timeline,
    timeline_days,
)
from interlink.media.clues import extract_clues
from tests.media.exif_images import exif_block, picture, with_exif


def test_camera_keys_normalise_make_and_serial() -> None:
    assert camera_key("NIKON CORPORATION", " 0030 12345 ") == "nikon:3012345"
    assert camera_key("Nikon", "3012345") == "nikon:3012345"
    assert camera_key("Canon", "0000000000") is None
    assert camera_key(None, "ABC1") == "unknown:ABC1"


def test_same_camera_and_same_unique_id_across_scans() -> None:
    records = [
        ClueRecord("m1", "scan-a", "Canon", "EOS 5D", "012345", "ID1"),
        ClueRecord("m2", "scan-a", "CANON INC.", "EOS 5D", "12345", None),
        ClueRecord("m3", "scan-b", "Canon", "EOS R", "12345", "id1"),
        ClueRecord("m4", "scan-b", "Canon", "EOS R", "99999", None),
    ]
    (camera,) = links_by_camera(records)
    assert camera.kind is LinkKind.CAMERA
    assert camera.key == "canon:12345"
    assert camera.media == ("m1", "m2", "m3")
    assert camera.cross_scan
    (same_shot,) = links_by_unique_id(records)
    assert (same_shot.media, same_shot.scans) == (("m1", "m3"), ("scan-a", "scan-b"))
    rows = cameras(records)
    assert [(r.key, len(r.media)) for r in rows] == [("canon:12345", 3), ("canon:99999", 1)]
    assert rows[0].models == ("EOS 5D", "EOS R")


def _at(media: str, lat: float, lon: float, scan: str = "s") -> ClueRecord:
    return ClueRecord(media, scan, latitude=lat, longitude=lon)


def test_places_join_positions_within_the_radius() -> None:
    # 0.0005 degrees of latitude is about 56 m.
    records = [
        _at("a", 51.5, -0.12),
        _at("b", 51.5005, -0.12),
        _at("c", 51.51, -0.12),
        _at("d", -33.86, 151.21, "other"),
        ClueRecord("no-gps", "s"),
    ]
    found = places(records, radius_m=100)
    assert [p.media for p in found] == [("a", "b"), ("d",), ("c",)]
    assert found[0].spread_m == pytest.approx(28, abs=2)
    (link,) = links_by_place(records)
    assert link.media == ("a", "b") and not link.cross_scan


def test_places_across_the_antimeridian_and_near_the_pole() -> None:
    found = places([_at("e", 10.0, 179.9995), _at("w", 10.0, -179.9995)], radius_m=200)
    assert len(found) == 1
    assert abs(found[0].longitude) == pytest.approx(180.0, abs=1e-3)
    polar = places([_at("p", 89.9999, 0.0), _at("q", 89.9999, 180.0)], radius_m=50)
    assert len(polar) == 1


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([30.0, 500.0, 5000.0]))
def test_grid_finds_exactly_the_pairs_brute_force_finds(seed: int, radius: float) -> None:
    rng = random.Random(seed)
    centre_lat, centre_lon = rng.uniform(-85, 85), rng.uniform(-180, 180)
    span = radius * 20 / 111_000
    records = [
        _at(f"m{i}", centre_lat + rng.uniform(-span, span), centre_lon + rng.uniform(-span, span))
        for i in range(40)
    ]
    parent = {r.media: r.media for r in records}

    def root(m: str) -> str:
        while parent[m] != m:
            m = parent[m]
        return m

    for a in records:
        for b in records:
            if haversine_m(
                a.latitude or 0, a.longitude or 0, b.latitude or 0, b.longitude or 0
            ) <= (radius):
                parent[root(a.media)] = root(b.media)
    expected: dict[str, set[str]] = {}
    for r in records:
        expected.setdefault(root(r.media), set()).add(r.media)
    found = {frozenset(p.media) for p in places(records, radius_m=radius)}
    assert found == {frozenset(group) for group in expected.values()}


def test_haversine_known_distance() -> None:
    # London to Paris, about 343.5 km.
    assert haversine_m(51.5074, -0.1278, 48.8566, 2.3522) == pytest.approx(343_500, rel=0.005)
    assert math.isclose(haversine_m(1, 2, 1, 2), 0.0)


def test_timeline_orders_utc_and_local_times() -> None:
    records = [
        ClueRecord(
            "late", "s", captured=datetime(2021, 5, 6, 12, 0, tzinfo=UTC), captured_utc=True
        ),
        ClueRecord("local", "s", captured=datetime(2021, 5, 6, 9, 0)),
        ClueRecord(
            "early", "s", captured=datetime(2021, 5, 5, 23, 0, tzinfo=UTC), captured_utc=True
        ),
        ClueRecord("none", "s"),
    ]
    entries = timeline(records)
    assert [e.media for e in entries] == ["early", "local", "late"]
    assert timeline_days(entries) == [(date(2021, 5, 5), 1), (date(2021, 5, 6), 2)]


def test_record_from_extracted_clues() -> None:
    block = exif_block(
        ifd0={0x010F: "Canon"},
        exif={0xA431: "77", 0x9003: "2021:01:01 10:00:00", 0x9011: "+01:00"},
        gps={1: "N", 2: (10.0, 0.0, 0.0), 3: "E", 4: (20.0, 30.0, 0.0)},
    )
    record = ClueRecord.from_clues("sha", "scan", extract_clues(with_exif(picture(), block)))
    assert (record.serial, record.latitude, record.longitude) == ("77", 10.0, 20.5)
    assert record.captured == datetime(2021, 1, 1, 9, 0, tzinfo=UTC)
    assert record.captured_utc
