"""The known-material registry: versioned imports, tombstones, votes, conflicts, re-matching,
adding files, exports and diffs."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from interlink.adapters.sql.store import SqlStore
from interlink.demo.images import TRANSFORMS, encode, scene
from interlink.domain.categories import Category
from interlink.domain.errors import InvalidFieldError, NotFoundError, NothingReadError
from interlink.media.analyse import AnalysisOptions
from interlink.services import list_compare
from interlink.services import lists as service
from interlink.services.reports import case_report
from interlink.services.scan import ScanOptions, scan_exhibit
from interlink.signals import orb
from interlink.triage.known import KnownMatcher
from tests.formats.test_ncmec import document, entry_xml


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    opened = SqlStore.open(store_url)
    yield opened
    opened.close()


def md5(n: int) -> str:
    return hashlib.md5(str(n).encode(), usedforsecurity=False).hexdigest()


def write_csv(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    path.write_text("id,md5,category\n" + "".join(f"{i},{h},{c}\n" for i, h, c in rows))
    return path


def test_a_new_version_adds_changes_and_deletes_idempotently(
    store: SqlStore, tmp_path: Path
) -> None:
    v1 = write_csv(
        tmp_path / "v1.csv", [("1", md5(1), "uk:A"), ("2", md5(2), "uk:B"), ("3", md5(3), "uk:C")]
    )
    first = service.import_list(store, v1, name="L")
    assert (first.added, first.changed, first.deleted, first.mode) == (3, 0, 0, "full")
    ids_before = {e.external_id: i for i, e in store.lists.entries(store.lists.get("L").id)}
    v2 = write_csv(
        tmp_path / "v2.csv", [("1", md5(1), "uk:A"), ("2", md5(2), "uk:A"), ("4", md5(4), "uk:C")]
    )
    second = service.import_list(store, v2, name="L", version="2")
    assert (second.added, second.changed, second.unchanged, second.deleted) == (1, 1, 1, 1)
    entries = {e.external_id: (i, e) for i, e in store.lists.entries(store.lists.get("L").id)}
    assert set(entries) == {"1", "2", "4"}
    assert entries["2"][1].category == Category("uk", "A")
    assert entries["1"][0] == ids_before["1"] and entries["2"][0] == ids_before["2"]
    again = service.import_list(store, v2, name="L")
    assert (again.added, again.changed, again.unchanged, again.deleted) == (0, 0, 3, 0)
    assert store.lists.get("L").list.version == ""
    delta = write_csv(tmp_path / "d.csv", [("5", md5(5), "uk:B")])
    added = service.import_list(store, delta, name="L", mode="delta")
    assert (added.added, added.deleted) == (1, 0) and store.lists.get("L").entries == 4
    actions = [r.after["mode"] for r in store.audit.records() if r.action == "list.import"]
    assert actions == ["full", "full", "full", "delta"]


def test_tombstones_withdraw_and_a_truncated_file_deletes_nothing(
    store: SqlStore, tmp_path: Path
) -> None:
    entries = "".join(entry_xml("image", "7", f"e{i}", {"md5": md5(i)}, "A1") for i in range(3))
    (tmp_path / "n1.xml").write_bytes(document(entries))
    assert service.import_list(store, tmp_path / "n1.xml", name="N").added == 3
    tomb = '<deletedImage><member id="7">M</member><id>e1</id></deletedImage>'
    (tmp_path / "n2.xml").write_bytes(document(tomb))
    result = service.import_list(store, tmp_path / "n2.xml", name="N")
    assert (result.format, result.mode, result.deleted) == ("ncmec", "delta", 1)
    assert store.lists.get("N").entries == 2
    two = "".join(entry_xml("image", "7", f"e{i}", {"md5": md5(i)}, "A2") for i in (8, 9))
    (tmp_path / "n3.xml").write_bytes(document(two)[:-40])
    cut = service.import_list(store, tmp_path / "n3.xml", name="N", mode="full")
    assert cut.truncated and cut.deleted == 0 and cut.entries == 1
    assert store.lists.get("N").entries == 3
    # A file cut before its first entry carries nothing: an error, and the list is untouched.
    (tmp_path / "n4.xml").write_bytes(document(two)[:60])
    with pytest.raises(NothingReadError, match="nothing was changed"):
        service.import_list(store, tmp_path / "n4.xml", name="N", fmt="ncmec", mode="full")
    assert store.lists.get("N").entries == 3


def test_a_bare_category_code_keeps_every_entry_and_the_scheme_can_be_given(
    store: SqlStore, tmp_path: Path
) -> None:
    """Issue 12: a CSV of bare category codes imported as 0 entries and N bad records."""
    path = tmp_path / "bare.csv"
    path.write_text("md5,category\n" + "".join(f"{md5(n)},1\n" for n in range(5)))
    result = service.import_list(store, path, name="L")
    assert (result.added, result.error_count, result.warning_count) == (5, 0, 5)
    assert [(w.position, w.field) for w in result.warnings[:2]] == [
        ("line 2", "category"),
        ("line 3", "category"),
    ]
    stored = [entry for _, entry in store.lists.entries(store.lists.get("L").id)]
    assert {(e.category, dict(e.extra).get("csv.category")) for e in stored} == {(None, "1")}
    [audit] = [r for r in store.audit.records() if r.action == "list.import"]
    assert audit.after is not None and audit.after["warnings"] == 5
    # Said what the codes mean, the next import gives every entry its category.
    again = service.import_list(store, path, name="L", category_scheme="ProjectVIC-US")
    assert (again.changed, again.warning_count) == (5, 0)
    stored = [entry for _, entry in store.lists.entries(store.lists.get("L").id)]
    assert {e.category for e in stored} == {Category("projectvic-us", "1")}
    with pytest.raises(InvalidFieldError, match="category scheme"):
        service.import_list(store, path, name="L", category_scheme="cat-a")


def test_a_file_whose_every_record_fails_changes_nothing(store: SqlStore, tmp_path: Path) -> None:
    good = write_csv(tmp_path / "good.csv", [("1", md5(1), "uk:A"), ("2", md5(2), "uk:B")])
    service.import_list(store, good, name="L")
    bad = tmp_path / "bad.csv"
    bad.write_text("md5,category\nnot-a-hash,uk:A\nzz,uk:B\n")
    with pytest.raises(NothingReadError) as raised:
        service.import_list(store, bad, name="L", mode="full")
    assert raised.value.count == 2 and "line 2" in str(raised.value)
    assert store.lists.get("L").entries == 2
    with pytest.raises(NothingReadError):
        service.import_list(store, bad, name="new")
    with pytest.raises(NotFoundError):
        store.lists.get("new")


def test_votes_grade_trusted_entries_and_conflicts_are_kept(
    store: SqlStore, tmp_path: Path
) -> None:
    for agency in ("UK", "NL", "DE"):
        path = tmp_path / f"{agency}.csv"
        path.write_text(f"md5,category\n{md5(1)},uk:A\n{md5(2)},uk:B\n")
        service.import_list(store, path, name=agency)
    (tmp_path / "FR.csv").write_text(f"md5,category\n{md5(1)},uk:C\n")
    service.import_list(store, tmp_path / "FR.csv", name="FR")
    uk = store.lists.get("UK")
    assert store.list_views.stats(uk.id, 3).trusted == 2
    assert store.list_views.stats(uk.id, 4).trusted == 0
    [conflict] = list(store.list_views.conflicts())
    assert conflict.value == md5(1)
    votes = {v.category.code: v.agencies for v in conflict.votes}
    assert votes == {"A": ("DE", "NL", "UK"), "C": ("FR",)}
    service.set_enabled(store, "FR", False)
    assert list(store.list_views.conflicts()) == []


def test_a_list_imported_after_a_scan_marks_stored_media_known(
    store: SqlStore, tmp_path: Path
) -> None:
    exhibit = tmp_path / "ex"
    exhibit.mkdir()
    data = encode(scene(3), "JPEG")
    (exhibit / "a.jpg").write_bytes(data)
    scan_exhibit(store, exhibit, case="C", options=ScanOptions(workers=0))
    assert case_report(store, "C")["summary"]["known"] == 0
    (tmp_path / "l.csv").write_text(f"sha256\n{hashlib.sha256(data).hexdigest()}\n")
    result = service.import_list(store, tmp_path / "l.csv", name="late")
    assert result.rematched == 1
    assert case_report(store, "C")["summary"]["known"] == 1


def test_a_list_imported_into_a_store_without_media_builds_no_index(
    store: SqlStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With nothing stored to match, the import does not build the list's matcher (its PDQ
    index: seconds for 100,000 codes); once media are stored, it does and finds them."""
    built: list[int] = []
    of = KnownMatcher.of

    def counted(*args: Any, **kwargs: Any) -> Any:
        built.append(1)
        return of(*args, **kwargs)

    monkeypatch.setattr(KnownMatcher, "of", counted)
    data = encode(scene(4), "JPEG")
    (tmp_path / "l.csv").write_text(f"sha256\n{hashlib.sha256(data).hexdigest()}\n")
    assert service.import_list(store, tmp_path / "l.csv", name="early").rematched == 0
    assert built == []
    exhibit = tmp_path / "ex"
    exhibit.mkdir()
    (exhibit / "a.jpg").write_bytes(data)
    scan_exhibit(store, exhibit, case="C", options=ScanOptions(workers=0))
    built.clear()  # the scan matched against the lists too
    assert service.import_list(store, tmp_path / "l.csv", name="late").rematched == 1
    assert built == [1]


def test_known_files_are_hashed_into_a_list_and_match_edited_copies(
    store: SqlStore, tmp_path: Path
) -> None:
    known = tmp_path / "known"
    known.mkdir()
    (known / "k.png").write_bytes(encode(scene(21), "PNG"))
    (known / "notes.txt").write_text("not media")
    added = service.add_files(
        store, "files", [known], category=Category("industry", "A2"), series="S"
    )
    assert added.added == 1
    [(_, entry)] = list(store.lists.entries(store.lists.get("files").id))
    assert {s.type for s in entry.signals} == {"md5", "sha1", "sha256", "pdq", "orb"}
    exhibit = tmp_path / "ex"
    exhibit.mkdir()
    (exhibit / "mirrored.jpg").write_bytes(encode(TRANSFORMS["mirror"](scene(21)), "JPEG"))
    scan_exhibit(store, exhibit, case="C", options=ScanOptions(workers=0))
    [record] = case_report(store, "C")["files"]
    assert record["status"] == "known" and record["matches"][0]["series"] == "S"


def test_a_cropped_turned_copy_is_known_by_orb_unless_the_node_turns_it_off(
    store: SqlStore, tmp_path: Path
) -> None:
    known = tmp_path / "known"
    known.mkdir()
    (known / "k.png").write_bytes(encode(scene(23), "PNG"))
    service.add_files(store, "files", [known], series="S")
    exhibit = tmp_path / "ex"
    exhibit.mkdir()
    edited = scene(23).crop((50, 30, 600, 450)).rotate(12, resample=Image.Resampling.BICUBIC)
    (exhibit / "edited.jpg").write_bytes(encode(edited, "JPEG"))
    scan_exhibit(store, exhibit, case="C", options=ScanOptions(workers=0))
    [record] = case_report(store, "C")["files"]
    [match] = record["matches"]
    assert record["status"] == "known" and match["signal"] == "orb" and match["series"] == "S"
    assert match["score"] >= orb.MIN_INLIERS and match["distance"] == 48 - match["score"]
    other = tmp_path / "other"  # new bytes: matches are kept per media content
    other.mkdir()
    (other / "edited.jpg").write_bytes(encode(edited, "JPEG", quality=80))
    off = ScanOptions(workers=0, analysis=AnalysisOptions(robust=False))
    scan_exhibit(store, other, case="D", options=off)
    [record] = case_report(store, "D")["files"]
    assert record["status"] == "new" and record["matches"] == []


@pytest.mark.parametrize("fmt", ["csv", "icse", "vics", "hma"])
def test_export_then_import_gives_the_same_list(store: SqlStore, tmp_path: Path, fmt: str) -> None:
    rows = [(str(i), md5(i), "projectvic-us:1") for i in range(5)]
    service.import_list(store, write_csv(tmp_path / "src.csv", rows), name="src")
    out = tmp_path / f"out.{fmt}"
    report = service.export_list(store, "src", fmt, out)
    assert report.written >= 5
    service.import_list(store, out, name="back", fmt=fmt)
    diff = list_compare.diff_lists(store, "src", "back")
    assert diff.only_a == diff.only_b == 0
    if fmt in ("icse", "hma"):  # no column for a Project VIC category: the writer says so
        assert report.dropped >= 5
    else:
        assert diff.different == 0 and diff.same == 5


def test_the_report_grades_each_match_by_its_agreeing_agencies(
    store: SqlStore, tmp_path: Path
) -> None:
    exhibit = tmp_path / "ex"
    exhibit.mkdir()
    data = encode(scene(4), "JPEG")
    (exhibit / "a.jpg").write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    for agency, code in (("UK", "A"), ("NL", "A"), ("FR", "B")):
        (tmp_path / f"{agency}.csv").write_text(f"sha256,category\n{digest},uk:{code}\n")
        service.import_list(store, tmp_path / f"{agency}.csv", name=agency)
    scan_exhibit(store, exhibit, case="C", options=ScanOptions(workers=0))
    [record] = case_report(store, "C", trusted_votes=2)["files"]
    assert record["category_votes"] == [
        {"category": "uk:A", "agencies": 2, "trusted": True},
        {"category": "uk:B", "agencies": 1, "trusted": False},
    ]
    assert record["category_conflict"] is True


def test_a_vpdq_file_is_a_list_of_one_known_video(store: SqlStore, tmp_path: Path) -> None:
    from interlink.demo.videos import make_video
    from interlink.formats.vpdq import write_vpdq
    from interlink.media.video import analyse_video

    known = make_video(tmp_path / "known.mp4", seconds=5, seed=8)
    (tmp_path / "known.vpdq").write_bytes(write_vpdq(analyse_video(known).frames))
    result = service.import_list(store, tmp_path / "known.vpdq", name="videos")
    assert (result.format, result.added) == ("vpdq", 1)
    exhibit = tmp_path / "ex"
    exhibit.mkdir()
    make_video(exhibit / "copy.mp4", seconds=5, seed=8, size=(240, 136))
    scan_exhibit(store, exhibit, case="C", options=ScanOptions(workers=0))
    [record] = case_report(store, "C")["files"]
    assert record["status"] == "known" and record["matches"][0]["signal"] == "vpdq"
    (tmp_path / "bad.vpdq").write_text("0,100,zz,0.0\n")
    with pytest.raises(NothingReadError, match="no frame could be read"):
        service.import_list(store, tmp_path / "bad.vpdq", name="bad", fmt="vpdq")


def test_a_list_of_votes_cannot_be_imported_or_added_to(store: SqlStore, tmp_path: Path) -> None:
    """``grades-<agency>`` holds an agency's votes: a file imported under that name would
    replace them in full (or forge another agency's), so only grading writes it."""
    votes = write_csv(tmp_path / "grades-bka.csv", [("1", md5(1), "uk:A")])
    with pytest.raises(InvalidFieldError, match="grading votes"):
        service.import_list(store, votes)
    with pytest.raises(InvalidFieldError, match="grading votes"):
        service.import_list(store, votes, name="grades-nca")
    photo = tmp_path / "photo.png"
    Image.new("RGB", (64, 64), (90, 120, 30)).save(photo)
    with pytest.raises(InvalidFieldError, match="grading votes"):
        service.add_files(store, "grades-bka", [photo])
    assert not [s for s in store.lists.all() if s.list.name.startswith("grades-")]


@pytest.mark.parametrize("name", ["conflicts", "Votes"])
def test_a_list_cannot_take_the_name_of_a_view_of_all_lists(
    store: SqlStore, tmp_path: Path, name: str
) -> None:
    with pytest.raises(InvalidFieldError, match="view of all lists"):
        service.import_list(
            store, write_csv(tmp_path / "l.csv", [("1", md5(1), "uk:A")]), name=name
        )
