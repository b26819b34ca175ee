"""Exchanges with peers, queued and retried with backoff.

Nothing a user does waits on a partner: a scan, a page or ``peers add`` records what it owes a
peer here (``enqueue``), and ``run_due`` (the server's federation worker, or ``peers sync``)
carries it out. A partner that is down, slow (timeouts) or rate-limiting is retried later,
with exponential backoff and jitter; a refusal by policy or a malformed answer ends the
exchange as ``failed`` (audited), and the next periodic sync arms it again. Every exchange is
idempotent on replay: a pull resumes from its stored cursor, a hello only re-confirms.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from interlink.adapters.sql.outbox import DONE, FAILED, PENDING, Exchange, OutboxRepository
from interlink.adapters.sql.peers import PeerRecord
from interlink.adapters.sql.store import SqlStore
from interlink.domain.errors import (
    InterlinkError,
    NotFoundError,
    PeerAuthenticationError,
    RateLimitedError,
)
from interlink.federation.transport import Transport
from interlink.services.peers import LocalNode

HELLO, PULL = "hello", "pull"
#: The state ``sync`` reports for an exchange another process is carrying out.
RUNNING = "running"
#: First retry after about this many seconds (``INTERLINK_FEDERATION_BACKOFF``), doubling
#: each attempt up to ``BACKOFF_CAP`` (lower with ``INTERLINK_FEDERATION_BACKOFF_CAP``).
BACKOFF_BASE = 2.0
BACKOFF_CAP = 300.0
#: How long a claimed exchange is protected from other processes (seconds).
LEASE = 600.0
#: Timeout of one request in an exchange (seconds).
EXCHANGE_TIMEOUT = 30.0

TransportFor = Callable[[PeerRecord], Transport]


def http_transport(peer: PeerRecord) -> Transport:
    """The HTTP transport to ``peer``'s URL."""
    from interlink.federation.http import HttpTransport

    return HttpTransport(peer.url, timeout=EXCHANGE_TIMEOUT)


def backoff(attempts: int, *, base: float | None = None, rng: random.Random | None = None) -> float:
    """Seconds before attempt ``attempts + 1``: ``base * 2^(attempts-1)``, capped, with
    jitter (half to all of it) so peers recovering together do not call back in step."""
    if base is None:
        base = float(os.environ.get("INTERLINK_FEDERATION_BACKOFF", BACKOFF_BASE))
    cap = float(os.environ.get("INTERLINK_FEDERATION_BACKOFF_CAP", BACKOFF_CAP))
    delay = min(cap, BACKOFF_CAP, base * 2 ** max(0, attempts - 1))
    return float(delay * (0.5 + (rng or random).random() / 2))


def transient(error: BaseException) -> bool:
    """Whether an exchange failing with ``error`` is worth retrying: the peer unreachable,
    slow or rate-limiting, or not (yet) having pinned this node."""
    return isinstance(error, OSError | RateLimitedError | PeerAuthenticationError)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt of an exchange did."""

    peer: str
    kind: str
    key: str
    state: str
    attempts: int
    error: str | None = None
    retry_in: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def document(self) -> dict[str, Any]:
        """As JSON."""
        return {
            "peer": self.peer,
            "kind": self.kind,
            "key": self.key,
            "state": self.state,
            "attempts": self.attempts,
            "error": self.error,
            "retry_in": None if self.retry_in is None else round(self.retry_in, 1),
            "detail": self.detail,
        }


def enqueue(
    store: SqlStore,
    peer: PeerRecord,
    kind: str,
    key: str = "",
    body: str = "",
    *,
    rearm: bool = True,
) -> bool:
    """Owe ``kind`` (``key``) to ``peer``, due now; ``False`` if it was already pending (or,
    without ``rearm``, already owed at all: a one-off exchange such as a hit report)."""
    with store.transaction() as tx:
        return OutboxRepository(store.engine).enqueue(
            tx, peer.id, kind, key or kind, body, now=datetime.now(UTC), rearm=rearm
        )


def _perform(
    store: SqlStore, node: LocalNode, peer: PeerRecord, exchange: Exchange, transport: Transport
) -> dict[str, Any]:
    from interlink.services import federation_operations, federation_watches
    from interlink.services.federation_node import PeerClient
    from interlink.services.federation_sync import pull_peer
    from interlink.services.peers import confirm_peering

    actor = f"node:{node.name}"
    client = PeerClient(node, peer, transport)
    if exchange.kind == HELLO:
        record = confirm_peering(store, node, peer, transport, actor=actor)
        return {"mutual": True, "agency": record.agency}
    if exchange.kind == PULL:
        from interlink.services.federation_sync import BATCH_LIMIT

        limit = int(os.environ.get("INTERLINK_FEDERATION_BATCH", BATCH_LIMIT))
        results = pull_peer(store, node, peer, transport, actor=actor, limit=limit, client=client)
        watches = None
        if client.offer.get("watches"):
            watches = federation_watches.pull_watches(store, node, peer, client, actor=actor)
        reports = federation_watches.queue_hit_reports(store, peer)
        figures = 0
        if client.offer.get("operations"):
            figures = federation_operations.queue_figure_pulls(store, peer)
        return {
            "watches": watches,
            "hit_reports_queued": reports,
            "figure_pulls_queued": figures,
            "batches": len(results),
            "added": sum(r.added for r in results),
            "changed": sum(r.changed for r in results),
            "deleted": sum(r.deleted for r in results),
            "lists": sorted({r.local_list for r in results}),
        }
    if exchange.kind == federation_watches.HIT:
        return federation_watches.deliver_hit(client, exchange.body)
    if exchange.kind == federation_operations.FIGURES:
        return federation_operations.deliver_figures(store, client, exchange.key)
    raise NotFoundError("exchange kind", exchange.kind)


def _audit(store: SqlStore, action: str, peer: str, after: dict[str, Any]) -> None:
    with store.transaction() as tx:
        store.audit.append(
            tx, actor="federation", action=action, object_type="peer", object_id=peer, after=after
        )


def attempt(
    store: SqlStore,
    node: LocalNode,
    peer: PeerRecord,
    exchange: Exchange,
    transport_for: TransportFor = http_transport,
) -> Outcome:
    """Carry out one claimed exchange and record its outcome (done, retried, failed)."""
    repo = OutboxRepository(store.engine)
    attempts = exchange.attempts + 1
    transport = transport_for(peer)
    try:
        detail = _perform(store, node, peer, exchange, transport)
    except (InterlinkError, OSError) as exc:
        now = datetime.now(UTC)
        reason = f"{type(exc).__name__}: {exc}"
        if transient(exc):
            wait = backoff(attempts)
            if isinstance(exc, RateLimitedError):
                wait = max(wait, float(exc.retry_after))
            repo.finish(
                exchange.id,
                PENDING,
                now=now,
                attempts=attempts,
                next_at=now + timedelta(seconds=wait),
                error=reason,
            )
            _audit(
                store,
                "federation.exchange.retry",
                peer.name,
                {
                    "kind": exchange.kind,
                    "attempts": attempts,
                    "retry_in": round(wait, 1),
                    "error": reason,
                },
            )
            return Outcome(peer.name, exchange.kind, exchange.key, PENDING, attempts, reason, wait)
        repo.finish(exchange.id, FAILED, now=now, attempts=attempts, error=reason)
        _audit(
            store,
            "federation.exchange.failed",
            peer.name,
            {"kind": exchange.kind, "attempts": attempts, "error": reason},
        )
        return Outcome(peer.name, exchange.kind, exchange.key, FAILED, attempts, reason)
    finally:
        close = getattr(transport, "close", None)
        if callable(close):
            close()
    repo.finish(exchange.id, DONE, now=datetime.now(UTC), attempts=attempts)
    return Outcome(peer.name, exchange.kind, exchange.key, DONE, attempts, detail=detail)


def run_due(
    store: SqlStore,
    node: LocalNode,
    *,
    transport_for: TransportFor = http_transport,
    peer: PeerRecord | None = None,
    parallel: int = 4,
) -> list[Outcome]:
    """Carry out every due exchange (of ``peer``, or of all peers), peers in parallel so a
    slow one delays only its own; return the outcomes."""
    repo = OutboxRepository(store.engine)
    now = datetime.now(UTC)
    peers = {p.id: p for p in store.peers.all()}
    by_peer: dict[Any, list[Exchange]] = {}
    for exchange in repo.due(now, peer_id=peer.id if peer else None):
        if exchange.peer_id in peers and repo.claim(exchange, now, LEASE):
            by_peer.setdefault(exchange.peer_id, []).append(exchange)

    def one_peer(exchanges: list[Exchange]) -> list[Outcome]:
        record = peers[exchanges[0].peer_id]
        # The hello first, then pulls: in the order they were owed.
        ordered = sorted(exchanges, key=lambda e: (e.kind != HELLO, e.next_at))
        return [attempt(store, node, record, e, transport_for) for e in ordered]

    if not by_peer:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(parallel, len(by_peer)))) as pool:
        done = list(pool.map(one_peer, by_peer.values()))
    return [outcome for outcomes in done for outcome in outcomes]


def sync(
    store: SqlStore,
    node: LocalNode,
    peers: list[PeerRecord],
    *,
    transport_for: TransportFor = http_transport,
) -> list[Outcome]:
    """Pull from ``peers`` now: owe each a pull, then run what is due for each (a pull owed
    but waiting for its backoff is attempted now too)."""
    repo = OutboxRepository(store.engine)
    outcomes: list[Outcome] = []
    for record in peers:
        enqueue(store, record, PULL)
        now = datetime.now(UTC)
        for exchange in repo.all(record.id):
            # Waiting for its backoff (never one another process holds: its lease is
            # longer than any backoff).
            waiting = now < exchange.next_at <= now + timedelta(seconds=BACKOFF_CAP)
            if exchange.state == PENDING and waiting:
                repo.finish(
                    exchange.id,
                    PENDING,
                    now=now,
                    attempts=exchange.attempts,
                    next_at=now,
                    error=exchange.last_error,
                )
        ran = run_due(store, node, transport_for=transport_for, peer=record)
        if not ran:  # another process (the server's worker) holds it right now
            ran = [Outcome(record.name, PULL, PULL, RUNNING, 0)]
        outcomes += ran
    return outcomes


def pending(store: SqlStore, peer: PeerRecord) -> list[dict[str, Any]]:
    """The exchanges owed to ``peer`` (for ``peers show``)."""
    return [
        {
            "kind": e.kind,
            "state": e.state,
            "attempts": e.attempts,
            "next_at": e.next_at.isoformat(),
            "last_error": e.last_error,
        }
        for e in OutboxRepository(store.engine).all(peer.id)
    ]
