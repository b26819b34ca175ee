"""The compose file's processes, started by hand on this machine (there is no Docker engine
here): ``interlink serve`` on a fresh PostgreSQL schema, a Dask scheduler and one worker
started with Dask's own CLI, and the job worker (``interlink worker``). One scan submitted over
the API runs on the cluster and its result is checked; then every process is stopped.
Loopback only, ports picked free."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from distributed import Client

from interlink.adapters.sql.store import SqlStore
from interlink.demo.images import encode, scene
from interlink.domain.principal import Role
from interlink.services import accounts, authentication, casefile
from tests.api.node import operator
from tests.api.test_job_restart import _free_port, _serve, _until
from tests.cli.test_jobs import _start_worker, _stop

FILES = 6
DASK = str(Path(sys.executable).parent / "dask")
#: Every Dask process listens on the loopback address, its dashboard on a free port.
LOOPBACK = ["--host", "127.0.0.1", "--dashboard-address", "127.0.0.1:0"]


def _dask(arguments: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [DASK, *arguments], env=env, stdout=out, stderr=out, start_new_session=True
        )


def _tasks_run(address: str) -> int:
    """How many of the scan's batch tasks the scheduler has seen (``run_batch``)."""

    def count(dask_scheduler: object) -> int:
        prefixes = getattr(dask_scheduler, "task_prefixes", {})
        prefix = prefixes.get("run_batch")
        return 0 if prefix is None else int(sum(prefix.state_counts.values()))

    with Client(address, timeout=30) as client:
        return int(client.run_on_scheduler(count))


@pytest.mark.slow
@pytest.mark.postgres
def test_the_compose_processes_run_a_scan_on_the_cluster(postgres_url: str, tmp_path: Path) -> None:
    roots = tmp_path / "evidence"
    (roots / "phone").mkdir(parents=True)
    for i in range(FILES):
        (roots / "phone" / f"img{i}.jpg").write_bytes(encode(scene(40 + i, (320, 240))))
    store = SqlStore.open(postgres_url)
    root = operator(store)
    accounts.add_user(
        store, root, "eve", agency="alpha", roles=frozenset({Role.EXAMINER}), password=None
    )
    _, token = authentication.create_token(store, root, user="eve")
    casefile.open_case(store, operator(store, "alpha"), "OP-CLUSTER")
    store.close()
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(sys.path),
        "INTERLINK_DB": postgres_url,
        "INTERLINK_HOME": str(tmp_path / "home"),
        "INTERLINK_EVIDENCE_ROOTS": str(roots),
        "INTERLINK_DASK_SCHEDULER": address,
        "OMP_NUM_THREADS": "1",
    }
    log = tmp_path / "processes.log"
    started: list[subprocess.Popen[bytes]] = []
    try:
        started.append(_dask(["scheduler", "--port", str(port), *LOOPBACK], env, log))
        worker = ["worker", address, "--nthreads", "1", "--nworkers", "1", *LOOPBACK]
        started.append(_dask(worker, env, log))
        with Client(address, timeout=60) as client:
            client.wait_for_workers(1, timeout=60)
        server, base = _serve(env, log)
        started.append(server)
        started.append(_start_worker(env, log))
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
            submitted = http.post(
                "/api/v1/cases/OP-CLUSTER/scans", json={"path": str(roots / "phone")}
            )
            assert submitted.status_code == 202, submitted.text
            job = submitted.json()["id"]
            done = _until(http, job, lambda j: j["state"] in ("done", "failed", "cancelled"))
            assert done["state"] == "done", log.read_text()[-3000:]
            assert done["result"]["summary"]["files"] == FILES
            assert done["result"]["ingested"] == FILES
        assert _tasks_run(address) >= 1  # the files were analysed on the cluster
    finally:
        for process in reversed(started):
            _stop(process, signal.SIGTERM)
    assert all(process.poll() is not None for process in started)
