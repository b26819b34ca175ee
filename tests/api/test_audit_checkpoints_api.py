"""Audit checkpoints from the server: made on demand by a node admin (as ``interlink audit
checkpoint``), exported for the stand-alone verifier, and made by the running server itself
when due (its lifespan's periodic task) and at shutdown."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from interlink.adapters.sql.store import SqlStore
from interlink.api.app import create_app
from interlink.api.deps import ServerOptions
from interlink.audit_verifier import check_document
from interlink.domain.principal import Role
from interlink.services.audit import verify_node_audit
from interlink.settings import Settings
from tests.api.node import Node, build_node, operator


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    tmp: Path = tmp_path_factory.mktemp("checkpoints")
    built = build_node(f"sqlite:///{tmp / 'node.db'}", tmp)
    yield built
    built.store.close()


def test_a_node_admin_makes_one_on_demand_and_anyone_verifying_exports_them(node: Node) -> None:
    admin = node.client(node.tokens[("alpha", Role.NODE_ADMIN)])
    made = admin.post("/api/v1/audit/checkpoints")
    assert made.status_code == 201, made.text
    document = made.json()
    head, problem = check_document(document)
    assert not problem and head is not None
    assert document["checkpoint"]["seq"] == 1
    second = admin.post("/api/v1/audit/checkpoints").json()
    assert second["checkpoint"]["seq"] == 2
    assert second["checkpoint"]["count"] > document["checkpoint"]["count"]  # token use audited
    agency_admin = node.client(node.tokens[("alpha", Role.AGENCY_ADMIN)])
    exported = agency_admin.get("/api/v1/audit/checkpoints", params={"limit": 1})
    assert exported.status_code == 200
    assert exported.json()["items"] == [document]
    rest = agency_admin.get(
        "/api/v1/audit/checkpoints", params={"cursor": exported.json()["next_cursor"]}
    ).json()
    assert rest["items"] == [second] and rest["next_cursor"] is None
    assert agency_admin.post("/api/v1/audit/checkpoints").status_code == 403
    settings = node.app.state.interlink.settings
    assert verify_node_audit(node.store, settings, second).ok


def test_the_running_server_signs_checkpoints_when_due(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'node.db'}"
    store = SqlStore.open(url)
    settings = Settings.load(
        {"INTERLINK_AUDIT_CHECKPOINT_SECONDS": "0.01"}, home=tmp_path, database_url=url
    )
    operator(store)  # an audited change: the chain is not empty
    app = create_app(settings, store=store, options=ServerOptions(checkpoint_check_seconds=0.05))
    assert store.checkpoints.last() is None
    try:
        with TestClient(app):
            deadline = time.monotonic() + 20
            while store.checkpoints.last() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            first = store.checkpoints.last()
            assert first is not None, "the server signed no checkpoint"
            operator(store, "gamma")  # the chain grows while the server runs
        # ... and the server signs its head once more as it stops.
        last = store.checkpoints.last()
        with store.engine.connect() as connection:
            head = store.audit.head(connection)
        assert last is not None and last.count == head.count > first.count
        assert settings.audit_key_path.exists()
        assert verify_node_audit(store, settings).ok
    finally:
        store.close()
