"""The load benchmark's processes: the server, the job worker and the import it starts, their
CPU and memory as psutil sees them, PostgreSQL's backends, and the scan jobs' folder and
progress (``bench/server.py``)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]

OUT = Path(__file__).parent / "out"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rss(process: psutil.Process) -> int:
    total = 0
    for each in [process, *process.children(recursive=True)]:
        try:
            total += each.memory_info().rss
        except psutil.Error:
            pass
    return total


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def cpu(processes: list[psutil.Process]) -> float:
    """CPU seconds (user + system) of these processes and their children so far."""
    total = 0.0
    seen: set[int] = set()
    for process in processes:
        try:
            tree = [process, *process.children(recursive=True)]
        except psutil.Error:
            continue
        for each in tree:
            if each.pid in seen:
                continue
            seen.add(each.pid)
            try:
                times = each.cpu_times()
                total += times.user + times.system
            except psutil.Error:
                pass
    return total


def postgres_backends(url: str) -> list[psutil.Process]:
    """The PostgreSQL server processes serving connections to this benchmark's database."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as connection:
            pids = connection.execute(
                sqlalchemy.text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                    " AND pid <> pg_backend_pid()"
                )
            ).scalars()
            found = []
            for pid in pids:
                try:
                    found.append(psutil.Process(int(pid)))
                except psutil.Error:
                    pass
            return found
    finally:
        engine.dispose()


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def interlink(*arguments: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """An ``interlink`` command in the background, its output into ``log``."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "interlink", *arguments],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )


def scan_folder(files: int) -> Path:
    """``files`` generated benign JPEGs (cached under bench/out)."""
    from interlink.demo.images import encode, scene

    folder = OUT / f"server-scan-{files}"
    if len(list(folder.glob("*.jpg"))) != files:
        folder.mkdir(parents=True, exist_ok=True)
        for number in range(files):
            (folder / f"{number:05d}.jpg").write_bytes(encode(scene(number)))
    return folder


def warm_scan_index(env: dict[str, str], folder: Path) -> float:
    """Scan one image against ``known`` once, so the scan jobs' matcher (``known_cache``,
    under the server's home) is built before the clock starts, as on a node that has scanned
    before; the seconds it took (a few hundredths when it was already built)."""
    from interlink.demo.images import encode, scene

    one = folder / "warm"
    one.mkdir()
    (one / "warm.jpg").write_bytes(encode(scene(10**6)))
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "interlink",
            "--agency",
            "bench",
            "scan",
            str(one),
            "--case",
            "BENCH-WARM",
            "--list",
            "known",
            "--workers",
            "0",
            "--json",
        ],
        env=env,
        capture_output=True,
        timeout=3600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the warm-up scan failed: {done.stderr.decode()[-500:]}")
    return round(time.perf_counter() - started, 1)


def scan_progress(url: str, job_ids: list[str]) -> dict[str, Any]:
    """How far the scan jobs of this run got (files done, jobs by state)."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sqlalchemy.text(
                    "SELECT state, count(*), sum(files_done) FROM jobs"
                    " WHERE CAST(id AS text) IN :ids GROUP BY state"
                ).bindparams(sqlalchemy.bindparam("ids", expanding=True)),
                {"ids": job_ids},
            ).all()
        return {
            "scan_jobs_by_state": {str(r[0]): int(r[1]) for r in rows},
            "scan_files_done": sum(int(r[2] or 0) for r in rows),
        }
    except sqlalchemy.exc.DBAPIError:
        return {}
    finally:
        engine.dispose()


def reset(url: str) -> None:
    """Undo what a previous run added that would change this one: the imported list, the
    scan jobs left queued."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text("DELETE FROM hash_lists WHERE name = 'incoming'"))
            connection.execute(
                sqlalchemy.text(
                    "UPDATE jobs SET state = 'cancelled' WHERE state IN ('queued', 'running')"
                )
            )
    finally:
        engine.dispose()
