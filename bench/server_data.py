"""The server benchmark's database: ``n`` random PDQ codes in a list ``known`` (category uk:A),
an agency ``bench`` with an investigator ``loader`` and a case, in a PostgreSQL database of
its own that later runs reuse.

Filling it goes through the services for everything small (the agency, the user, the case, the
list and its first 1,000 entries, imported from a CSV file like any list), then copies the rest
in bulk: the codes are streamed into a staging table with ``COPY``, and ``INSERT ... SELECT``
writes the entries and their signals exactly as the import wrote the first 1,000 (the same
entry key, content digest, generation and agency), with the tables' secondary indexes dropped
and foreign-key triggers off for the session, then rebuilt. 10^7 codes take a few minutes
instead of the hours an import through the services would.

A database is reused when its marker row (``bench_server_prepared``) names the same count,
seed and layout version; anything else (a half-filled database) is dropped and filled again.
The codes are a function of the seed, so the clients draw from the same stored codes.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy

from interlink.adapters.sql.store import SqlStore
from interlink.domain.lists import ListEntry, content_hash, entry_key
from interlink.domain.principal import Principal, Role
from interlink.domain.signals import Signal
from interlink.services import accounts, authentication, casefile
from interlink.services.cases import acting_agency
from interlink.services.lists import import_list

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/"
LAYOUT = 1
FIRST = 1000
_PLACE = "{CODE}"


def codes(count: int, seed: int) -> np.ndarray[Any, np.dtype[np.uint8]]:
    """The ``count`` stored codes (rows of 32 bytes) for ``seed``."""
    return np.random.default_rng(seed).integers(0, 256, size=(count, 32), dtype=np.uint8)


def hex_rows(rows: np.ndarray[Any, np.dtype[np.uint8]]) -> list[str]:
    """Rows of 32 bytes as 64-character hex codes."""
    text = rows.tobytes().hex()
    return [text[i : i + 64] for i in range(0, len(text), 64)]


def _admin() -> sqlalchemy.Engine:
    return sqlalchemy.create_engine(SERVER + "postgres", isolation_level="AUTOCOMMIT")


def _exists(name: str) -> bool:
    engine = _admin()
    try:
        with engine.connect() as connection:
            found = connection.execute(
                sqlalchemy.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).first()
        return found is not None
    finally:
        engine.dispose()


def _recreate(name: str) -> None:
    engine = _admin()
    try:
        with engine.connect() as connection:
            connection.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()


def _marker(url: str) -> tuple[int, int, int] | None:
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                sqlalchemy.text("SELECT codes, seed, layout FROM bench_server_prepared")
            ).first()
        return None if row is None else (int(row[0]), int(row[1]), int(row[2]))
    except sqlalchemy.exc.DBAPIError:
        return None
    finally:
        engine.dispose()


def prepared(name: str, count: int, seed: int) -> tuple[str, dict[str, Any]]:
    """The URL of the database ``name`` holding ``count`` codes of ``seed`` (filled now if it
    does not hold them yet), and what filling it took (``{"reused": True}`` if nothing)."""
    url = SERVER + name
    if _exists(name) and _marker(url) == (count, seed, LAYOUT):
        return url, {"reused": True}
    started = time.perf_counter()
    _recreate(name)
    fill(url, count, seed)
    return url, {"reused": False, "fill_seconds": round(time.perf_counter() - started, 1)}


def fill(url: str, count: int, seed: int) -> None:
    """Fill an empty database; see the module docstring."""
    rows = codes(count, seed)
    store = SqlStore.open(url)
    try:
        agency = acting_agency(store, "bench", actor="bench")
        root = Principal.local(agency.id, agency.name, "bench")
        accounts.add_user(
            store,
            root,
            "loader",
            agency="bench",
            roles=frozenset({Role.INVESTIGATOR}),
            password=None,
        )
        casefile.open_case(store, root, "BENCH-1")
        first = hex_rows(rows[: min(FIRST, count)])
        with tempfile.TemporaryDirectory() as folder:
            listing = Path(folder) / "known.csv"
            listing.write_text("pdq,category\n" + "".join(f"{c},uk:A\n" for c in first))
            import_list(store, listing, name="known", actor="bench")
        if count > FIRST:
            _bulk(store, rows[FIRST:])
        with store.transaction() as tx:
            tx.execute(
                sqlalchemy.text(
                    "CREATE TABLE bench_server_prepared (codes bigint, seed bigint, layout int)"
                )
            )
            tx.execute(
                sqlalchemy.text("INSERT INTO bench_server_prepared VALUES (:c, :s, :l)"),
                {"c": count, "s": seed, "l": LAYOUT},
            )
    finally:
        store.close()


def tokens(url: str, count: int) -> list[str]:
    """``count`` new API tokens of the benchmark's investigator (a day long): one per client,
    as each script or person has its own (the server limits requests per token). A prepared
    database kept from an older checkout is first brought to this one's schema."""
    store = SqlStore.open(url)
    try:
        agency = store.cases.agency("bench")
        root = Principal.local(agency.id, agency.name, "bench")
        made = []
        for number in range(count):
            _, secret = authentication.create_token(
                store, root, user="loader", label=f"bench client {number}", days=1
            )
            made.append(secret)
        return made
    finally:
        store.close()


def _templates(store: SqlStore) -> dict[str, Any]:
    """How the import wrote an entry, with the code as ``{CODE}``: its key, its content
    digest's input, and the columns every entry of the list shares."""
    probe = "0" * 64
    entry = ListEntry(signals=(Signal("pdq", probe),))
    with store.engine.connect() as connection:
        row = (
            connection.execute(
                sqlalchemy.text(
                    "SELECT e.*, s.quality FROM list_entries e JOIN entry_signals s "
                    "ON s.entry_id = e.id ORDER BY e.id LIMIT 1"
                )
            )
            .mappings()
            .one()
        )
    return {"row": dict(row), "key": (entry_key(entry) or "").replace(probe, _PLACE)}


def _bulk(store: SqlStore, rows: np.ndarray[Any, np.dtype[np.uint8]]) -> None:
    shape = _templates(store)
    row = shape["row"]
    with store.engine.connect() as connection:
        sample_code = connection.execute(
            sqlalchemy.text("SELECT value FROM entry_signals WHERE entry_id = :e"), {"e": row["id"]}
        ).scalar_one()
    # The content digest's input, with the code left to fill in: checked against the import's.
    body = _digest_body(sample_code, row)
    raw = store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("CREATE UNLOGGED TABLE bench_codes (n bigint, code text)")
        with cursor.copy("COPY bench_codes (n, code) FROM STDIN") as copy:
            step = 200_000
            for start in range(0, len(rows), step):
                chunk = hex_rows(rows[start : start + step])
                copy.write("".join(f"{start + i}\t{c}\n" for i, c in enumerate(chunk)))
        indexes = _drop_indexes(cursor)
        entry_base = _next_id(cursor, "list_entries")
        signal_base = _next_id(cursor, "entry_signals")
        cursor.execute(
            "INSERT INTO list_entries (id, list_id, external_id, category_scheme, category_code,"
            " series, victim_identified, offender_identified, distributed, media_kind, extra,"
            " entry_key, content_hash, seen_in, agency)"
            " SELECT %(base)s + n, %(list_id)s, NULL, %(scheme)s, %(code)s, NULL, NULL, NULL,"
            " NULL, %(kind)s, %(extra)s::json, replace(%(key)s, '{CODE}', code),"
            " encode(sha256(convert_to(replace(%(body)s, '{CODE}', code), 'UTF8')), 'hex'),"
            " %(seen)s, %(agency)s FROM bench_codes",
            {
                "base": entry_base,
                "list_id": row["list_id"],
                "scheme": row["category_scheme"],
                "code": row["category_code"],
                "kind": row["media_kind"],
                "extra": None if row["extra"] is None else _json(row["extra"]),
                "key": shape["key"],
                "body": body,
                "seen": row["seen_in"],
                "agency": row["agency"],
            },
        )
        cursor.execute(
            "INSERT INTO entry_signals (id, entry_id, list_id, type, value, quality)"
            " SELECT %(sbase)s + n, %(ebase)s + n, %(list_id)s, 'pdq', code, %(quality)s"
            " FROM bench_codes",
            {
                "sbase": signal_base,
                "ebase": entry_base,
                "list_id": row["list_id"],
                "quality": row["quality"],
            },
        )
        cursor.execute(
            "UPDATE hash_lists SET entry_count = entry_count + %(n)s WHERE id = %(list_id)s",
            {"n": len(rows), "list_id": row["list_id"]},
        )
        for statement in indexes:
            cursor.execute(statement)
        cursor.execute("DROP TABLE bench_codes")
        for table in ("list_entries", "entry_signals"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT max(id) FROM {table}))"
            )
        cursor.execute("SET session_replication_role = DEFAULT")
        raw.commit()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


def _next_id(cursor: Any, table: str) -> int:
    cursor.execute(f"SELECT max(id) FROM {table}")
    found = cursor.fetchone()
    if found is None or found[0] is None:
        raise RuntimeError(f"{table} is empty: the import of the first entries failed")
    return int(found[0]) + 1


def _json(value: Any) -> str:
    import json

    return json.dumps(value)


def _digest_body(sample_code: str, row: dict[str, Any]) -> str:
    """The text ``content_hash`` digests for an entry of the list, with ``{CODE}`` for its
    code; checked to give the digest the import stored for the first entry."""
    import hashlib
    import json

    from interlink.domain.categories import Category

    category = None
    if row["category_scheme"] is not None:
        category = Category(row["category_scheme"], row["category_code"])
    entry = ListEntry(
        signals=(Signal("pdq", sample_code, row["quality"]),),
        category=category,
        media_kind=row["media_kind"],
        extra=tuple(sorted((row["extra"] or {}).items())),
    )
    text = json.dumps(
        {
            "signals": sorted([s.type, s.value, s.quality] for s in entry.signals),
            "category": entry.category.display() if entry.category else None,
            "series": entry.series,
            "flags": [entry.victim_identified, entry.offender_identified, entry.distributed],
            "media_kind": entry.media_kind,
            "extra": sorted(entry.extra),
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if digest != row["content_hash"] or content_hash(entry) != digest:
        raise RuntimeError("the entries' content digest changed: update bench/server_data.py")
    return text.replace(sample_code, _PLACE)


def _drop_indexes(cursor: Any) -> list[str]:
    """Drop the secondary indexes of the two big tables; the statements that rebuild them."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN"
        " ('list_entries', 'entry_signals') AND indexname NOT LIKE 'pk\_%%'"
    )
    found = cursor.fetchall()
    for name, _ in found:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in found]


def sample(count: int, seed: int, size: int) -> list[str]:
    """``size`` of the stored codes, drawn at random (fixed by ``seed``)."""
    rows = codes(count, seed)
    picks = np.random.default_rng(seed + 1).integers(0, count, size=min(size, count))
    return hex_rows(rows[picks])


__all__ = ["codes", "prepared", "sample", "tokens"]
