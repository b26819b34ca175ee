"""The HTTP transport and the ``/federation/v1`` routes in process (a TestClient as the httpx
client): mutual peering by hello, replay and strangers refused with 401 and audited, the
per-peer rate limit, and the outbox's retries with backoff, idempotent on replay."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from interlink.adapters.sql.outbox import DONE, PENDING, OutboxRepository
from interlink.adapters.sql.store import SqlStore
from interlink.api.app import create_app
from interlink.domain.errors import PeerAuthenticationError, RateLimitedError
from interlink.domain.lists import HashList, ListEntry
from interlink.domain.signals import Signal
from interlink.federation.http import HttpTransport, PeerUnavailableError
from interlink.federation.signing import sign_request
from interlink.federation.transport import LISTS_PATH, Transport
from interlink.services import federation_outbox
from interlink.services.federation_node import PeerClient
from interlink.services.peers import LocalNode, add_peer, confirm_peering, get_peer, local_node
from interlink.settings import Settings

SHARE = """
format = "interlink-federation-policy/1"
[[lists]]
name = "known"
disclosure = "hashes"
"""
NOTHING = 'format = "interlink-federation-policy/1"\n'


@dataclass
class Served:
    """A node behind its application, reached through a TestClient."""

    store: SqlStore
    node: LocalNode
    client: TestClient

    def transport(self) -> HttpTransport:
        # The TestClient speaks httpx's client interface to the application in process.
        return HttpTransport("http://testserver", client=self.client)  # type: ignore[arg-type]


def _served(tmp: Path, agency: str) -> Served:
    url = f"sqlite:///{tmp / 'node.db'}"
    store = SqlStore.open(url)
    settings = Settings.load({}, home=tmp, database_url=url, agency=agency)
    app = create_app(settings, store=store)
    return Served(store, local_node(tmp, agency, agency), TestClient(app))


@pytest.fixture
def pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Served, Served]]:
    """B serves over HTTP; A is a store and identity that calls it."""
    monkeypatch.setenv("INTERLINK_FEDERATION_BURST", "40")
    monkeypatch.setenv("INTERLINK_FEDERATION_RATE", "0.01")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = _served(tmp_path / "a", "NCA")
    b = _served(tmp_path / "b", "BKA")
    add_peer(a.store, "http://testserver", b.node.fingerprint, NOTHING, name="bka", actor="t")
    yield a, b
    a.store.close()
    b.store.close()


def _fill(store: SqlStore, count: int) -> None:
    with store.transaction() as tx:
        list_id = store.lists.create(
            tx, HashList("known", "t", "v1", datetime.now(UTC)), fmt="csv", pdq_threshold=31
        )
        store.lists.add_entries(
            tx, list_id, [ListEntry(signals=(Signal("md5", f"{n:032x}"),)) for n in range(count)]
        )


def test_hello_is_refused_until_the_peer_pins_this_node_then_mutual(
    pair: tuple[Served, Served],
) -> None:
    a, b = pair
    peer = get_peer(a.store, "bka")
    with pytest.raises(PeerAuthenticationError):
        confirm_peering(a.store, a.node, peer, b.transport(), actor="t")
    assert [r.action for r in b.store.audit.records()][-1] == "federation.request.refused"
    add_peer(b.store, "http://a.example", a.node.fingerprint, SHARE, name="nca", actor="t")
    confirmed = confirm_peering(a.store, a.node, peer, b.transport(), actor="t")
    assert confirmed.agency == "BKA" and confirmed.public_key is not None
    assert get_peer(b.store, "nca").agency == "NCA"  # B learnt A from the hello
    assert "federation.hello" in [r.action for r in b.store.audit.records()]


def test_a_replayed_or_stranger_request_is_refused_with_401(
    pair: tuple[Served, Served], tmp_path: Path
) -> None:
    a, b = pair
    add_peer(b.store, "http://a.example", a.node.fingerprint, SHARE, name="nca", actor="t")
    signed = sign_request(a.node.identity, "GET", LISTS_PATH, b"", recipient=b.node.fingerprint)
    first = b.client.get(LISTS_PATH, headers=signed.headers())
    assert first.status_code == 200
    again = b.client.get(LISTS_PATH, headers=signed.headers())
    assert again.status_code == 401 and "replay" in again.json()["detail"]
    stranger = local_node(tmp_path / "stranger", "x", "x")
    forged = sign_request(stranger.identity, "GET", LISTS_PATH, b"", recipient=b.node.fingerprint)
    assert b.client.get(LISTS_PATH, headers=forged.headers()).status_code == 401
    refused = [r for r in b.store.audit.records() if r.action == "federation.request.refused"]
    assert len(refused) == 2


def test_each_peer_is_rate_limited(pair: tuple[Served, Served]) -> None:
    a, b = pair
    add_peer(b.store, "http://a.example", a.node.fingerprint, SHARE, name="nca", actor="t")
    client = PeerClient(a.node, get_peer(a.store, "bka"), b.transport())
    with pytest.raises(RateLimitedError):
        for _ in range(41):
            client.shared_lists()
    # A rate-limited exchange is retried later, not failed.
    assert federation_outbox.transient(RateLimitedError("requests", 1))


class Flaky:
    """A transport whose peer is down for the first ``down`` requests."""

    def __init__(self, inner: Transport, down: int) -> None:
        self.inner = inner
        self.down = down
        self.calls = 0

    def send(self, method: str, path: str, headers: dict[str, str], body: bytes) -> bytes:
        self.calls += 1
        if self.calls <= self.down:
            raise PeerUnavailableError("http://testserver", "ConnectError")
        return self.inner.send(method, path, headers, body)


def test_a_pull_is_queued_retried_with_backoff_and_idempotent(
    pair: tuple[Served, Served], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = pair
    monkeypatch.setenv("INTERLINK_FEDERATION_BACKOFF", "0")
    add_peer(b.store, "http://a.example", a.node.fingerprint, SHARE, name="nca", actor="t")
    _fill(b.store, 30)
    peer = get_peer(a.store, "bka")
    flaky = Flaky(b.transport(), down=2)
    assert federation_outbox.enqueue(a.store, peer, federation_outbox.PULL)
    assert not federation_outbox.enqueue(a.store, peer, federation_outbox.PULL)  # still owed
    outcomes = federation_outbox.run_due(a.store, a.node, transport_for=lambda _p: flaky)
    assert [(o.state, o.attempts) for o in outcomes] == [(PENDING, 1)]
    assert outcomes[0].retry_in is not None and "ConnectError" in (outcomes[0].error or "")
    outcomes = federation_outbox.run_due(a.store, a.node, transport_for=lambda _p: flaky)
    assert [(o.state, o.attempts) for o in outcomes] == [(PENDING, 2)]
    outcomes = federation_outbox.run_due(a.store, a.node, transport_for=lambda _p: flaky)
    assert [(o.state, o.attempts) for o in outcomes] == [(DONE, 3)]
    assert outcomes[0].detail["added"] == 30
    # Pulled again: nothing new, nothing twice.
    outcomes = federation_outbox.sync(a.store, a.node, [peer], transport_for=lambda _p: flaky)
    assert outcomes[0].state == DONE and outcomes[0].detail["added"] == 0
    assert len(list(a.store.lists.entries(a.store.lists.get("bka/known").id))) == 30
    actions = [r.action for r in a.store.audit.records()]
    assert actions.count("federation.exchange.retry") == 2


def test_backoff_doubles_up_to_the_cap_with_jitter() -> None:
    import random

    rng = random.Random(1)
    delays = [federation_outbox.backoff(n, base=2.0, rng=rng) for n in range(1, 12)]
    assert 1.0 <= delays[0] <= 2.0 and 2.0 <= delays[1] <= 4.0
    assert all(d <= federation_outbox.BACKOFF_CAP for d in delays)
    assert delays[-1] >= federation_outbox.BACKOFF_CAP / 2


def test_a_one_off_exchange_is_not_armed_again(pair: tuple[Served, Served]) -> None:
    a, _ = pair
    peer = get_peer(a.store, "bka")
    repo = OutboxRepository(a.store.engine)
    assert federation_outbox.enqueue(a.store, peer, "hit", "k1", "{}", rearm=False)
    (owed,) = repo.all(peer.id)
    repo.finish(owed.id, DONE, now=datetime.now(UTC), attempts=1)
    assert not federation_outbox.enqueue(a.store, peer, "hit", "k1", "{}", rearm=False)
    assert [e.state for e in repo.all(peer.id)] == [DONE]
