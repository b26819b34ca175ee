"""What the store keeps for the ORB signal per scanned image (issue 19: at most 2 KB).

``--count`` generated 1 MP JPEGs (``bench.scan``'s folder) are scanned by the CLI twice into
fresh databases, with ``INTERLINK_ROBUST_SIGNAL=on`` and ``off``; each database is compacted
(SQLite ``VACUUM``, PostgreSQL ``VACUUM FULL``) and its size taken: the SQLite file's pages,
PostgreSQL's ``pg_total_relation_size`` summed over the schema's tables (rows, TOAST and
indexes). ``bytes_per_image`` is the difference over the count. The objects whose size changed
most are listed (SQLite's ``dbstat``; PostgreSQL per table, indexes and TOAST included).

    PYTHONPATH=src:. python -m bench.orb_storage [--count N] [--postgres URL] [--lists] [--json]

``--lists`` measures ``interlink lists add`` of the same folder as well (``lists_*`` keys).

``--postgres`` is a server URL (``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``):
two databases ``orbstore_bench_on`` / ``_off`` are created on it and dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy
from sqlalchemy.engine import make_url

from bench.scan import build_folder

_PG_SIZES = """
SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname = 'public'
"""


#: The commands measured: a scan of the folder, and the folder added to a list as known images.
COMMANDS = {"scan": ["scan", "{folder}", "--case", "C"], "lists": ["lists", "add", "L", "{folder}"]}


def run(url: str, folder: Path, robust: bool, command: str) -> None:
    """``interlink scan`` of ``folder`` (or ``lists add``) into ``url``, the ORB signal on or
    off."""
    env = dict(os.environ, INTERLINK_ROBUST_SIGNAL="on" if robust else "off", INTERLINK_WORKERS="2")
    args = [a.format(folder=folder) for a in COMMANDS[command]]
    line = [sys.executable, "-m", "interlink", "--db", url, *args, "--json"]
    subprocess.run(line, env=env, check=True, stdout=subprocess.DEVNULL)


def sqlite_sizes(path: Path) -> dict[str, int]:
    """Bytes of each table and index of a ``VACUUM``ed SQLite file, and ``""``: the file."""
    with sqlite3.connect(path) as connection:
        connection.execute("VACUUM")
        sizes = dict(connection.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"))
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    sizes[""] = pages * page_size
    return sizes


def postgres_sizes(url: str) -> dict[str, int]:
    """``pg_total_relation_size`` of each table after ``VACUUM FULL``, and ``""``: their sum."""
    engine = sqlalchemy.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql("VACUUM FULL")
        sizes = {str(name): int(size) for name, size in connection.exec_driver_sql(_PG_SIZES)}
    engine.dispose()
    sizes[""] = sum(sizes.values())
    return sizes


def difference(on: dict[str, int], off: dict[str, int], count: int) -> dict[str, object]:
    """Bytes per image in all and for the objects that changed."""
    changed = {
        name or "all": (on.get(name, 0) - off.get(name, 0)) / count
        for name in sorted(set(on) | set(off))
        if on.get(name, 0) != off.get(name, 0)
    }
    return {"bytes_per_image": changed.pop("all", 0.0), "by_object": changed}


def measure_sqlite(folder: Path, count: int, work: Path, command: str) -> dict[str, object]:
    sizes = {}
    for robust in (True, False):
        path = work / f"{command}-{'on' if robust else 'off'}.db"
        run(f"sqlite:///{path}", folder, robust, command)
        sizes[robust] = sqlite_sizes(path)
    return difference(sizes[True], sizes[False], count)


def measure_postgres(server: str, folder: Path, count: int, command: str) -> dict[str, object]:
    admin = sqlalchemy.create_engine(server, isolation_level="AUTOCOMMIT")
    base = make_url(server)
    sizes = {}
    try:
        for robust in (True, False):
            name = f"orbstore_bench_{'on' if robust else 'off'}"
            with admin.connect() as connection:
                connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
                connection.exec_driver_sql(f"CREATE DATABASE {name}")
            url = base.set(database=name).render_as_string(hide_password=False)
            run(url, folder, robust, command)
            sizes[robust] = postgres_sizes(url)
    finally:
        with admin.connect() as connection:
            for robust in (True, False):
                name = f"orbstore_bench_{'on' if robust else 'off'}"
                connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        admin.dispose()
    return difference(sizes[True], sizes[False], count)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--postgres", help="PostgreSQL server URL (also measure PostgreSQL)")
    parser.add_argument("--lists", action="store_true", help="also measure lists add")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    folder = build_folder(None, args.count, 1.0)
    result: dict[str, object] = {"count": args.count}
    for command in ("scan", "lists") if args.lists else ("scan",):
        label = "" if command == "scan" else "lists_"
        with tempfile.TemporaryDirectory(prefix="orb-storage-") as work:
            result[f"{label}sqlite"] = measure_sqlite(folder, args.count, Path(work), command)
        if args.postgres:
            measured = measure_postgres(args.postgres, folder, args.count, command)
            result[f"{label}postgresql"] = measured
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
