"""A scan submitted over the API survives a restart of the whole server: the server and the
worker are SIGKILLed mid-scan, started again, and the same job (same id, over the API) resumes
and ends with every file recorded once. Real processes, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from interlink.adapters.sql.schema import sightings
from interlink.adapters.sql.store import SqlStore
from interlink.domain.principal import Role
from interlink.services import accounts, authentication, casefile
from tests.api.node import operator
from tests.cli.test_jobs import _exhibit, _start_worker, _stop

#: Enough files that the scan is still running when it is killed, however fast the machine:
#: workers take up to eight files a task.
FILES = 200


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    with log.open("ab") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "interlink",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=env,
            stdout=out,
            stderr=out,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"{base}/readyz", timeout=10).status_code == 200:
                return server, base
        except httpx.TransportError:
            pass
        assert server.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)


def _until(http: httpx.Client, job: str, done: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        answer = http.get(f"/api/v1/jobs/{job}")
        assert answer.status_code == 200, answer.text
        found: dict[str, Any] = answer.json()
        if done(found):
            return found
        time.sleep(0.2)
    pytest.fail(f"job {job} did not get there in time")


@pytest.mark.slow
def test_a_scan_job_resumes_after_the_server_and_worker_restart(
    store_url: str, tmp_path: Path
) -> None:
    roots = tmp_path / "evidence"
    _exhibit(roots / "seized", FILES)
    store = SqlStore.open(store_url)
    root = operator(store)
    accounts.add_user(
        store, root, "eve", agency="alpha", roles=frozenset({Role.EXAMINER}), password=None
    )
    _, token = authentication.create_token(store, root, user="eve")
    casefile.open_case(store, operator(store, "alpha"), "OP-RESTART")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(sys.path),
        "INTERLINK_DB": store_url,
        "INTERLINK_HOME": str(tmp_path / "home"),
        "INTERLINK_EVIDENCE_ROOTS": str(roots),
        "INTERLINK_WORKERS": "1",
    }
    log = tmp_path / "processes.log"
    server, base = _serve(env, log)
    worker = _start_worker(env, log)
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
            submitted = http.post(
                "/api/v1/cases/OP-RESTART/scans", json={"path": str(roots / "seized")}
            )
            assert submitted.status_code == 202, submitted.text
            job = submitted.json()["id"]
            seen = _until(http, job, lambda j: j["progress"]["files_done"] >= 4)
            assert seen["state"] == "running"
        # The whole server goes down mid-scan: the API process and the worker.
        _stop(worker, signal.SIGKILL)
        _stop(server, signal.SIGKILL)
        server, base = _serve(env, log)
        with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
            left = http.get(f"/api/v1/jobs/{job}").json()
            assert left["state"] == "running" and left["attempts"] == 1
            assert left["progress"]["files_done"] < FILES
            worker = _start_worker(env, log)
            done = _until(http, job, lambda j: j["state"] in ("done", "failed", "cancelled"))
            assert done["state"] == "done", log.read_text()[-2000:]
            assert done["attempts"] == 2 and done["result"]["resumed"] is True
            assert done["result"]["ingested"] + done["result"]["skipped"] == FILES
            assert done["result"]["summary"]["files"] == FILES
            listed = http.get("/api/v1/jobs", params={"case": "OP-RESTART"}).json()["items"]
            assert [j["id"] for j in listed] == [job]
            exhibits = http.get("/api/v1/cases/OP-RESTART/exhibits").json()["items"]
            assert [e["name"] for e in exhibits] == ["seized"]
        with store.engine.connect() as connection:
            stored = connection.execute(select(func.count()).select_from(sightings)).scalar()
        assert stored == FILES  # every file once
    finally:
        _stop(worker, signal.SIGTERM)
        _stop(server, signal.SIGTERM)
        store.close()
