"""Deconfliction across nodes in process: watches cross only under ``send_watches``, hit what
the partner already holds, are reported back only under ``report_hits`` (once, replays
stored once), and are withdrawn when the origin withdraws them or the peering ends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from interlink.adapters.sql.outbox import OutboxRepository
from interlink.adapters.sql.remote_watches import RemoteWatchRepository
from interlink.demo.images import encode, scene
from interlink.domain.errors import PolicyRefusalError
from interlink.linking.deconfliction import Disclosure, TriggerKind
from interlink.services import federation_outbox
from interlink.services.cases import acting_agency
from interlink.services.federation_node import PeerClient
from interlink.services.federation_watches import (
    deliver_hit,
    pull_watches,
    queue_hit_reports,
    reported_hits,
)
from interlink.services.peers import get_peer, remove_peer
from interlink.services.scan import ScanOptions, scan_exhibit
from interlink.services.watches import TriggerSpec, add_watch, hit_views, withdraw_watch
from tests.federation.nodes import NOTHING, Node, make_node, peer, transport

SEND = NOTHING + "[deconfliction]\nsend_watches = true\n"
REPORT = NOTHING + "[deconfliction]\nreport_hits = true\n"


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[tuple[Node, Node, str]]:
    """A (NCA) watches a file B (BKA) already holds in its case DE-1."""
    a = make_node(tmp_path / "a", f"sqlite:///{tmp_path / 'a.db'}", "node-a", "NCA")
    b = make_node(tmp_path / "b", f"sqlite:///{tmp_path / 'b.db'}", "node-b", "BKA")
    exhibit = tmp_path / "exhibit"
    exhibit.mkdir()
    (exhibit / "one.png").write_bytes(encode(scene(7, (64, 48)), "PNG"))
    bka = acting_agency(b.store, "BKA", "DE", actor="t")
    scan_exhibit(b.store, exhibit, case="DE-1", options=ScanOptions(workers=0), agency=bka)
    (held,) = b.store.holdings.seizure("DE-1")
    yield a, b, held.sha256
    a.store.close()
    b.store.close()


def _watch(a: Node, sha256: str) -> None:
    nca = acting_agency(a.store, "NCA", "GB", actor="t")
    add_watch(
        a.store,
        nca,
        [TriggerSpec(TriggerKind.SHA256, sha256)],
        title="series X",
        disclosure=Disclosure.CASE,
        actor="t",
    )


def test_a_watch_crosses_hits_held_media_and_is_reported_once(
    nodes: tuple[Node, Node, str],
) -> None:
    a, b, sha256 = nodes
    _watch(a, sha256)
    peer(a, b, "bka", SEND)
    peer(b, a, "nca", REPORT)
    client = PeerClient(b.node, get_peer(b.store, "nca"), transport(a))
    counts = pull_watches(b.store, b.node, get_peer(b.store, "nca"), client, actor="t")
    assert counts == {"offered": 1, "added": 1, "withdrawn": 0, "hits": 1}
    again = pull_watches(b.store, b.node, get_peer(b.store, "nca"), client, actor="t")
    assert again["added"] == 0  # pulling again adds nothing
    bka = b.store.cases.agency("BKA")
    assert [v["title"] for v in hit_views(b.store, bka) if v["side"] == "hitter"] == ["series X"]
    assert queue_hit_reports(b.store, get_peer(b.store, "nca")) == 1
    assert queue_hit_reports(b.store, get_peer(b.store, "nca")) == 0  # owed once
    outcomes = federation_outbox.run_due(b.store, b.node, transport_for=lambda _p: transport(a))
    assert [o.state for o in outcomes] == ["done"]
    (report,) = reported_hits(a.store)
    assert report["agency"]["name"] == "BKA" and report["case"] == "DE-1"
    assert report["items"] == 1 and report["subjects"] is None  # disclosure "case"
    # A replayed report is stored once.
    (owed,) = [e for e in OutboxRepository(b.store.engine).all() if e.kind == "hit"]
    assert deliver_hit(client, owed.body) == {"key": owed.key, "new": False}
    assert len(reported_hits(a.store)) == 1
    assert "federation.hit.replay" in [r.action for r in a.store.audit.records()]


def test_watches_cross_only_under_the_policy_and_hits_report_only_under_it(
    nodes: tuple[Node, Node, str],
) -> None:
    a, b, sha256 = nodes
    _watch(a, sha256)
    peer(a, b, "bka")  # sends no watches
    peer(b, a, "nca")  # reports no hits
    client = PeerClient(b.node, get_peer(b.store, "nca"), transport(a))
    with pytest.raises(PolicyRefusalError):
        pull_watches(b.store, b.node, get_peer(b.store, "nca"), client, actor="t")
    assert "federation.watches.refused" in [r.action for r in a.store.audit.records()]
    assert client.shared_lists() == [] and client.offer["watches"] is False
    assert queue_hit_reports(b.store, get_peer(b.store, "nca")) == 0


def test_withdrawn_at_the_origin_or_unpeered_the_watch_stops(
    nodes: tuple[Node, Node, str],
) -> None:
    a, b, sha256 = nodes
    _watch(a, sha256)
    peer(a, b, "bka", SEND)
    peer(b, a, "nca", REPORT)
    client = PeerClient(b.node, get_peer(b.store, "nca"), transport(a))
    pull_watches(b.store, b.node, get_peer(b.store, "nca"), client, actor="t")
    (local,) = RemoteWatchRepository(b.store.engine).mapped()
    nca = a.store.cases.agency("NCA")
    (origin,) = a.store.watches.alerts(agency_id=nca.id)
    withdraw_watch(a.store, origin.id, nca, actor="t")
    counts = pull_watches(b.store, b.node, get_peer(b.store, "nca"), client, actor="t")
    assert counts["withdrawn"] == 1 and b.store.watches.get(local).withdrawn_at is not None
    _watch(a, sha256)
    pull_watches(b.store, b.node, get_peer(b.store, "nca"), client, actor="t")
    active = [w for w in RemoteWatchRepository(b.store.engine).mapped() if w != local]
    remove_peer(b.store, "nca", actor="t")
    assert all(b.store.watches.get(w).withdrawn_at is not None for w in active)
