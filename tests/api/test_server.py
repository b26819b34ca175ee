"""How ``interlink serve`` sets up a worker from the environment: the node's rate limits shared
with the other workers, its lookup indexes opened in the background as it starts, so its
first lookups answer from memory, a short interpreter switch interval, and uvicorn's access
log off unless asked for."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from interlink.adapters.sql.store import SqlStore
from interlink.api import server, timing
from interlink.api.app import create_app
from interlink.api.deps import ServerOptions
from interlink.api.server import app_from_environment, open_lookup_indexes
from interlink.services.lists import import_list
from interlink.settings import Settings


def test_the_workers_of_a_node_share_its_login_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two applications on one home, as two worker processes are: the login attempts one
    takes are gone for the other (the limit is the node's, not each process's)."""
    url = f"sqlite:///{tmp_path / 'node.db'}"
    SqlStore.open(url).close()  # ``serve`` migrates before it starts the workers
    monkeypatch.setenv("INTERLINK_DB", url)
    monkeypatch.setenv("INTERLINK_HOME", str(tmp_path))
    first, second = app_from_environment(), app_from_environment()
    body = {"name": "nobody", "password": "x"}
    codes = []
    for app in (first, second) * 6:
        with TestClient(app, base_url="https://testserver") as client:
            codes.append(client.post("/api/v1/auth/login", json=body).status_code)
    # The default burst is 10 attempts a client, whichever process answers.
    assert codes == [401] * 10 + [429] * 2
    assert (tmp_path / "run" / "logins.buckets").is_file()


def test_a_starting_worker_opens_the_lookup_indexes_in_the_background(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'node.db'}"
    store = SqlStore.open(url)
    try:
        known = tmp_path / "known.csv"
        known.write_text("pdq,category\n" + "f" * 64 + ",uk:A\n")
        import_list(store, known, name="known")
        app = create_app(
            Settings.load({}, home=tmp_path, database_url=url), store=store, options=ServerOptions()
        )
        lookups = app.state.interlink.lookups
        assert not lookups.in_memory()
        seen: list[bool] = []
        open_lookup_indexes(app, then=lambda: seen.append(lookups.in_memory())).join(30)
        assert lookups.in_memory() and seen == [True]  # then: once the indexes are open
        assert [held.state.name for held in lookups.current(store)] == ["known"]
    finally:
        store.close()


def test_a_worker_hands_the_interpreter_lock_over_sooner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its event loop, the audit writer and the heavy requests' threads share the lock: a
    thread back from the database waits at most the switch interval for it."""
    url = f"sqlite:///{tmp_path / 'node.db'}"
    SqlStore.open(url).close()
    monkeypatch.setenv("INTERLINK_DB", url)
    monkeypatch.setenv("INTERLINK_HOME", str(tmp_path))
    before = sys.getswitchinterval()
    try:
        sys.setswitchinterval(0.005)
        app_from_environment()
        assert sys.getswitchinterval() == pytest.approx(server.SWITCH_INTERVAL_SECONDS)
        assert server.SWITCH_INTERVAL_SECONDS < 0.005
    finally:
        sys.setswitchinterval(before)


def test_uvicorn_logs_no_line_per_request_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    options: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: options.append(kwargs))
    server.run("127.0.0.1", 8800, 2)
    server.run("127.0.0.1", 8800, 2, access_log=True)
    assert [each["access_log"] for each in options] == [False, True]
    assert options[0]["workers"] == 2 and options[0]["host"] == "127.0.0.1"


def test_a_timed_worker_samples_its_event_loop_s_lag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With request timing on (the load benchmark's ``--phases``), each worker writes how late
    its event loop ran a short timer, once a second, beside the requests' timings."""
    url = f"sqlite:///{tmp_path / 'node.db'}"
    SqlStore.open(url).close()
    monkeypatch.setenv("INTERLINK_DB", url)
    monkeypatch.setenv("INTERLINK_HOME", str(tmp_path))
    monkeypatch.setenv(timing.ENVIRONMENT, str(tmp_path / "timing"))
    before = sys.getswitchinterval()
    try:
        with TestClient(app_from_environment()) as client:
            assert client.get("/healthz").status_code == 200
            deadline = time.monotonic() + 30
            lag = tmp_path / f"timing-lag.{os.getpid()}"
            while not lag.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
    finally:
        sys.setswitchinterval(before)
    at, samples = json.loads(lag.read_text(encoding="utf-8").splitlines()[0])
    assert at > 0 and samples and all(ms >= 0 for ms in samples)


def test_the_lag_probe_is_off_without_request_timing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'node.db'}"
    SqlStore.open(url).close()
    monkeypatch.setenv("INTERLINK_DB", url)
    monkeypatch.setenv("INTERLINK_HOME", str(tmp_path))
    monkeypatch.delenv(timing.ENVIRONMENT, raising=False)
    before = sys.getswitchinterval()
    try:
        app = app_from_environment()
    finally:
        sys.setswitchinterval(before)
    assert len(app.router.on_startup) == 2  # the threads started, the lookup indexes opened
