"""The store at national scale: PostgreSQL filled step by step to 10^7 media, measured at each
step, projected to 10^8 and 10^9.

One fresh database (``--prefix`` + pid, dropped at the end unless ``--keep``) is filled to each
of ``--steps`` media in turn, by the store's own write path (``adapters.sql.copy.write_ignore``:
COPY into a staging table, then ``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` into the
indexed tables). Each media brings the rows a scan writes for it: one ``media`` row, one
``sightings`` row, and four ``media_signals`` rows (MD5, SHA-1, SHA-256, and a PDQ with its
eight dihedral variants); one exhibit (and case) per ``--per-exhibit`` media. ORB descriptors and
thumbnails (about 2.3 KB and 5 KB an image, TOASTed, keyed by SHA-256 only) are left out: their
bytes per media are added from ``--extra-bytes`` in the projection.

At each step:

- ``insert_s_per_1e6``: seconds per 10^6 media of this step's fill; anchor ``copy_s_per_1e6``:
  a plain COPY of the same rows of the last chunk into unindexed tables, in the same run;
- ``bytes_per_media``: table + index bytes of the three tables over media rows;
- latency (median ms over ``--repeat`` random keys, warm): ``case_report`` (every sighting of
  one case with its media, ``MediaRepository.case_sightings``), ``link_lookup`` (the cases
  holding 500 stored media, ``LinkRepository.media_holdings``: what linking asks per new
  exhibit), ``watch_check`` (a new MD5 watch checking what is held: ``media_by_signal`` then
  ``media_holdings``); anchor ``bare_select``: one media row by primary key;
- the plan of each query (the indexes it uses, from EXPLAIN).

The projection fits ``a + b * log10(rows)`` to each latency and insert cost (B-tree depth grows
with the log of the rows), and takes the last step's bytes per media.

    PYTHONPATH=src python -m bench.national [--steps 100000,1000000] [--json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from interlink.adapters.sql.copy import write_ignore
from interlink.adapters.sql.dialect import insert_ignore
from interlink.adapters.sql.schema import cases, exhibits, media, media_signals, scans, sightings
from interlink.adapters.sql.store import SqlStore

ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
#: Media written per transaction (a scan writes 256 at a time; bigger here to fill quickly).
CHUNK = 50_000
#: The tables a media's rows go to, for sizes.
TABLES = ("media", "media_signals", "sightings")
#: Bytes per image of what is not generated: ORB descriptors and the thumbnail (measured on
#: generated 320x240 photos: 2.3 KB and 5.4 KB).
EXTRA_BYTES = 7_700
_NOW = datetime(2026, 12, 7, tzinfo=UTC)


def _sha(i: int) -> str:
    return hashlib.sha256(b"m%d" % i).hexdigest()


def _exhibit_id(e: int) -> uuid.UUID:
    return uuid.UUID(int=(1 << 100) + e)


def _case_id(e: int) -> uuid.UUID:
    return uuid.UUID(int=(2 << 100) + e)


def _scan_id(e: int) -> uuid.UUID:
    return uuid.UUID(int=(3 << 100) + e)


_TIME = "2026-12-07 00:00:00+00"
_SIGNALS = ("md5", "sha1", "sha256", "pdq")
_COLUMNS = {
    "media": "sha256, md5, sha1, size, media_type, kind, width, height, first_seen",
    "media_signals": "sha256, type, value, quality, variants",
    "sightings": "exhibit_id, scan_id, sha256, ref_hash, ref_key, path, size, modified, seq",
}


def _lines(
    start: int, stop: int, per_exhibit: int, signals: Sequence[str]
) -> dict[str, list[list[str | None]]]:
    """The rows of media ``start``..``stop`` as a scan writes them (deterministic in ``i``),
    as text values in ``_COLUMNS`` order (``None``: NULL)."""
    found: dict[str, list[list[str | None]]] = {name: [] for name in TABLES}
    media_rows, signal_rows, sighting_rows = (found[name] for name in TABLES)
    ids: dict[int, tuple[str, str]] = {}
    for i in range(start, stop):
        sha = _sha(i)
        md5, sha1 = hashlib.md5(sha.encode()).hexdigest(), hashlib.sha1(sha.encode()).hexdigest()
        size = str(50_000 + i % 100_000)
        media_rows.append([sha, md5, sha1, size, "image/jpeg", "image", "1024", "768", _TIME])
        values = {"md5": md5, "sha1": sha1, "sha256": sha}
        for kind in signals:
            if kind == "pdq":
                pdq = hashlib.sha256(b"p%d" % i).hexdigest()
                variants = json.dumps([pdq[k * 8 :] + pdq[: k * 8] for k in range(8)])
                signal_rows.append([sha, kind, pdq, "100", variants])
            else:
                signal_rows.append([sha, kind, values[kind], None, "null"])
        exhibit = i // per_exhibit
        if exhibit not in ids:
            ids[exhibit] = (str(_exhibit_id(exhibit)), str(_scan_id(exhibit)))
        path = f"DCIM/{i % 1000:03d}/IMG_{i:09d}.JPG"  # nothing to escape in JSON or COPY
        sighting_rows.append(
            [
                *ids[exhibit],
                sha,
                hashlib.sha256(b"r%d" % i).hexdigest(),
                f'{{"exhibit":"phone","layers":[{{"kind":"file","path":"{path}"}}]}}',
                f"phone:{path}",
                size,
                _TIME,
                str(i % per_exhibit),
            ]
        )
    return found


def _as_dicts(lines: dict[str, list[list[str | None]]]) -> dict[str, list[dict[str, Any]]]:
    """The rows as the store's write path takes them (typed values)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for name in TABLES:
        columns = [c.strip() for c in _COLUMNS[name].split(",")]
        table = _TARGETS[name]
        rows = []
        for values in lines[name]:
            row: dict[str, Any] = {}
            for column, value in zip(columns, values, strict=True):
                kind = type(table.c[column].type).__name__
                if value is None:
                    row[column] = None
                elif column in ("first_seen", "modified"):
                    row[column] = _NOW
                elif kind in ("BigInteger", "Integer"):
                    row[column] = int(value)
                elif kind == "Uuid":
                    row[column] = uuid.UUID(value)
                elif kind == "JSON":
                    row[column] = json.loads(value)
                else:
                    row[column] = value
            rows.append(row)
        found[name] = rows
    return found


def _copy_text(
    store: SqlStore, tables: dict[str, str], lines: dict[str, list[list[str | None]]]
) -> float:
    """COPY ``lines`` into ``tables`` (our name -> table to copy into) in one transaction, as
    preformatted text; return the seconds it took."""
    started = time.perf_counter()
    with store.engine.begin() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            for name, target in tables.items():
                text = "".join(
                    "\t".join("\\N" if v is None else v for v in values) + "\n"
                    for values in lines[name]
                )
                with cursor.copy(f"COPY {target} ({_COLUMNS[name]}) FROM STDIN") as copy:
                    copy.write(text.encode())
    return time.perf_counter() - started


def _ensure_exhibits(store: SqlStore, first: int, last: int) -> None:
    cases_rows, exhibit_rows, scan_rows = [], [], []
    for e in range(first, last + 1):
        cases_rows.append(
            {"id": _case_id(e), "name": f"N-{e:07d}", "status": "open", "created_at": _NOW}
        )
        exhibit_rows.append(
            {
                "id": _exhibit_id(e),
                "case_id": _case_id(e),
                "name": "phone",
                "root": "/evidence",
                "description": "",
                "acquisition_hash": "",
                "created_at": _NOW,
            }
        )
        scan_rows.append(
            {
                "id": _scan_id(e),
                "exhibit_id": _exhibit_id(e),
                "started_at": _NOW,
                "status": "complete",
                "options": {},
            }
        )
    with store.transaction() as tx:
        write_ignore(tx, cases, cases_rows, "id")
        write_ignore(tx, exhibits, exhibit_rows, "id")
        write_ignore(tx, scans, scan_rows, "id")


_TARGETS = {"media": media, "media_signals": media_signals, "sightings": sightings}
_CONFLICT = {
    "media": ("sha256",),
    "media_signals": (),  # any of its unique indexes (partial ones among them)
    "sightings": ("exhibit_id", "ref_hash"),
}


def _write(
    store: SqlStore, rows: dict[str, list[dict[str, Any]]], how: Callable[..., None] = write_ignore
) -> float:
    """The store's write path for ``rows`` (``how``: COPY, or the ``executemany`` one); the
    seconds it took."""
    started = time.perf_counter()
    with store.transaction() as tx:
        for name in TABLES:
            how(tx, _TARGETS[name], rows[name], *_CONFLICT[name])
    return time.perf_counter() - started


def _plain_copy(store: SqlStore, lines: dict[str, list[list[str | None]]]) -> float:
    """Seconds to COPY ``lines`` into unindexed tables of the same columns (the anchor)."""
    with store.engine.begin() as connection:
        for name in TABLES:
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS anchor_{name}")
            connection.exec_driver_sql(
                f"CREATE TABLE anchor_{name} AS SELECT {_COLUMNS[name]} FROM {name} WITH NO DATA"
            )
    seconds = _copy_text(store, {name: f"anchor_{name}" for name in TABLES}, lines)
    with store.engine.begin() as connection:
        for name in TABLES:
            connection.exec_driver_sql(f"DROP TABLE anchor_{name}")
    return seconds


def _drop_keys(store: SqlStore) -> list[str]:
    """Drop the foreign keys, keys and indexes of the filled tables (a bulk load builds them
    again afterwards, sorting, instead of inserting row by row); return the statements that
    put them back, in order."""
    names = ", ".join(f"'{n}'" for n in TABLES)
    with store.engine.begin() as connection:
        constraints = connection.exec_driver_sql(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype "
            f"FROM pg_constraint WHERE conrelid::regclass::text IN ({names}) "
            f"OR (contype = 'f' AND confrelid::regclass::text IN ({names}))"
        ).all()
        indexes = connection.exec_driver_sql(
            "SELECT indexname, indexdef FROM pg_indexes "
            f"WHERE tablename IN ({names}) AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint)"
        ).all()
        foreign = [c for c in constraints if c[3] == "f"]
        others = [c for c in constraints if c[3] in ("p", "u")]
        for table, name, _, _ in [*foreign, *others]:
            connection.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            connection.exec_driver_sql(f'DROP INDEX "{name}"')
    return [
        *(f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d, _ in others),
        *(d for _, d in indexes),
        *(f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d, _ in foreign),
    ]


def _restore_keys(store: SqlStore, statements: Sequence[str]) -> None:
    with store.engine.begin() as connection:
        connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '1GB'")
        for statement in statements:
            connection.exec_driver_sql(statement)


def _linking_index(
    store: SqlStore, rows: int, per_exhibit: int, signals: Sequence[str]
) -> dict[str, Any]:
    """The kept media PDQ index (``services.media_index``): built from the whole store once,
    then brought up to date after one exhibit of ``per_exhibit`` new media is written (what
    each scan now pays), against building it all again (what each scan paid before)."""
    from interlink.services.media_index import media_pdq_index

    with tempfile.TemporaryDirectory(prefix="national-index-") as folder:
        cache = Path(folder)
        started = time.perf_counter()
        media_pdq_index(store, cache)
        built = time.perf_counter() - started
        _ensure_exhibits(store, rows // per_exhibit, rows // per_exhibit)
        _write(store, _as_dicts(_lines(rows, rows + per_exhibit, per_exhibit, signals)))
        started = time.perf_counter()
        kept = media_pdq_index(store, cache)
        updated = time.perf_counter() - started
    return {
        "rows": len(kept.index),
        "full_build_s": round(built, 2),
        "update_after_one_exhibit_s": round(updated, 3),
        "new_media": per_exhibit,
    }


def _median_ms(action: Callable[[int], object], keys: Sequence[int]) -> float:
    action(keys[0])  # warm
    times = []
    for key in keys:
        started = time.perf_counter()
        action(key)
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 3)


def _plan(store: SqlStore, sql: str, params: dict[str, Any]) -> list[str]:
    with store.engine.connect() as connection:
        lines = [r[0] for r in connection.execute(sa.text("EXPLAIN " + sql), params)]
    return [line.strip() for line in lines if "Scan" in line or "Join" in line or "Loop" in line]


def _measure(
    store: SqlStore, rows: int, per_exhibit: int, repeat: int, rng: random.Random
) -> dict[str, Any]:
    exhibits_count = max(1, rows // per_exhibit)
    shas = [rng.randrange(rows) for _ in range(repeat)]

    def bare(i: int) -> object:
        with store.engine.connect() as connection:
            return connection.execute(
                sa.select(media.c.sha256).where(media.c.sha256 == _sha(i))
            ).all()

    def report(e: int) -> object:
        return list(store.media.case_sightings(_case_id(e % exhibits_count)))

    def link(i: int) -> object:
        picked = random.Random(i).sample(range(rows), min(500, rows))
        return store.links.media_holdings(_sha(j) for j in picked)

    def watch(i: int) -> object:
        value = hashlib.md5(_sha(i).encode()).hexdigest()
        found = store.links.media_by_signal("md5", [value])
        return store.links.media_holdings(sha for _, sha in found)

    latency = {
        "bare_select": _median_ms(bare, shas),
        "case_report": _median_ms(report, [rng.randrange(exhibits_count) for _ in range(repeat)]),
        "link_lookup": _median_ms(link, shas),
        "watch_check": _median_ms(watch, shas),
    }
    exhibit, sha = str(_exhibit_id(0)), _sha(0)
    plans = {
        "case_report": _plan(
            store,
            "SELECT s.seq FROM sightings s JOIN exhibits e ON e.id = s.exhibit_id "
            "JOIN media m ON m.sha256 = s.sha256 WHERE e.case_id = :c ORDER BY e.name, s.seq",
            {"c": str(_case_id(0))},
        ),
        "link_lookup": _plan(
            store,
            "SELECT DISTINCT e.case_id, s.sha256 FROM sightings s JOIN exhibits e "
            "ON e.id = s.exhibit_id WHERE s.sha256 IN (:a, :b)",
            {"a": sha, "b": _sha(1)},
        ),
        "watch_check": _plan(
            store,
            "SELECT value, sha256 FROM media_signals WHERE type = 'md5' AND value IN (:v)",
            {"v": hashlib.md5(sha.encode()).hexdigest()},
        ),
    }
    del exhibit
    with store.engine.connect() as connection:
        sizes = {
            name: {
                "table": int(
                    connection.execute(sa.text(f"SELECT pg_table_size('{name}')")).scalar() or 0
                ),
                "indexes": int(
                    connection.execute(sa.text(f"SELECT pg_indexes_size('{name}')")).scalar() or 0
                ),
            }
            for name in TABLES
        }
    total = sum(s["table"] + s["indexes"] for s in sizes.values())
    return {
        "latency_ms": latency,
        "plans": plans,
        "sizes": sizes,
        "bytes_per_media": round(total / rows, 1),
        "index_bytes_per_media": round(sum(s["indexes"] for s in sizes.values()) / rows, 1),
    }


def _fit_log(points: Sequence[tuple[int, float]], at: int) -> float:
    """``a + b * log10(n)`` through ``points`` (least squares) at ``at``; the last value when
    there is one point."""
    if len(points) < 2:
        return points[-1][1]
    xs = [math.log10(n) for n, _ in points]
    ys = [y for _, y in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )
    return max(0.0, my + slope * (math.log10(at) - mx))


def project(steps: Sequence[dict[str, Any]], extra_bytes: int) -> dict[str, Any]:
    """Each measured figure fitted against log10(rows) and read at 10^8 and 10^9."""
    found: dict[str, Any] = {}
    for target in (10**8, 10**9):
        figures: dict[str, Any] = {}
        for name in ("case_report", "link_lookup", "watch_check", "bare_select"):
            points = [(s["rows"], s["latency_ms"][name]) for s in steps]
            figures[f"{name}_ms"] = round(_fit_log(points, target), 3)
        for name in ("case_report", "link_lookup", "watch_check"):
            points = [(s["rows"], s["over_bare_select"][name]) for s in steps]
            figures[f"{name}_over_bare_select"] = round(_fit_log(points, target), 1)
        points = [(s["rows"], s["insert_s_per_1e6"]) for s in steps]
        figures["insert_s_per_1e6"] = round(_fit_log(points, target), 1)
        per_media = steps[-1]["bytes_per_media"]
        figures["bytes_per_media"] = per_media
        figures["disk_gb_measured_tables"] = round(per_media * target / 1e9, 1)
        figures["disk_gb_with_orb_and_thumbnails"] = round(
            (per_media + extra_bytes) * target / 1e9, 1
        )
        found[f"{target:.0e}".replace("+0", "")] = figures
    return found


def run(
    steps: Sequence[int],
    per_exhibit: int,
    repeat: int,
    admin: str,
    prefix: str,
    keep: bool,
    signals: Sequence[str] = _SIGNALS,
    sample: int = 20_000,
    bulk_from: int = 2_000_000,
    not_before: str | None = None,
) -> dict[str, Any]:
    """Fill one new database step by step, measure, project; drop it unless ``keep``."""
    name = f"{prefix}{os.getpid()}"
    admin_engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    rng = random.Random(18)
    measured: list[dict[str, Any]] = []
    database_bytes = 0
    try:
        store = SqlStore.open(url)
        done = 0
        for target in steps:
            _ensure_exhibits(store, done // per_exhibit, (target - 1) // per_exhibit)
            started = time.perf_counter()
            bulk = target - done >= bulk_from
            if bulk and not_before is not None:
                while datetime.now(UTC).strftime("%H:%M") < not_before:
                    time.sleep(10)
            kept = _drop_keys(store) if bulk else []
            for start in range(done, target - sample, CHUNK):
                stop = min(target - sample, start + CHUNK)
                _copy_text(store, {n: n for n in TABLES}, _lines(start, stop, per_exhibit, signals))
            _restore_keys(store, kept)
            filled = time.perf_counter() - started
            half = target - sample // 2
            many = _write(
                store, _as_dicts(_lines(target - sample, half, per_exhibit, signals)), insert_ignore
            )
            lines = _lines(half, target, per_exhibit, signals)
            written = _write(store, _as_dicts(lines))
            anchor = _plain_copy(store, lines)
            with store.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "VACUUM ANALYZE"
                )
            step = {
                "rows": target,
                "insert_s_per_1e6": round(written / (sample - sample // 2) * 1e6, 1),
                "executemany_s_per_1e6": round(many / (sample // 2) * 1e6, 1),
                "copy_s_per_1e6": round(anchor / (sample - sample // 2) * 1e6, 1),
                "generator_s_per_1e6": round(filled / max(1, target - sample - done) * 1e6, 1),
                "bulk_loaded": bulk,
                **_measure(store, target, per_exhibit, repeat, rng),
                "load": os.getloadavg()[0],
            }
            step["insert_over_copy"] = round(step["insert_s_per_1e6"] / step["copy_s_per_1e6"], 2)
            bare = max(step["latency_ms"]["bare_select"], 1e-3)
            step["over_bare_select"] = {
                name: round(ms / bare, 1)
                for name, ms in step["latency_ms"].items()
                if name != "bare_select"
            }
            measured.append(step)
            done = target
        linking = _linking_index(store, done, per_exhibit, signals) if "pdq" in signals else None
        with store.engine.connect() as connection:
            database_bytes = int(
                connection.execute(sa.text("SELECT pg_database_size(current_database())")).scalar()
                or 0
            )
        store.close()
    finally:
        if not keep:
            with admin_engine.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin_engine.dispose()
    return {
        "database": name,
        "database_bytes": database_bytes,
        "kept": keep,
        "per_exhibit": per_exhibit,
        "signals": list(signals),
        "sample": sample,
        "steps": measured,
        "linking_index": linking,
        "projection": project(measured, EXTRA_BYTES),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print a report, or JSON only with ``--json``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", default="100000,1000000", help="media counts, comma-separated")
    parser.add_argument("--per-exhibit", type=int, default=1000, help="media per exhibit (case)")
    parser.add_argument("--repeat", type=int, default=25, help="timed queries per figure")
    parser.add_argument("--admin", default=ADMIN, help="URL of a database to create ours from")
    parser.add_argument("--prefix", default="national_", help="name prefix of our database")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--signals", default=",".join(_SIGNALS), help="signal rows per media (md5 is needed)"
    )
    parser.add_argument(
        "--sample", type=int, default=20_000, help="media per step timed on the write path"
    )
    parser.add_argument(
        "--bulk-from",
        type=int,
        default=2_000_000,
        help="steps adding this many media or more are loaded with keys dropped, then rebuilt",
    )
    parser.add_argument(
        "--large-not-before", default=None, help="HH:MM UTC before which no bulk step starts"
    )
    parser.add_argument("--json", action="store_true", help="print machine-readable output only")
    args = parser.parse_args(argv)
    steps = sorted(int(s) for s in args.steps.split(","))
    signals = tuple(args.signals.split(","))
    if "md5" not in signals or not set(signals) <= set(_SIGNALS):
        parser.error(f"--signals: some of {', '.join(_SIGNALS)}, md5 among them")
    result = run(
        steps,
        args.per_exhibit,
        args.repeat,
        args.admin,
        args.prefix,
        args.keep,
        signals,
        args.sample,
        args.bulk_from,
        args.large_not_before,
    )
    if args.json:
        print(json.dumps(result))
        return 0
    for step in result["steps"]:
        print(
            f"{step['rows']:>12,} media: insert {step['insert_s_per_1e6']} s/1e6 "
            f"(executemany {step['executemany_s_per_1e6']}, plain COPY {step['copy_s_per_1e6']}), "
            f"{step['bytes_per_media']} B/media, "
            f"latency ms {step['latency_ms']} (load {step['load']:.1f})"
        )
    for target, figures in result["projection"].items():
        print(f"{target:>12}: {figures}")
    print(f"database {result['database']}: {result['database_bytes'] / 1e9:.2f} GB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
