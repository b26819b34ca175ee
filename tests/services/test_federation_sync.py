"""List sharing between two stores: adds, changes, tombstones, replays, refusals, votes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from interlink.domain.categories import Category
from interlink.domain.errors import ConflictError, PeerAuthenticationError, PolicyRefusalError
from interlink.domain.lists import HashList, ListEntry
from interlink.domain.signals import Signal
from interlink.federation.identity import generate_identity
from interlink.federation.signing import sign_document
from interlink.federation.transport import LISTS_PATH
from interlink.services.federation_node import PeerClient
from interlink.services.federation_sync import apply_batch, pull_peer
from interlink.services.peers import LocalNode
from tests.federation.nodes import Node, make_node, peer, transport

SHARE = """
format = "interlink-federation-policy/1"
[[lists]]
name = "known"
disclosure = "category"
"""


def _entry(n: int, code: str = "1") -> ListEntry:
    return ListEntry(
        signals=(Signal("sha256", f"{n:064x}"), Signal("md5", f"{n:032x}")),
        category=Category("projectvic-us", code),
        series=f"secret-series-{n}",
        external_id=f"ORIGIN-ID-{n}",
    )


def _fill(node: Node, name: str, entries: list[ListEntry]) -> int:
    with node.store.transaction() as tx:
        list_id = node.store.lists.find(tx, name)
        if list_id is None:
            list_id = node.store.lists.create(
                tx, HashList(name, "t", "v1", datetime.now(UTC)), fmt="csv", pdq_threshold=31
            )
        node.store.lists.add_entries(tx, list_id, entries)
    return list_id


@pytest.fixture
def both(store_url: str, tmp_path: Path) -> Iterator[tuple[Node, Node]]:
    """Node A on each backend in turn (B on SQLite)."""
    yield from _nodes(store_url, tmp_path)


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[tuple[Node, Node]]:
    """Both nodes on SQLite files."""
    yield from _nodes(f"sqlite:///{tmp_path / 'a.db'}", tmp_path)


def _nodes(url: str, tmp_path: Path) -> Iterator[tuple[Node, Node]]:
    a = make_node(tmp_path / "a", url, "node-a", "BKA")
    b = make_node(tmp_path / "b", f"sqlite:///{tmp_path / 'b.db'}", "node-b", "NCA")
    peer(a, b, "b", SHARE)
    peer(b, a, "a")
    yield a, b
    a.store.close()
    b.store.close()


def _pull(a: Node, b: Node) -> list[tuple[int, int, int, bool]]:
    results = pull_peer(b.store, b.node, _peer(b, "a"), transport(a), actor="t", limit=2)
    return [(r.added, r.changed, r.deleted, r.replay) for r in results]


def _peer(node: Node, name: str):  # type: ignore[no-untyped-def]
    from interlink.services.peers import get_peer

    return get_peer(node.store, name)


def _mirror(b: Node) -> dict[str, ListEntry]:
    stored = b.store.lists.get("a/known")
    return {e.external_id or "": e for _, e in b.store.lists.entries(stored.id)}


def test_adds_changes_and_tombstones_flow_in_signed_batches(both: tuple[Node, Node]) -> None:
    a, b = both
    list_id = _fill(a, "known", [_entry(n) for n in range(1, 4)])
    assert _pull(a, b) == [(2, 0, 0, False), (1, 0, 0, False)]
    mirror = _mirror(b)
    assert len(mirror) == 3
    one = next(iter(mirror.values()))
    assert one.category == Category("projectvic-us", "1")
    assert one.series is None  # "category" discloses no series
    assert not any("ORIGIN-ID" in key for key in mirror)  # the origin's ids never cross
    assert dict(one.extra)["agency"] == "BKA"

    with a.store.transaction() as tx:
        generation = a.store.lists.begin_import(tx, list_id)
        a.store.lists.sync(tx, list_id, generation, [_entry(2, "2"), _entry(9)], agency="known")
        a.store.lists.withdraw(tx, list_id, ["id:ORIGIN-ID-3"])
    assert _pull(a, b) == [(0, 1, 1, False), (1, 0, 0, False)]
    mirror = _mirror(b)
    assert len(mirror) == 3
    assert sorted(e.category.code for e in mirror.values() if e.category) == ["1", "1", "2"]
    origins = b.store.peers.origins(b.store.lists.get("a/known").id)
    assert {o.list for o in origins.values()} == {"known"}
    assert {o.node for o in origins.values()} == {a.node.fingerprint}
    assert _pull(a, b) == [(0, 0, 0, True)]  # nothing new: a replay of the cursor
    assert a.store.audit.verify().ok and b.store.audit.verify().ok
    assert any(r.action == "federation.batch.export" for r in a.store.audit.records())
    assert any(r.action == "federation.batch.apply" for r in b.store.audit.records())


def test_replayed_batch_is_idempotent_and_a_gap_is_refused(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    _fill(a, "known", [_entry(n) for n in range(1, 6)])
    client = PeerClient(b.node, _peer(b, "a"), transport(a))
    first = client.batch("known", 0, 2)
    second = client.batch("known", 2, 2)
    assert apply_batch(b.store, b.node, _peer(b, "a"), first, actor="t").added == 2
    assert apply_batch(b.store, b.node, _peer(b, "a"), first, actor="t").replay
    assert apply_batch(b.store, b.node, _peer(b, "a"), second, actor="t").added == 2
    assert apply_batch(b.store, b.node, _peer(b, "a"), second, actor="t").replay
    rest = client.batch("known", 4, 2)
    assert apply_batch(b.store, b.node, _peer(b, "a"), rest, actor="t").added == 1
    assert len(_mirror(b)) == 5
    with pytest.raises(ConflictError):
        apply_batch(b.store, b.node, _peer(b, "a"), client.batch("known", 9, 2), actor="t")


def test_a_batch_with_a_bad_signature_is_refused_and_audited(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    _fill(a, "known", [_entry(1)])
    data = PeerClient(b.node, _peer(b, "a"), transport(a)).batch("known", 0, 10)
    envelope = json.loads(data)
    envelope["payload"]["changes"][0]["entry"]["category"] = ["projectvic-us", "2"]
    tampered = json.dumps(envelope).encode()
    with pytest.raises(PeerAuthenticationError, match="bad signature"):
        apply_batch(b.store, b.node, _peer(b, "a"), tampered, actor="t")
    stranger = LocalNode(generate_identity("x"), "x", "X")
    forged = sign_document(stranger.identity, envelope["payload"])
    with pytest.raises(PeerAuthenticationError, match="other than the pinned"):
        apply_batch(b.store, b.node, _peer(b, "a"), forged, actor="t")
    assert b.store.lists.all() == []
    refused = [r for r in b.store.audit.records() if r.action == "federation.batch.rejected"]
    assert len(refused) == 2


def test_unshared_list_and_replayed_request_are_refused(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    _fill(a, "known", [_entry(1)])
    _fill(a, "private", [_entry(7)])
    client = PeerClient(b.node, _peer(b, "a"), transport(a))
    assert [item["list"] for item in client.shared_lists()] == ["known"]
    with pytest.raises(PolicyRefusalError):
        client.batch("private", 0, 10)
    assert any(r.action == "federation.batch.refused" for r in a.store.audit.records())
    # The same signed request sent twice is a replay.
    sent = transport(a)
    from interlink.federation.signing import sign_request

    signature = sign_request(b.node.identity, "GET", LISTS_PATH, b"", recipient=a.node.fingerprint)
    sent.send("GET", LISTS_PATH, signature.headers(), b"")
    with pytest.raises(PeerAuthenticationError, match="replay"):
        sent.send("GET", LISTS_PATH, signature.headers(), b"")
    # A node nobody pinned is refused.
    stranger = LocalNode(generate_identity("x"), "x", "X")
    with pytest.raises(PeerAuthenticationError, match="no peer is pinned"):
        PeerClient(stranger, _peer(b, "a"), transport(a)).shared_lists()


def test_peer_votes_count_toward_the_trusted_grade(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    _fill(a, "known", [_entry(1)])
    local = ListEntry(
        signals=(Signal("sha256", f"{1:064x}"),),
        category=Category("projectvic-us", "1"),
        extra=(("agency", "Local Unit"),),
    )
    list_id = _fill(b, "mine", [local])
    assert b.store.list_views.stats(list_id, 2).trusted == 0
    _pull(a, b)
    assert b.store.list_views.stats(list_id, 2).trusted == 1
    stats = b.store.list_views.stats(b.store.lists.get("a/known").id, 2)
    assert stats.by_agency == {"BKA": 1}


class _Flaky:
    """Delivers ``good`` requests, then fails like a partner that went down."""

    def __init__(self, inner: object, good: int) -> None:
        self.inner, self.good = inner, good

    def send(self, method: str, path: str, headers: dict[str, str], body: bytes) -> bytes:
        if self.good <= 0:
            raise ConnectionResetError("partner went away")
        self.good -= 1
        return self.inner.send(method, path, headers, body)  # type: ignore[attr-defined, no-any-return]


def test_an_interrupted_pull_resumes_from_its_cursor_and_converges(
    nodes: tuple[Node, Node],
) -> None:
    a, b = nodes
    _fill(a, "known", [_entry(n) for n in range(1, 8)])
    with pytest.raises(ConnectionResetError):
        pull_peer(b.store, b.node, _peer(b, "a"), _Flaky(transport(a), 3), actor="t", limit=2)
    assert len(_mirror(b)) == 4  # two batches landed before the partner went away
    pull_peer(b.store, b.node, _peer(b, "a"), transport(a), actor="t", limit=2)
    mirror = _mirror(b)
    origin = a.store.lists.get("known")
    assert len(mirror) == 7 == origin.entries
    assert {e.signals for e in mirror.values()} == {
        e.signals for _, e in a.store.lists.entries(origin.id)
    }
