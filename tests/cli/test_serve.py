"""``interlink serve`` runs the API under uvicorn on 127.0.0.1: health, readiness, a token
call, and no token in the server's access log (which is off unless asked for)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from interlink.adapters.sql.store import SqlStore
from interlink.domain.principal import Role
from interlink.services import accounts, authentication
from tests.api.node import operator
from tests.cli.test_app import run


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
def test_serve_answers_on_loopback(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'node.db'}"
    store = SqlStore.open(url)
    accounts.add_user(
        store,
        operator(store),
        "ivy",
        agency="alpha",
        roles=frozenset({Role.INVESTIGATOR}),
        password=None,
    )
    _, secret = authentication.create_token(store, operator(store), user="ivy")
    store.close()
    port = _free_port()
    log = tmp_path / "server.log"
    env = {**os.environ, "INTERLINK_DB": url, "INTERLINK_HOME": str(tmp_path)}
    with log.open("wb") as out:
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
                "--access-log",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 240
            while True:
                try:
                    if httpx.get(f"{base}/healthz", timeout=10).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, log.read_text()
                assert server.poll() is None, log.read_text()
                time.sleep(0.2)
            with httpx.Client(base_url=base, timeout=120) as http:
                assert http.get("/readyz").json()["status"] == "ready"
                me = http.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {secret}"})
                assert me.status_code == 200 and me.json()["name"] == "ivy"
                spec = http.get("/api/v1/openapi.json").json()
            assert "/api/v1/lookups" in spec["paths"]
            assert json.dumps(spec).count("x-interlink-rule") > 10
        finally:
            server.terminate()
            server.wait(timeout=30)
    text = log.read_text()
    assert "GET /api/v1/auth/me" in text and secret not in text


def test_the_access_log_is_off_unless_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("INTERLINK_DB", "INTERLINK_HOME", "INTERLINK_FEDERATION_INTERVAL"):
        monkeypatch.setenv(name, "")  # restored afterwards: ``serve`` sets them for its workers
    monkeypatch.setenv("INTERLINK_ACTOR", "tester")
    asked: list[bool] = []

    def served(host: str, port: int, workers: int, *, access_log: bool) -> None:
        asked.append(access_log)

    monkeypatch.setattr("interlink.api.server.run", served)
    db = f"sqlite:///{tmp_path / 'node.db'}"
    assert run(["--db", db, "serve"], capsys)[0] == 0
    assert run(["--db", db, "serve", "--access-log"], capsys)[0] == 0
    assert asked == [False, True]
