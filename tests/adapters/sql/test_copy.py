"""Insert-or-ignore by COPY (PostgreSQL) stores what ``insert_ignore`` stores, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Table, select

from interlink.adapters.sql.copy import write_ignore
from interlink.adapters.sql.dialect import insert_ignore
from interlink.adapters.sql.schema import media, media_signals, thumbnails
from interlink.adapters.sql.store import SqlStore


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    opened = SqlStore.open(store_url)
    yield opened
    opened.close()


def _media(sha: str) -> dict[str, Any]:
    return {
        "sha256": sha,
        "md5": sha[:32],
        "sha1": sha[:40],
        "size": 7,
        "media_type": "image/jpeg",
        "kind": "image",
        "width": None,
        "height": 3,
        "first_seen": datetime(2026, 12, 7, 8, 0, 1, 5, tzinfo=UTC),
    }


def _signal(sha: str, value: str, variants: list[str] | None) -> dict[str, Any]:
    return {
        "sha256": sha,
        "type": "pdq",
        "value": value,
        "quality": 90,
        "variants": variants,
        "data": None,
    }


def _orb(sha: str, data: bytes) -> dict[str, Any]:
    """An ORB row: its value as bytes (``adapters.sql.signal_data``)."""
    return {
        "sha256": sha,
        "type": "orb",
        "value": "",
        "quality": None,
        "variants": None,
        "data": data,
    }


def _rows(store: SqlStore, table: Table) -> list[tuple[Any, ...]]:
    columns = [c for c in table.c if c.name != "id"]
    with store.engine.connect() as connection:
        return sorted(tuple(r) for r in connection.execute(select(*columns)))


def test_copied_rows_equal_inserted_rows_and_collisions_are_skipped(store: SqlStore) -> None:
    first, second, third = ("a" * 64, "b" * 64, "c" * 64)
    with store.transaction() as tx:
        insert_ignore(tx, media, [_media(first)], "sha256")
        insert_ignore(tx, media_signals, [_signal(first, "1" * 64, ["2" * 64])])
        insert_ignore(tx, thumbnails, [{"sha256": first, "jpeg": b"\x00\xff\\x"}], "sha256")
    by_insert = {t.name: _rows(store, t) for t in (media, media_signals, thumbnails)}
    with store.transaction() as tx:  # the stored row again, two new ones, one twice
        write_ignore(
            tx, media, [_media(first), _media(second), _media(third), _media(third)], "sha256"
        )
        signals = [
            _signal(first, "1" * 64, ["9" * 64]),
            _signal(second, "1" * 64, ["2" * 64]),
            _signal(third, "3" * 64, None),
            _orb(third, bytes(range(256)) * 7),
        ]
        write_ignore(tx, media_signals, signals)
        write_ignore(tx, thumbnails, [{"sha256": second, "jpeg": b"\x00\xff\\x"}], "sha256")
    with store.transaction() as tx:  # a second batch on the same connection
        write_ignore(tx, thumbnails, [{"sha256": third, "jpeg": b"\x01\t\n"}], "sha256")
    media_rows = _rows(store, media)
    assert len(media_rows) == 3 and media_rows[0] == by_insert["media"][0]
    assert [r[3:] for r in media_rows[1:]] == [r[3:] for r in by_insert["media"]] * 2
    signal_rows = _rows(store, media_signals)
    assert signal_rows[0] == by_insert["media_signals"][0]  # the stored row was kept as it was
    assert signal_rows[1][0] == second and signal_rows[1][1:] == by_insert["media_signals"][0][1:]
    assert signal_rows[2] == (third, "orb", "", None, None, bytes(range(256)) * 7)
    assert signal_rows[3] == (third, "pdq", "3" * 64, 90, None, None)
    assert [r[1] for r in _rows(store, thumbnails)] == [b"\x00\xff\\x"] * 2 + [b"\x01\t\n"]
