"""Scans on a Dask ``LocalCluster`` of worker processes on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dask
import pytest
from distributed import Client, LocalCluster

from interlink.adapters.sql.store import SqlStore
from interlink.demo.exhibit import build_demo_exhibit
from interlink.demo.images import encode, scene
from interlink.domain.provenance import SourceRef
from interlink.services.dask_executor import DaskExecutor
from interlink.services.lists import import_list
from interlink.services.reports import case_report
from interlink.services.scan import ScanOptions, scan_exhibit
from interlink.services.worker import WorkItem, WorkResult, run
from tests.services.killing import counts, kill_midway, slow_exhibit


def local_cluster(workers: int) -> LocalCluster:
    """A cluster of ``workers`` single-threaded worker processes on loopback."""
    return LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        worker_dashboard_address=None,
        # The scheduler's HTTP routes go on a free port, not 8787 (taken by any other cluster).
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
    )


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    # A task is given up on (KilledWorker) at the first worker it kills, not the fourth: each
    # death costs a worker restart, slow on a loaded machine; the executor's recovery is the same.
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        local_cluster(2) as local,
    ):
        yield local


@pytest.fixture(scope="module")
def exhibit(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[tuple[Any, ...]]]:
    """The exhibit (demo, 24 more JPEGs, a zip whose members go to workers as bytes), its
    known list, and what a scan in this process stores from it."""
    folder = tmp_path_factory.mktemp("exhibit")
    built = build_demo_exhibit(folder / "demo", new=4, known=4)
    for i in range(24):
        (built.exhibit / f"extra{i:03d}.jpg").write_bytes(encode(scene(100 + i), "JPEG"))
    with zipfile.ZipFile(built.exhibit / "members.zip", "w") as archive:
        for i in range(3):
            archive.writestr(f"inner{i}.png", encode(scene(200 + i), "PNG"))
    clean = _scan(folder, "clean.db", built.exhibit, built.known_list, ScanOptions(workers=0))
    assert any(path.split(":", 1)[1].startswith("members.zip") for path, *_ in clean)
    return built.exhibit, built.known_list, clean


@pytest.fixture
def client(cluster: LocalCluster) -> Iterator[Client]:
    with Client(cluster, set_as_default=False) as connected:
        connected.wait_for_workers(2, timeout=60)
        yield connected


def slow_run(item: WorkItem) -> WorkResult:
    """The worker's own function, slowed down so that a scan can be interrupted midway."""
    time.sleep(0.1)
    return run(item)


def _files(store: SqlStore) -> list[tuple[Any, ...]]:
    report = case_report(store, "C")
    return sorted((f["path"], f["sha256"], f["status"], f["pdq"]) for f in report["files"])


def _scan(
    tmp_path: Path, name: str, exhibit: Path, known: Path, options: ScanOptions, **kw: Any
) -> list[tuple[Any, ...]]:
    store = SqlStore.open(f"sqlite:///{tmp_path / name}")
    import_list(store, known, name="known")
    scan_exhibit(store, exhibit, case="C", options=options, **kw)
    files = _files(store)
    store.close()
    return files


Exhibit = tuple[Path, Path, list[tuple[Any, ...]]]


def test_a_cluster_scan_stores_what_a_local_scan_stores(
    tmp_path: Path, cluster: LocalCluster, exhibit: Exhibit
) -> None:
    folder, known, clean = exhibit
    options = ScanOptions(cluster=cluster.scheduler_address)
    assert _scan(tmp_path, "dask.db", folder, known, options) == clean


class _KillAfter:
    """Progress that SIGKILLs one worker process after ``after`` items are done."""

    def __init__(self, client: Client, after: int) -> None:
        self._client = client
        self._after = after
        self.done = 0
        self.killed: int | None = None

    def grow(self, items: int) -> None:
        """Ignore."""

    def advance(self, items: int = 1) -> None:
        self.done += items
        if self.killed is None and self.done >= self._after:
            pids = self._client.run(os.getpid)
            self.killed = sorted(pids.values())[0]
            os.kill(self.killed, signal.SIGKILL)


def test_a_killed_worker_costs_the_scan_nothing(
    tmp_path: Path, client: Client, exhibit: Exhibit
) -> None:
    folder, known, clean = exhibit
    progress = _KillAfter(client, after=8)
    options = ScanOptions(cluster=client.scheduler_info()["address"], runner=slow_run)
    killed = _scan(tmp_path, "killed.db", folder, known, options, progress=progress)
    assert progress.killed is not None and progress.done == len(clean)
    assert killed == clean
    client.wait_for_workers(2, timeout=60)  # the nanny restarts it for the next test


@pytest.mark.slow
def test_a_killed_coordinator_resumes(tmp_path: Path, cluster: LocalCluster) -> None:
    # Two workers finish up to ~80 of these between two commits (every 2 s) on a fast machine:
    # 200 files leave room to be killed midway whatever the machine's speed.
    total = 200
    exhibit = tmp_path / "ex"
    slow_exhibit(exhibit, total)
    url = f"sqlite:///{tmp_path / 'killed.db'}"
    command = [sys.executable, "-m", "interlink", "--db", url, "scan", str(exhibit), "--case", "C"]
    command += ["--cluster", cluster.scheduler_address, "--json"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    partial = kill_midway(command, env, url)
    assert 10 <= partial < total
    done = subprocess.run(command, env=env, capture_output=True, check=True, timeout=180)
    result = json.loads(done.stdout)
    assert result["resumed"] is True
    assert result["skipped"] == partial and result["ingested"] == total - partial
    # Exactly what one uninterrupted scan records: each file once, five signals each (three
    # cryptographic hashes, PDQ and ORB).
    assert counts(url) == (total, total, 5 * total, total)


def test_an_item_that_kills_every_worker_is_a_problem(client: Client) -> None:
    pool = DaskExecutor(client, batch=3)
    pool.slots = 0  # the three items go as one batch
    items = [WorkItem(i, _ref(f"f{i}")) for i in range(3)]
    futures = [pool.submit(os_exit_on_one, item) for item in items]
    results = [future.result(timeout=120) for future in futures]
    pool.shutdown()
    assert results[1].failure is not None and "crashed" in results[1].failure[1]
    assert [r.failure for i, r in enumerate(results) if i != 1] == [None, None]


def _ref(name: str) -> SourceRef:
    return SourceRef("ex").child("file", name)


def os_exit_on_one(item: WorkItem) -> WorkResult:
    """Kills the worker process on item 1; the others succeed without analysis."""
    if item.key == 1:
        os._exit(3)
    return WorkResult(item.key, None, None)


def _worker_state() -> dict[str, int]:
    import cv2

    return {"pid": os.getpid(), "opencv_threads": int(cv2.getNumThreads())}


def test_a_batch_prepares_its_worker_as_the_local_fork_server_does() -> None:
    """Dask workers are not forked from the scan's fork server: the first batch a worker runs
    sets what ``services.worker_boot`` sets there (OpenCV on the calling thread; ``malloc``
    keeping freed buffers), or a cluster scan pays for OpenCV's thread pool and page faults
    on every file (a fresh worker, so no earlier batch prepared it)."""
    from interlink.services.dask_executor import run_batch

    with (
        local_cluster(1) as fresh,
        Client(fresh) as client,
    ):
        client.run(lambda: __import__("cv2").setNumThreads(2))  # as on a 2-core machine
        [before] = client.run(_worker_state).values()
        client.submit(run_batch, run, [], pure=False).result(timeout=60)
        [after] = client.run(_worker_state).values()
    assert before["opencv_threads"] == 2 and after["opencv_threads"] == 1
    assert before["pid"] == after["pid"]
