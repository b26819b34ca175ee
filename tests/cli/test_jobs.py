"""``interlink jobs`` and ``interlink worker``; the worker as real processes (progress, SIGKILL
mid-scan, restart and resume, cancellation of a running scan) on SQLite (the local worker) and
PostgreSQL (procrastinate)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import func, select

from interlink.adapters.sql.schema import media, sightings
from interlink.adapters.sql.store import SqlStore
from interlink.bootstrap import open_queue
from interlink.cli.exit_codes import ExitCode
from interlink.cli.jobs import NICE
from interlink.demo.images import encode, scene
from interlink.domain.jobs import Job, JobState
from interlink.services.cases import acting_agency
from interlink.services.jobs import cancel_job, get_job, submit_scan
from interlink.settings import Settings
from tests.cli.test_app import run

#: Enough files that a scan is still running when the test kills its worker, however fast the
#: machine (workers take several files a task).
FILES = 100
#: The exhibit whose scan is cancelled midway.
LARGE = 128


def _exhibit(folder: Path, count: int = FILES) -> None:
    folder.mkdir(parents=True)
    # Large images make each item slow enough to kill the worker halfway; each copy differs
    # in one block of pixels so every file is its own media.
    base = np.asarray(scene(3, size=(900, 675))).copy()
    for i in range(count):
        base[:8, :8] = i % 256
        base[8:16, :8] = i // 256
        (folder / f"img{i:03d}.png").write_bytes(
            encode(Image.fromarray(base), "PNG", compress_level=1)
        )


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "interlink", "worker", "--stalled-after", "3"],
            env=env,
            stdout=out,
            stderr=out,
            start_new_session=True,
        )


def _wait(
    store: SqlStore, job_id: uuid.UUID, agency_id: uuid.UUID, until: Callable[[Job], bool]
) -> Job:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        job = get_job(store, job_id, agency_id=agency_id)
        if until(job):
            return job
        if job.state.final:
            pytest.fail(f"job ended as {job.state.value} ({job.problem}) before expected")
        time.sleep(0.2)
    pytest.fail(f"job {job_id} did not get there in time: {job}")


def _descendants_nice(pid: int) -> set[int]:
    """The nice values of ``pid``'s descendant processes (from ``/proc``)."""
    parent_and_nice: dict[int, tuple[int, int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        parent_and_nice[int(stat.parent.name)] = (int(fields[1]), int(fields[16]))
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, (ppid, _) in parent_and_nice.items() if ppid in frontier}
        found |= {parent_and_nice[child][1] for child in frontier}
    return found


def _stop(process: subprocess.Popen[bytes], how: signal.Signals) -> None:
    if process.poll() is None:
        os.killpg(process.pid, how)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.mark.slow
def test_a_killed_worker_resumes_its_scan_and_a_running_scan_can_be_cancelled(
    store_url: str, tmp_path: Path
) -> None:
    roots = tmp_path / "evidence"
    _exhibit(roots / "seized")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(sys.path),
        "INTERLINK_DB": store_url,
        "INTERLINK_HOME": str(tmp_path / "home"),
        "INTERLINK_EVIDENCE_ROOTS": str(roots),
        "INTERLINK_WORKERS": "1",
    }
    settings = Settings.load(env)
    store = SqlStore.open(store_url)
    queue = open_queue(settings, store)
    agency = acting_agency(store, "NCA", "GB", actor="t")

    def submit(case: str, exhibit: str = "seized") -> uuid.UUID:
        return submit_scan(
            store,
            queue,
            agency_id=agency.id,
            actor="examiner",
            path=str(roots / exhibit),
            case=case,
            roots=settings.evidence_roots,
        ).id

    log = tmp_path / "worker.log"
    scan = submit("C1")
    worker = _start_worker(env, log)
    try:
        seen = _wait(store, scan, agency.id, lambda j: j.files_done >= 4)
        assert seen.state is JobState.RUNNING and seen.files_total == FILES
        # Its scan processes run at a lower CPU priority than the server, by default; the
        # worker itself, which holds database locks, keeps its own.
        mine = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, worker.pid) == mine
        assert min(19, mine + NICE) in _descendants_nice(worker.pid)
        _stop(worker, signal.SIGKILL)  # mid-scan, with its analysis processes
        assert get_job(store, scan, agency_id=agency.id).state is JobState.RUNNING
        worker = _start_worker(env, log)
        done = _wait(store, scan, agency.id, lambda j: j.state.final)
        assert done.state is JobState.DONE, log.read_text()
        assert done.attempts == 2 and done.result is not None
        assert done.result["resumed"] is True
        assert done.result["ingested"] + done.result["skipped"] == FILES
        # What one uninterrupted scan gives: every file once, all new.
        summary = done.result["summary"]
        assert (summary["files"], summary["unique_media"], summary["new_images"]) == (
            FILES,
            FILES,
            FILES,
        )
        with store.engine.connect() as connection:
            counts = [
                connection.execute(select(func.count()).select_from(t)).scalar()
                for t in (sightings, media)
            ]
        assert counts == [FILES, FILES]

        # Cancelled while running: an exhibit large enough that the scan cannot finish in the
        # time the cancellation takes to be seen, however idle the machine.
        _exhibit(roots / "large", LARGE)
        second = submit("C2", "large")
        _wait(store, second, agency.id, lambda j: j.files_done >= 1)
        asked = cancel_job(store, queue, second, agency_id=agency.id, actor="examiner")
        assert asked.state is JobState.CANCELLING
        final = _wait(store, second, agency.id, lambda j: j.state.final)
        assert final.state is JobState.CANCELLED and final.files_done < LARGE

        # A clean run of the same exhibit gives the summary the resumed one gave.
        clean = _wait(store, submit("C3"), agency.id, lambda j: j.state.final)
        assert clean.result is not None and clean.result["resumed"] is False
        assert clean.result["summary"] == summary
    finally:
        _stop(worker, signal.SIGTERM)
        queue.close()
        store.close()


def test_jobs_commands_submit_refuse_run_show_and_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    roots = tmp_path / "evidence"
    (roots / "ex").mkdir(parents=True)
    (roots / "ex" / "a.jpg").write_bytes(encode(scene(1), "JPEG"))
    monkeypatch.setenv("INTERLINK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("INTERLINK_DB", raising=False)
    monkeypatch.setenv("INTERLINK_WORKERS", "0")
    monkeypatch.setenv("INTERLINK_EVIDENCE_ROOTS", str(roots))
    refused = {
        f"{roots}/ex/../ex": ExitCode.INVALID_INPUT,
        "/etc": ExitCode.DENIED,
        f"{roots}/missing": ExitCode.NOT_FOUND,
    }
    for path, expected in refused.items():
        code, out, err = run(["jobs", "scan", path, "--case", "C"], capsys)
        assert code == expected and out == "" and err.startswith("error: "), path
    code, out, _ = run(["jobs", "scan", str(roots / "ex"), "--case", "C", "--json"], capsys)
    submitted = json.loads(out)
    assert code == 0 and submitted["state"] == "queued"
    assert run(["worker", "--once", "--nice", "0"], capsys)[0] == 0
    code, out, _ = run(["jobs", "show", submitted["id"], "--json"], capsys)
    shown = json.loads(out)
    assert shown["state"] == "done" and shown["progress"] == {"files_done": 1, "files_total": 1}
    code, out, _ = run(["jobs", "list", "--json"], capsys)
    assert [j["id"] for j in json.loads(out)["jobs"]] == [submitted["id"]]
    code, _, err = run(["jobs", "cancel", submitted["id"]], capsys)
    assert code == ExitCode.CONFLICT and "done" in err
    code, _, err = run(["--agency", "other", "jobs", "show", submitted["id"]], capsys)
    assert code == ExitCode.NOT_FOUND
