"""``GET /api/v1/audit``: the filter looks through the whole log (not one page), in the query
that also keeps an agency admin to its agency's users' records, and the cursor goes on where
a full page stopped, in either order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from interlink.domain.principal import Role
from interlink.services import audit_access
from tests.api.node import Node, build_node, operator


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    tmp: Path = tmp_path_factory.mktemp("audit-api")
    built = build_node(f"sqlite:///{tmp / 'node.db'}", tmp)
    for n in range(7):
        for agency in ("alpha", "beta"):
            built.store.audit.record(
                actor=f"{agency}/needle-{n}",
                action="probe.Needle_Read",
                object_type="case",
                object_id=f"C-{n}",
            )
        for filler in range(6):  # more than a page of other records between the needles
            built.store.audit.record(
                actor="alpha/someone", action="other.thing", object_type="x", object_id=str(filler)
            )
    yield built
    built.store.close()


def _all(node: Node, **params: Any) -> list[dict[str, Any]]:
    """Every record an agency admin of alpha reads, three a page."""
    client = node.client(node.tokens[("alpha", Role.AGENCY_ADMIN)])
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        asked = params | {"limit": 3} | ({"cursor": cursor} if cursor else {})
        answer = client.get("/api/v1/audit", params=asked)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        assert len(page["items"]) == 3 or page["next_cursor"] is None  # every page full
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


def test_the_filter_finds_every_match_in_the_whole_log_a_full_page_at_a_time(node: Node) -> None:
    found = _all(node, q="NEEDLE_read")
    assert {r["actor"] for r in found} == {f"alpha/needle-{n}" for n in range(7)}
    ids = [r["id"] for r in found]
    assert ids == sorted(ids)
    newest_first = _all(node, q="needle_read", sort="-id")
    assert [r["id"] for r in newest_first] == ids[::-1]


def test_the_filter_matches_actor_action_or_object(node: Node) -> None:
    found = _all(node, q="c-3")
    assert "C-3" in {r["object_id"] for r in found}
    # and nothing else: every record found holds the text (a random UUID object may: "…5c-32…")
    fields = ("actor", "action", "object_id")
    assert all(any("c-3" in str(r[f] or "").lower() for f in fields) for r in found)
    assert {r["actor"] for r in _all(node, q="alpha/needle-1")} == {"alpha/needle-1"}
    assert _all(node, q="needle%read") == []  # % is a character, not a wildcard


def test_the_local_operator_filters_every_agencys_records(node: Node) -> None:
    records, more = audit_access.audit_listing(
        node.store, operator(node.store), sort="-id", containing="needle", after_id=0, limit=20
    )
    assert not more and len(records) == 14
    assert {r.actor.split("/")[0] for r in records} == {"alpha", "beta"}


def test_a_sort_other_than_the_id_is_refused(node: Node) -> None:
    client = node.client(node.tokens[("alpha", Role.AGENCY_ADMIN)])
    answer = client.get("/api/v1/audit", params={"sort": "actor"})
    assert answer.status_code == 422 and "sort" in answer.text
