"""A list import into PostgreSQL on its own (issue 13): ``interlink lists import`` of a CSV of
``--codes`` random PDQ codes (``pdq,category``, as ``bench.server`` writes its second list) into
a fresh database, timed: wall seconds, the importer's CPU seconds (its process, from
``wait4``) and its PostgreSQL backends' (sampled through ``pg_stat_activity`` by the
importer's ``application_name``, every 50 ms; a backend's last sample is kept after it ends).

The anchor, in the same run: a plain ``COPY`` of the same codes and categories into a table of
two text columns in the same database; ``ratio`` is the import's wall over the anchor's.

    PYTHONPATH=src:. python -m bench.list_import [--codes N] [--runs R] [--database NAME] [--json]

The database (default ``bench_list_import``) is dropped and created for every run, its schema
migrated before the clock starts; with ``--known N`` it first gets ``bench.server``'s list
``known`` of ``N`` codes (``server_data.fill``: analysed, as that benchmark's database is), so
the import meets a large table as it does there. The importer runs with this process's
``PYTHONPATH``, so an older checkout's ``src`` on it measures that checkout's import.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]
import sqlalchemy

from bench import server_data
from interlink.adapters.sql.store import SqlStore

#: The seed ``bench.server`` draws its imported list from.
SEED = 1 + 7
APPLICATION = "bench-list-import"


def _recreate(name: str) -> str:
    admin = sqlalchemy.create_engine(server_data.SERVER + "postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        admin.dispose()
    return server_data.SERVER + name


def _copy_seconds(url: str, rows: list[str]) -> float:
    """Wall seconds of a plain ``COPY`` of the codes and their category into a new table."""
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE bench_copy (code text, category text)")
        raw = engine.raw_connection()
        try:
            driver = raw.driver_connection
            assert driver is not None
            started = time.perf_counter()
            with driver.cursor() as cursor:
                with cursor.copy("COPY bench_copy (code, category) FROM STDIN") as copy:
                    for code in rows:
                        copy.write_row((code, "uk:B"))
            driver.commit()
            seconds = time.perf_counter() - started
        finally:
            raw.close()
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE bench_copy")
        return seconds
    finally:
        engine.dispose()


class _Backends:
    """CPU seconds of the backends serving ``application_name`` ``APPLICATION``, sampled."""

    def __init__(self, url: str) -> None:
        self._engine = sqlalchemy.create_engine(url)
        self._last: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with self._engine.connect() as connection:
            while not self._stop.is_set():
                pids = connection.exec_driver_sql(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = %(a)s",
                    {"a": APPLICATION},
                ).scalars()
                connection.rollback()
                for pid in pids:
                    try:
                        times = psutil.Process(int(pid)).cpu_times()
                    except psutil.Error:
                        continue
                    self._last[int(pid)] = times.user + times.system
                self._stop.wait(0.05)

    def __enter__(self) -> _Backends:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._engine.dispose()

    @property
    def cpu(self) -> float:
        return sum(self._last.values())


def one_run(database: str, rows: list[str], home: Path, known: int) -> dict[str, Any]:
    """One fresh database, the anchor's COPY, then the import in a process of its own."""
    url = _recreate(database)
    if known:
        server_data.fill(url, known, 1)
        with sqlalchemy.create_engine(url, isolation_level="AUTOCOMMIT").connect() as connection:
            connection.exec_driver_sql("ANALYZE")
    else:
        SqlStore.open(url).close()  # the schema, before the clock
    listing = home / "incoming.csv"
    listing.write_text("pdq,category\n" + "".join(f"{c},uk:B\n" for c in rows))
    copy_seconds = _copy_seconds(url, rows)
    env = dict(os.environ, INTERLINK_DB=url, INTERLINK_HOME=str(home), PGAPPNAME=APPLICATION)
    line = [sys.executable, "-m", "interlink", "lists", "import", str(listing)]
    line += ["--name", "incoming"]
    with _Backends(url) as backends:
        started = time.perf_counter()
        process = subprocess.Popen(line, env=env, stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"the import failed: exit {process.returncode}")
    return {
        "import_wall_s": round(wall, 2),
        "importer_cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "backend_cpu_s": round(backends.cpu, 2),
        "copy_wall_s": round(copy_seconds, 3),
        "ratio": round(wall / copy_seconds, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--codes", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--database", default="bench_list_import")
    parser.add_argument("--known", type=int, default=0, help="codes of a list already stored")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rows = server_data.hex_rows(server_data.codes(args.codes, SEED))
    load = [round(x, 2) for x in os.getloadavg()]
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(args.runs):
            runs.append(one_run(args.database, rows, Path(folder), args.known))
    result: dict[str, Any] = {
        "codes": args.codes,
        "known": args.known,
        "load_before": load,
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "runs": runs,
        "median": {k: statistics.median(r[k] for r in runs) for k in runs[0]},
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for run in runs:
            print(
                f"import {run['import_wall_s']} s wall, importer {run['importer_cpu_s']} s CPU,"
                f" backend {run['backend_cpu_s']} s CPU; COPY {run['copy_wall_s']} s;"
                f" ratio {run['ratio']}"
            )
        print(f"load {result['load_before']} -> {result['load_after']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
