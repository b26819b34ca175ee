"""The application ``interlink serve``'s worker processes build from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from interlink.adapters.sql.store import SqlStore
from interlink.api.server import app_from_environment


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
