"""Cases of several synthetic agencies sharing generated material, on both backends."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import ExifTags, ImageOps
from sqlalchemy import update

from interlink.adapters.sql.casework_schema import alerts
from interlink.adapters.sql.store import SqlStore
from interlink.demo.images import encode, scene
from interlink.domain.cases import (
    Agency,
    Identifier,
    IdentifierKind,
    SuspectStatus,
    VictimStatus,
)
from interlink.domain.errors import AccessDeniedError, ConflictError, TransitionError
from interlink.linking.deconfliction import Disclosure, Priority, TriggerKind
from interlink.services import case_links, cases, operations, victims, watches
from interlink.services.case_list import case_list
from interlink.services.lists import import_list
from interlink.services.reports import case_report
from interlink.services.scan import ScanOptions, scan_exhibit
from tests.media.exif_images import exif_block, picture, with_exif

SIZE = (320, 240)
SERIAL = "0004711"


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    opened = SqlStore.open(store_url)
    yield opened
    opened.close()


def _camera_shot(seed: int, serial: str = SERIAL, unique_id: str | None = None) -> bytes:
    exif: dict[int, object] = {ExifTags.Base.BodySerialNumber: serial}
    if unique_id:
        exif[ExifTags.Base.ImageUniqueID] = unique_id
    return with_exif(picture(seed=seed), exif_block(ifd0={ExifTags.Base.Make: "Canon"}, exif=exif))


def _exhibit(root: Path, files: dict[str, bytes]) -> Path:
    root.mkdir(parents=True)
    for name, data in files.items():
        (root / name).write_bytes(data)
    return root


@dataclass
class World:
    nl: Agency
    de: Agency
    fr: Agency
    tmp: Path

    def scan(self, store: SqlStore, agency: Agency, case: str, files: dict[str, bytes]) -> None:
        root = _exhibit(self.tmp / f"{case}-exhibit", files)
        scan_exhibit(store, root, case=case, options=ScanOptions(workers=0), agency=agency)


def _world(store: SqlStore, tmp: Path) -> World:
    return World(
        cases.acting_agency(store, "Politie", "NL", "vid@politie.example", actor="nl"),
        cases.acting_agency(store, "BKA", "DE", "zentrale@bka.example", actor="de"),
        cases.acting_agency(store, "OFMIN", "FR", "ofmin@interieur.example", actor="fr"),
        tmp,
    )


def _scanned(store: SqlStore, tmp: Path) -> World:
    """NL-1 and DE-7 share a copy, a mirrored image and a camera; DE-7 and FR-3 a copy."""
    world = _world(store, tmp)
    world.scan(
        store,
        world.nl,
        "NL-1",
        {
            "nl_one.jpg": encode(scene(1, SIZE)),
            "nl_two.jpg": encode(scene(2, SIZE)),
            "nl_cam.jpg": _camera_shot(3),
        },
    )
    world.scan(
        store,
        world.de,
        "DE-7",
        {
            "copy_of_one.jpg": encode(scene(1, SIZE)),
            "mirrored_two.png": encode(ImageOps.mirror(scene(2, SIZE)), "PNG"),
            "same_camera.jpg": _camera_shot(5),
            "nine.jpg": encode(scene(9, SIZE)),
        },
    )
    world.scan(store, world.fr, "FR-3", {"neuf.jpg": encode(scene(9, SIZE))})
    return world


def test_a_scan_links_cases_by_copies_flips_and_cameras(store: SqlStore, tmp_path: Path) -> None:
    world = _scanned(store, tmp_path)
    view = case_links.case_links(store, "DE-7", world.de)
    by_case = {link["case"]: link for link in view["links"]}
    assert set(by_case) == {"NL-1", "FR-3"}
    nl = by_case["NL-1"]
    assert nl["counts"] == {"camera": 1, "near_duplicate": 1, "shared_media": 1}
    assert nl["agency"]["name"] == "Politie" and nl["agency"]["contact"] == "vid@politie.example"
    assert by_case["FR-3"]["counts"] == {"shared_media": 1}
    assert nl["strength"] > by_case["FR-3"]["strength"] > 0
    near = next(e for e in nl["evidence"] if e["kind"] == "near_duplicate")
    assert near["distance"] <= 31
    assert near["media"][0]["paths"] == ["DE-7-exhibit:mirrored_two.png"]
    camera = next(e for e in nl["evidence"] if e["kind"] == "camera")
    assert camera["key"] == "canon:4711"
    assert view["cluster"] == {"cases": 3, "countries": ["DE", "FR", "NL"]}
    # The other agencies' paths, exhibits and file names are never shown.
    text = json.dumps(view)
    for hidden in ("NL-1-exhibit", "nl_", "FR-3-exhibit", "neuf.jpg"):
        assert hidden not in text
    headlines = case_report(store, "DE-7")["links"]["headlines"]
    assert "1 media is also in case FR-3 of OFMIN (France)" in headlines
    assert "1 near-duplicate image is in case NL-1 of Politie (Netherlands)" in headlines
    # NL sees the same link from its side, with its own paths.
    mirror = case_links.case_links(store, "NL-1", world.nl)
    assert [link["case"] for link in mirror["links"]] == ["DE-7"]
    assert "NL-1-exhibit:nl_cam.jpg" in json.dumps(mirror)
    assert "same_camera.jpg" not in json.dumps(mirror)


def test_links_are_computed_once_and_audited(store: SqlStore, tmp_path: Path) -> None:
    world = _scanned(store, tmp_path)
    evidence = store.links.evidence([store.cases.get("DE-7").id])
    case = store.cases.get("DE-7")
    exhibit = store.cases.exhibits(case.id)[0]
    again = cases.after_scan(store, "DE-7", exhibit.id, "de", world.de)
    assert again.evidence == () and store.links.evidence([case.id]) == evidence
    audited = [r for r in store.audit.records() if r.action == "case.links"]
    assert [r.object_id for r in audited] == [str(case.id), str(store.cases.get("FR-3").id)]
    assert store.audit.verify().ok


def test_access_is_limited_to_the_agency_s_own_cases(store: SqlStore, tmp_path: Path) -> None:
    world = _scanned(store, tmp_path)
    with pytest.raises(AccessDeniedError):
        case_links.case_links(store, "NL-1", world.de)
    other = _exhibit(tmp_path / "de-into-nl", {"x.jpg": encode(scene(40, SIZE))})
    with pytest.raises(AccessDeniedError):
        scan_exhibit(store, other, case="NL-1", options=ScanOptions(workers=0), agency=world.de)
    assert store.cases.exhibits(store.cases.get("NL-1").id)[0].name == "NL-1-exhibit"
    assert [row["case"] for row in case_list(store, world.de)] == ["DE-7"]
    assert case_list(store, world.fr)[0]["linked_cases"] == 1


def test_a_watch_hits_later_scans_and_reveals_only_what_it_allows(
    store: SqlStore, tmp_path: Path
) -> None:
    world = _world(store, tmp_path)
    world.scan(store, world.nl, "NL-1", {"cam.jpg": _camera_shot(3)})
    placed = watches.add_watch(
        store,
        world.nl,
        [watches.TriggerSpec(TriggerKind.CAMERA, f"Canon:{SERIAL}")],
        title="Producer's camera",
        priority=Priority.HIGH,
        message="Victim safeguarding in progress; call before acting",
        case=store.cases.get("NL-1"),
        actor="nl",
    )
    assert placed.hits == ()  # its own case does not hit it
    world.scan(store, world.de, "DE-7", {"secret_name.jpg": _camera_shot(6)})
    owner = watches.hit_views(store, world.nl)
    hitter = watches.hit_views(store, world.de)
    assert [v["side"] for v in owner] == ["owner"] and [v["side"] for v in hitter] == ["hitter"]
    assert owner[0]["agency"]["name"] == "BKA" and owner[0]["case"] is None
    assert owner[0]["items"] == 1 and owner[0]["subjects"] is None
    assert hitter[0]["agency"]["contact"] == "vid@politie.example"
    assert hitter[0]["message"].startswith("Victim safeguarding") and hitter[0]["case"] is None
    assert hitter[0]["own_case"] == "DE-7"
    owner_text, hitter_text = json.dumps(owner), json.dumps(hitter)
    for hidden in ("DE-7", "secret_name", "DE-7-exhibit"):
        assert hidden not in owner_text
    for hidden in ("NL-1", "cam.jpg"):
        assert hidden not in hitter_text
    assert watches.hit_views(store, world.fr) == []
    actions = [r.action for r in store.audit.records()]
    assert actions.count("watch.add") == 1 and actions.count("watch.hit") == 1


def test_a_new_watch_checks_what_is_held_and_discloses_by_level(
    store: SqlStore, tmp_path: Path
) -> None:
    world = _scanned(store, tmp_path)
    nine = hashlib.sha256(encode(scene(9, SIZE))).hexdigest()
    placed = watches.add_watch(
        store,
        world.fr,
        [watches.TriggerSpec(TriggerKind.SHA256, nine.upper())],
        title="Known from FR-3",
        disclosure=Disclosure.EVIDENCE,
        case=store.cases.get("FR-3"),
        actor="fr",
    )
    assert [(h.case_id, h.subject) for h in placed.hits] == [(store.cases.get("DE-7").id, nine)]
    owner = watches.hit_views(store, world.fr)[0]
    assert owner["case"] == "DE-7" and owner["subjects"] == [nine]
    assert "nine.jpg" not in json.dumps(owner)
    hitter = watches.hit_views(store, world.de)[0]
    assert hitter["case"] == "FR-3"
    # A PDQ watch on NL's image finds DE's mirrored copy among what is held.
    two = store.links.media_by_signal(
        "sha256", [hashlib.sha256(encode(scene(2, SIZE))).hexdigest()]
    )
    pdq_value = store.media.signals_of([two[0][1]], "pdq")[two[0][1]][0]
    near = watches.add_watch(
        store,
        world.nl,
        [watches.TriggerSpec(TriggerKind.PDQ, pdq_value)],
        title="Image two",
        case=store.cases.get("NL-1"),
        actor="nl",
    )
    assert {h.case_id for h in near.hits} == {store.cases.get("DE-7").id}
    watches.withdraw_watch(store, near.alert.id, world.nl, actor="nl")
    with pytest.raises(AccessDeniedError):
        watches.withdraw_watch(store, placed.alert.id, world.nl, actor="nl")
    listed = {w["title"]: w for w in watches.watch_list(store, world.nl)}
    assert listed["Image two"]["active"] is False and listed["Image two"]["hit_cases"] == 1


def test_expired_watches_do_not_hit(store: SqlStore, tmp_path: Path) -> None:
    world = _world(store, tmp_path)
    placed = watches.add_watch(
        store,
        world.nl,
        [watches.TriggerSpec(TriggerKind.EMAIL, "x@example.org")],
        title="Mail",
        expires_at=datetime.now(UTC) + timedelta(days=1),
        actor="nl",
    )
    world.scan(store, world.de, "DE-7", {"a.jpg": encode(scene(30, SIZE))})
    cases.add_identifier(
        store, "DE-7", Identifier(IdentifierKind.EMAIL, "X@example.org"), world.de, actor="de"
    )
    assert [h.alert_id for h in store.watches.hits()] == [placed.alert.id]
    world.scan(store, world.fr, "FR-3", {"b.jpg": encode(scene(31, SIZE))})
    with store.transaction() as tx:  # a day later
        tx.execute(
            update(alerts)
            .where(alerts.c.id == placed.alert.id)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    found = cases.add_identifier(
        store, "FR-3", Identifier(IdentifierKind.EMAIL, "x@example.org"), world.fr, actor="fr"
    )
    assert found.hits == ()
    assert len(found.evidence) == 1  # the case link is made all the same


def test_identifiers_link_cases_and_ip_needs_time_and_port(store: SqlStore, tmp_path: Path) -> None:
    world = _world(store, tmp_path)
    world.scan(store, world.nl, "NL-1", {"a.jpg": encode(scene(20, SIZE))})
    world.scan(store, world.de, "DE-7", {"b.jpg": encode(scene(21, SIZE))})
    seen = datetime(2025, 2, 1, 20, tzinfo=UTC)

    def ip(case: str, agency: Agency, port: int, at: datetime) -> cases.Found:
        item = Identifier(IdentifierKind.IP, "198.51.100.7", port=port, seen_at=at)
        return cases.add_identifier(store, case, item, agency, actor="x")

    ip("NL-1", world.nl, 40001, seen)
    assert ip("DE-7", world.de, 40001, seen + timedelta(hours=9)).evidence == ()
    assert ip("DE-7", world.de, 40002, seen).evidence == ()
    linked = ip("DE-7", world.de, 40001, seen + timedelta(hours=1))
    assert [(e.kind.value, e.distance) for e in linked.evidence] == [("identifier", 60)]
    phone = Identifier(IdentifierKind.PHONE, "+31 6 1234 5678")
    cases.add_identifier(store, "NL-1", phone, world.nl, actor="nl")
    again = cases.add_identifier(
        store, "DE-7", Identifier(IdentifierKind.PHONE, "0031612345678"), world.de, actor="de"
    )
    assert [e.key for e in again.evidence] == ["phone:+31612345678"]
    view = case_links.case_links(store, "NL-1", world.nl)
    assert view["links"][0]["counts"] == {"identifier": 2}


def test_victim_and_suspect_statuses_are_audited(store: SqlStore, tmp_path: Path) -> None:
    world = _scanned(store, tmp_path)
    victim = victims.add_victim(
        store, "V-BLUE-1", world.nl, case="NL-1", series=["Blue Sky"], actor="nl"
    )
    with pytest.raises(ConflictError):
        victims.add_victim(store, "V-BLUE-1", world.nl, actor="nl")
    with pytest.raises(TransitionError):
        victims.advance_victim(store, "V-BLUE-1", VictimStatus.SAFEGUARDED, world.nl, actor="nl")
    victims.advance_victim(store, "V-BLUE-1", VictimStatus.IDENTIFIED, world.nl, actor="nl")
    victims.advance_victim(store, "V-BLUE-1", VictimStatus.SAFEGUARDED, world.nl, actor="nl2")
    records = store.audit.records(object_id=str(victim.id))
    assert [(r.action, r.actor) for r in records] == [
        ("victim.create", "nl"),
        ("victim.status", "nl"),
        ("victim.status", "nl2"),
    ]
    moves = [(r.before["status"], r.after["status"]) for r in records[1:]]
    assert moves == [("unidentified", "identified"), ("identified", "safeguarded")]
    assert records[0].after == {
        "pseudonym": "V-BLUE-1",
        "status": "unidentified",
        "case": str(store.cases.get("NL-1").id),
        "series": ["Blue Sky"],
    }
    with pytest.raises(AccessDeniedError):
        victims.add_victim(store, "V-2", world.de, case="NL-1", actor="de")
    suspect = victims.add_suspect(store, "S-1", world.de, case="DE-7", actor="de")
    victims.advance_suspect(store, "S-1", SuspectStatus.ARRESTED, world.de, actor="de")
    with pytest.raises(TransitionError):
        victims.advance_suspect(store, "S-1", SuspectStatus.IDENTIFIED, world.de, actor="de")
    [created, moved] = store.audit.records(object_id=str(suspect.id))
    assert (moved.before["status"], moved.after["status"]) == ("unidentified", "arrested")
    assert created.action == "suspect.create"


def test_a_list_import_names_series_and_fires_series_watches(
    store: SqlStore, tmp_path: Path
) -> None:
    world = _scanned(store, tmp_path)
    victims.add_victim(store, "V-7", world.nl, case="NL-1", series=["Blue Sky"], actor="nl")
    watches.add_watch(
        store,
        world.nl,
        [watches.TriggerSpec(TriggerKind.SERIES, "blue  sky")],
        title="Series Blue Sky",
        disclosure=Disclosure.CASE,
        case=store.cases.get("NL-1"),
        actor="nl",
    )
    assert store.watches.hits() == []
    nine = hashlib.sha256(encode(scene(9, SIZE))).hexdigest()
    listing = tmp_path / "series.csv"
    listing.write_text(f"sha256,series\n{nine},Blue Sky\n{'0' * 64},Other\n")
    import_list(store, listing, name="icse", actor="nl")
    assert {s for s in store.casework.series_named(["blue sky", "other"])} == {"blue sky", "other"}
    hits = store.watches.hits()
    hit_cases = {store.cases.by_ids([h.case_id])[h.case_id].name for h in hits}
    assert hit_cases == {"DE-7", "FR-3"}
    # A scan after the import matches the list, so the series watch hits it too.
    world.scan(store, world.fr, "FR-9", {"again.jpg": encode(scene(9, SIZE))})
    assert "FR-9" in {v["own_case"] for v in watches.hit_views(store, world.fr)}
    view = case_links.case_links(store, "DE-7", world.de)
    [series] = view["series"]
    assert series["series"] == "Blue Sky" and series["media"] == 1
    assert series["victims"] == [
        {
            "status": "unidentified",
            "agency": {
                "name": "Politie",
                "country": "NL",
                "country_name": "Netherlands",
                "contact": "vid@politie.example",
            },
        }
    ]
    owner = [v for v in watches.hit_views(store, world.nl) if v["side"] == "owner"]
    assert {v["case"] for v in owner} == {"DE-7", "FR-3", "FR-9"}


def test_an_operation_reports_its_figures(store: SqlStore, tmp_path: Path) -> None:
    world = _scanned(store, tmp_path)
    operations.create_operation(store, "Op Willow", world.nl, actor="nl")
    with pytest.raises(ConflictError):
        operations.create_operation(store, "Op Willow", world.de, actor="de")
    with pytest.raises(AccessDeniedError):
        operations.add_to_operation(store, "Op Willow", "DE-7", world.nl, actor="nl")
    operations.add_to_operation(store, "Op Willow", "NL-1", world.nl, actor="nl")
    operations.add_to_operation(store, "Op Willow", "DE-7", world.de, actor="de")
    assert not operations.add_to_operation(store, "Op Willow", "DE-7", world.de, actor="de")
    with pytest.raises(AccessDeniedError):
        operations.operation_view(store, "Op Willow", world.fr)
    victims.add_victim(store, "V-1", world.nl, case="NL-1", series=["Blue Sky"], actor="nl")
    victims.add_victim(store, "V-2", world.de, case="DE-7", actor="de")
    victims.advance_victim(store, "V-1", VictimStatus.IDENTIFIED, world.nl, actor="nl")
    victims.add_suspect(store, "S-1", world.de, case="DE-7", actor="de")
    victims.advance_suspect(store, "S-1", SuspectStatus.IDENTIFIED, world.de, actor="de")
    victims.add_suspect(store, "S-2", world.de, case="DE-7", actor="de")
    view = operations.operation_view(store, "Op Willow", world.de)
    assert view["figures"] == {
        "cases": 2,
        "agencies": 2,
        "countries": 2,
        "series": 1,
        "victims": 2,
        "victims_identified": 1,
        "victims_safeguarded": 0,
        "suspects": 2,
        "suspects_identified": 1,
        "links": 1,
    }
    assert view["clusters"] == [["DE-7", "NL-1"]]
    rows = {row["case"]: row for row in view["cases"]}
    assert rows["DE-7"]["own"] and rows["DE-7"]["exhibits"] == ["DE-7-exhibit"]
    assert not rows["NL-1"]["own"] and "exhibits" not in rows["NL-1"]
    assert "NL-1-exhibit" not in json.dumps(view)


def test_an_exif_image_id_links_different_files_of_one_shot(
    store: SqlStore, tmp_path: Path
) -> None:
    world = _world(store, tmp_path)
    shot = "3F1A0000B2C4D6E8"
    world.scan(store, world.nl, "NL-1", {"a.jpg": _camera_shot(11, "998877", shot)})
    world.scan(store, world.de, "DE-7", {"b.jpg": _camera_shot(12, "112233", shot.lower())})
    [link] = case_links.case_links(store, "DE-7", world.de)["links"]
    assert link["counts"] == {"image_unique_id": 1}
    [evidence] = link["evidence"]
    assert evidence["key"] == shot.lower()
    assert evidence["media"][0]["paths"] == ["DE-7-exhibit:b.jpg"]


def _located_shot(seed: int, latitude: float, longitude: float) -> bytes:
    from fractions import Fraction

    def dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
        degrees = int(value)
        minutes = int((value - degrees) * 60)
        seconds = Fraction(round(((value - degrees) * 60 - minutes) * 60 * 1000), 1000)
        return (Fraction(degrees), Fraction(minutes), seconds)

    gps = {1: "N", 2: dms(latitude), 3: "E", 4: dms(longitude)}
    return with_exif(picture(seed=seed), exif_block(gps=gps))


def test_media_taken_at_one_place_link_cases_of_two_agencies(
    store: SqlStore, tmp_path: Path
) -> None:
    world = _world(store, tmp_path)
    world.scan(store, world.nl, "NL-P", {"a.jpg": _located_shot(1, 52.37021, 4.89517)})
    # 45 m away, another image, another agency; and one far away that must not link.
    world.scan(store, world.de, "DE-P", {"b.jpg": _located_shot(2, 52.37061, 4.89517)})
    world.scan(store, world.fr, "FR-P", {"c.jpg": _located_shot(3, 48.85661, 2.35222)})
    view = case_links.case_links(store, "DE-P", world.de)
    [link] = view["links"]
    assert link["case"] == "NL-P" and link["counts"] == {"place": 1}
    [evidence] = link["evidence"]
    assert evidence["kind"] == "place" and 40 <= evidence["distance"] <= 50
    assert case_links.case_links(store, "FR-P", world.fr)["links"] == []
