from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import inspect, text

from interlink.adapters.sql.engine import is_current
from interlink.adapters.sql.schema import metadata
from interlink.adapters.sql.store import SqlStore
from interlink.domain.categories import Category
from interlink.domain.errors import NotFoundError
from interlink.domain.lists import HashList, ListEntry
from interlink.domain.media import Media, MediaKind, Sighting
from interlink.domain.problems import Problem, ProblemKind
from interlink.domain.provenance import SourceRef
from interlink.domain.scan import EntryMatch, ScannedFile
from interlink.domain.signals import Signal
from interlink.media.synthetic import scene
from interlink.signals import orb


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    opened = SqlStore.open(store_url)
    yield opened
    opened.close()


def _media(n: int) -> Media:
    sha = f"{n:064x}"
    return Media(
        sha256=sha,
        md5=f"{n:032x}",
        sha1=f"{n:040x}",
        size=10 + n,
        media_type="image/jpeg",
        kind=MediaKind.IMAGE,
        width=4,
        height=3,
        signals=(
            Signal("md5", f"{n:032x}"),
            Signal("sha256", sha),
            Signal("pdq", f"{n:064x}", 90),
        ),
    )


def test_migrations_build_the_declared_schema(store: SqlStore) -> None:
    assert is_current(store.engine)
    tables = set(inspect(store.engine).get_table_names())
    assert set(metadata.tables) <= tables
    for name, table in metadata.tables.items():
        columns = {c["name"] for c in inspect(store.engine).get_columns(name)}
        assert columns == set(table.columns.keys()), name
    SqlStore.open(str(store.engine.url.render_as_string(hide_password=False))).close()


def test_cases_and_exhibits_are_created_once(store: SqlStore) -> None:
    with store.transaction() as tx:
        case, created = store.cases.ensure_case(tx, "Op Willow")
        again, created_again = store.cases.ensure_case(tx, "Op Willow")
        exhibit, _ = store.cases.ensure_exhibit(tx, case.id, "E1", "/evidence/e1")
        same, made = store.cases.ensure_exhibit(tx, case.id, "E1", "/elsewhere")
    assert created and not created_again and again.id == case.id
    assert same.id == exhibit.id and not made
    assert store.cases.get("Op Willow").id == case.id
    assert [e.name for e in store.cases.exhibits(case.id)] == ["E1"]
    with pytest.raises(NotFoundError):
        store.cases.get("nope")


def test_a_batch_is_recorded_once_and_reads_back(store: SqlStore) -> None:
    with store.transaction() as tx:
        case, _ = store.cases.ensure_case(tx, "C")
        exhibit, _ = store.cases.ensure_exhibit(tx, case.id, "E", "/e")
        scan, resumed = store.media.open_scan(tx, exhibit.id, {"workers": 1})
        list_id = store.lists.create(tx, HashList("known"), fmt="csv", pdq_threshold=31)
        store.lists.add_entries(
            tx, list_id, [ListEntry((Signal("md5", f"{1:032x}"),), Category("uk", "A"), "S1")]
        )
    assert not resumed
    entry_id = next(iter(store.lists.entries(list_id)))[0]
    root = SourceRef("E")
    items = [
        (
            0,
            ScannedFile(
                _media(1),
                Sighting(_media(1).sha256, root.child("folder", "a.jpg"), 11),
                pdq_variants=("ab" * 32,) * 8,
                thumbnail=b"jpeg",
                matches=(EntryMatch(entry_id, list_id, "md5", 0),),
            ),
        ),
        (1, ScannedFile(_media(1), Sighting(_media(1).sha256, root.child("folder", "b.jpg"), 11))),
        (2, ScannedFile(_media(2), Sighting(_media(2).sha256, root.child("folder", "c.jpg"), 12))),
    ]
    lone = [Problem(root.child("folder", "bad"), ProblemKind.UNREADABLE, "denied")]
    for _ in range(2):  # recording the same batch twice changes nothing
        with store.transaction() as tx:
            store.media.record(tx, scan.id, exhibit.id, items, lone)
    with store.engine.connect() as connection:
        assert connection.execute(text("select count(*) from media")).scalar() == 2
        assert connection.execute(text("select count(*) from sightings")).scalar() == 3
        assert connection.execute(text("select count(*) from media_matches")).scalar() == 1
    rows = list(store.media.case_sightings(case.id))
    assert [r.ref.name for r in rows] == ["a.jpg", "b.jpg", "c.jpg"]
    assert rows[0].kind is MediaKind.IMAGE
    assert len(store.media.done_refs(exhibit.id)) == 3
    pdq = store.media.signals_of([_media(1).sha256], "pdq")[_media(1).sha256]
    assert pdq[1] == 90 and len(pdq[2]) == 8
    assert store.media.matches_of([_media(1).sha256])[_media(1).sha256] == [
        (entry_id, list_id, "md5", 0)
    ]
    assert store.media.thumbnail(_media(1).sha256) == b"jpeg"
    assert store.media.thumbnail(_media(2).sha256) is None
    [problem] = store.media.case_problems(case.id)
    assert problem.problem.kind is ProblemKind.UNREADABLE and not problem.ingested
    with store.transaction() as tx:
        store.media.finish_scan(tx, scan.id, {"files": 3})
        again, resumed = store.media.open_scan(tx, exhibit.id, {})
    assert not resumed and again.id != scan.id
    assert store.media.scans_of(exhibit.id)[0].status == "completed"


def test_lists_round_trip_entries_and_info(store: SqlStore) -> None:
    entries = [
        ListEntry(
            (Signal("md5", f"{i:032x}"), Signal("pdq", f"{i:064x}", 80)),
            Category("projectvic-us", "1") if i % 2 else None,
            series=f"S{i % 3}",
            victim_identified=bool(i % 2),
            external_id=str(i),
            extra=(("note", "x"),),
        )
        for i in range(2500)
    ]
    with store.transaction() as tx:
        list_id = store.lists.create(
            tx, HashList("L", source="file.csv"), fmt="csv", pdq_threshold=20
        )
        assert store.lists.add_entries(tx, list_id, entries) == 2500
    stored = store.lists.get("L")
    assert (stored.entries, stored.pdq_threshold, stored.list.source) == (2500, 20, "file.csv")
    read = [entry for _, entry in store.lists.entries(list_id)]
    assert read == entries
    signals = list(store.lists.signals([list_id]))
    assert len(signals) == 5000
    ids = [ident for ident, _ in store.lists.entries(list_id)][:3]
    info = store.lists.info(ids)
    assert info[ids[1]].category == Category("projectvic-us", "1")
    assert info[ids[1]].list_name == "L"
    with store.transaction() as tx:
        assert store.lists.clear(tx, list_id) == 2500
    assert store.lists.get("L").entries == 0
    with pytest.raises(NotFoundError):
        store.lists.get("missing")


def test_audit_chain_detects_tampering(store: SqlStore) -> None:
    for i in range(5):
        with store.transaction() as tx:
            store.audit.append(
                tx,
                actor="examiner",
                action="scan",
                object_type="case",
                object_id=str(uuid.UUID(int=i)),
                after={"files": i, "tuple": (1, 2)},
            )
    check = store.audit.verify()
    assert check.ok and check.records == 5
    records = store.audit.records()
    assert [r.after["files"] for r in records] == [0, 1, 2, 3, 4]
    with store.transaction() as tx:
        tx.execute(
            text("update audit_log set actor = 'someone else' where id = :i"), {"i": records[2].id}
        )
    check = store.audit.verify()
    assert not check.ok and check.first_bad_id == records[2].id
    with store.transaction() as tx:
        tx.execute(
            text("update audit_log set actor = 'examiner' where id = :i"), {"i": records[2].id}
        )
        tx.execute(text("delete from audit_log where id = :i"), {"i": records[4].id})
    check = store.audit.verify()
    assert not check.ok and "missing" in check.reason


def test_orb_signals_round_trip_with_media_and_list_entries(store: SqlStore) -> None:
    """The ORB value (2,313 characters, the largest value) keeps every character."""
    features = orb.extract(np.asarray(Image.fromarray(scene(360, 480, 1)).convert("L")))
    value = orb.dumps(features)
    assert len(features) == orb.MAX_FEATURES and len(value) == 2313
    media = replace(_media(7), signals=(*_media(7).signals, Signal(orb.NAME, value)))
    with store.transaction() as tx:
        case, _ = store.cases.ensure_case(tx, "C")
        exhibit, _ = store.cases.ensure_exhibit(tx, case.id, "E", "/e")
        scan, _ = store.media.open_scan(tx, exhibit.id, {})
        sighting = Sighting(media.sha256, SourceRef("E").child("folder", "a.jpg"), 17)
        store.media.record(tx, scan.id, exhibit.id, [(0, ScannedFile(media, sighting))], [])
        list_id = store.lists.create(tx, HashList("known"), fmt="files", pdq_threshold=31)
        entry_signals = (Signal("md5", "cd" * 16), Signal(orb.NAME, value))
        store.lists.add_entries(tx, list_id, [ListEntry(entry_signals)])
    assert store.media.signals_of([media.sha256], orb.NAME)[media.sha256] == (value, None, ())
    [(_, entry)] = list(store.lists.entries(list_id))
    assert entry.signals == entry_signals
    [signal] = [s for s in store.lists.signals([list_id]) if s.type == orb.NAME]
    assert orb.loads(signal.value).descriptors.tobytes() == features.descriptors.tobytes()
    with store.engine.connect() as connection:  # kept as 1,680 bytes (migration 0023)
        for table in ("media_signals", "entry_signals"):
            query = f"SELECT value, data FROM {table} WHERE type = 'orb'"
            [(text_value, data)] = connection.execute(text(query)).all()
            assert text_value == "" and len(data) == 1680


def test_an_orb_value_is_kept_once_a_media_and_in_no_value_index(store: SqlStore) -> None:
    """An ORB value (~2.3 KB) in the (type, value) indexes cost 12.2 KB an image on SQLite
    (overflow pages): it is in none (migration 0022), and a media keeps its first one."""
    first, second = "A" * 2313, "B" * 2313
    with store.transaction() as tx:
        case, _ = store.cases.ensure_case(tx, "C")
        exhibit, _ = store.cases.ensure_exhibit(tx, case.id, "E", "/e")
        for n, value in enumerate((first, second, first)):
            media = replace(_media(7), signals=(*_media(7).signals, Signal(orb.NAME, value)))
            scan, _ = store.media.open_scan(tx, exhibit.id, {"n": n})
            sighting = Sighting(media.sha256, SourceRef("E").child("folder", f"{n}.jpg"), 17)
            store.media.record(tx, scan.id, exhibit.id, [(0, ScannedFile(media, sighting))], [])
    assert store.media.signals_of([_media(7).sha256], orb.NAME)[_media(7).sha256][0] == first
    assert store.media.signals_of([_media(7).sha256], "pdq")[_media(7).sha256][0] == f"{7:064x}"
    indexes = {i["name"]: i for i in inspect(store.engine).get_indexes("media_signals")}
    indexes.update({i["name"]: i for i in inspect(store.engine).get_indexes("entry_signals")})

    def where(name: str) -> str:  # PostgreSQL gives ``((type)::text <> 'orb'::text)``
        found = indexes[name]["dialect_options"][f"{store.engine.dialect.name}_where"]
        return re.sub(r"[()]|::text", "", str(found))

    for name in ("ix_media_signals_type_value", "uq_media_signals_sha256"):
        assert where(name) == "type <> 'orb'"
    assert where("ix_entry_signals_type_value") == "type <> 'orb'"
    assert where("uq_media_signals_orb") == "type = 'orb'"
    with store.engine.connect() as connection:
        count = "SELECT count(*) FROM media_signals WHERE sha256 = :s"
        assert connection.execute(text(count), {"s": _media(7).sha256}).scalar() == 4
