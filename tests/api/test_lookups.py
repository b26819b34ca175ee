"""Lookups through the API with the server's own setting (the lists rechecked in the
background): a single lookup answered from memory on the event loop is the same answer, still
audited, still refused to a revoked token or a bad value."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from interlink.api.deps import ServerOptions
from interlink.domain.principal import Role
from tests.api.node import KNOWN_PDQ, Node, build_node


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    tmp: Path = tmp_path_factory.mktemp("lookups")
    built = build_node(f"sqlite:///{tmp / 'node.db'}", tmp, options=ServerOptions())
    yield built
    built.store.close()


def test_single_lookups_from_memory_answer_and_are_audited(node: Node) -> None:
    client = node.client(node.tokens[("alpha", Role.INVESTIGATOR)])
    uses = len([r for r in node.store.audit.records() if r.action == "token.use"])
    answers = [client.get(f"/api/v1/lookups/pdq/{code}") for code in [*KNOWN_PDQ, "1" * 64]]
    assert [a.status_code for a in answers] == [200] * 4
    assert node.app.state.interlink.lookups.in_memory()
    assert [[m["distance"] for m in a.json()["matches"]] for a in answers] == [[0], [0], [0], []]
    assert {a.json()["matches"][0]["category"] for a in answers[:3]} == {"uk:A"}
    after = len([r for r in node.store.audit.records() if r.action == "token.use"])
    assert after == uses + 4


def test_a_bad_value_or_a_revoked_token_is_refused(node: Node) -> None:
    client = node.client(node.tokens[("alpha", Role.INVESTIGATOR)])
    client.get(f"/api/v1/lookups/pdq/{KNOWN_PDQ[0]}")
    bad = client.get("/api/v1/lookups/pdq/not-hex")
    assert bad.status_code == 422 and "value" in bad.text
    assert node.client(node.revoked).get(f"/api/v1/lookups/pdq/{KNOWN_PDQ[0]}").status_code == 401
    assert node.client().get(f"/api/v1/lookups/pdq/{KNOWN_PDQ[0]}").status_code == 401
