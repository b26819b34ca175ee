"""Migration 0023: ORB values of media and list entries from text to bytes, and back."""

from __future__ import annotations

from sqlalchemy import inspect, text

from interlink.adapters.sql.store import SqlStore
from interlink.domain.lists import HashList, ListEntry
from interlink.domain.media import Media, MediaKind, Sighting
from interlink.domain.provenance import SourceRef
from interlink.domain.scan import ScannedFile
from interlink.domain.signals import Signal
from interlink.signals import orb
from tests.adapters.sql.alembic_steps import migrate
from tests.signals.orb_helpers import random_value


def _media(n: int, value: str) -> Media:
    sha = f"{n:064x}"
    signals = (Signal("md5", f"{n:032x}"), Signal(orb.NAME, value))
    return Media(sha, f"{n:032x}", f"{n:040x}", 10, "image/jpeg", MediaKind.IMAGE, 4, 3, signals)


def _orb_rows(store: SqlStore, table: str) -> list[tuple[object, ...]]:
    columns = {c["name"] for c in inspect(store.engine).get_columns(table)}
    data = "data" if "data" in columns else "NULL"
    query = f"SELECT value, {data} FROM {table} WHERE type = 'orb' ORDER BY id"
    with store.engine.connect() as connection:
        return [
            (value, None if blob is None else len(blob))
            for value, blob in connection.execute(text(query))
        ]


def test_orb_values_go_to_bytes_and_back_to_text(store_url: str) -> None:
    packable, other = random_value(1), random_value(2)
    beyond = orb.loads(random_value(3))
    beyond.points[0] = (600.0, 10.0)  # 4,800 eighths: no 12-bit form, kept as text
    unpackable = orb.dumps(beyond)
    store = SqlStore.open(store_url)
    try:
        with store.transaction() as tx:
            case, _ = store.cases.ensure_case(tx, "C")
            exhibit, _ = store.cases.ensure_exhibit(tx, case.id, "E", "/e")
            scan, _ = store.media.open_scan(tx, exhibit.id, {})
            files = [
                (n, ScannedFile(m, Sighting(m.sha256, SourceRef("E").child("folder", f"{n}"), 1)))
                for n, m in enumerate((_media(1, packable), _media(2, unpackable)))
            ]
            store.media.record(tx, scan.id, exhibit.id, files, [])
            list_id = store.lists.create(tx, HashList("known"), fmt="files", pdq_threshold=31)
            entry = ListEntry((Signal("md5", "cd" * 16), Signal(orb.NAME, other)))
            store.lists.add_entries(tx, list_id, [entry])
        stored = {"media_signals": [("", 1680), (unpackable, None)], "entry_signals": [("", 1680)]}
        as_text = {
            "media_signals": [(packable, None), (unpackable, None)],
            "entry_signals": [(other, None)],
        }
        for table in stored:
            assert _orb_rows(store, table) == stored[table]
        migrate(store, "0022", down=True)
        for table in stored:
            assert _orb_rows(store, table) == as_text[table]
            assert "data" not in {c["name"] for c in inspect(store.engine).get_columns(table)}
        migrate(store, "0023", down=False)
        for table in stored:
            assert _orb_rows(store, table) == stored[table]
        found = store.media.signals_of([f"{1:064x}", f"{2:064x}"], orb.NAME)
        assert [v for v, _, _ in found.values()] == [packable, unpackable]
        [(_, first)] = list(store.lists.entries(list_id))
        assert first == entry
    finally:
        store.close()
