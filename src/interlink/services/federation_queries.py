"""Overlap queries to peers over HTTP, one answer per peer: what it holds of a case's media
and whom to contact, or why it did not answer (refused by its policy, audited on both sides;
or unavailable). A peer that is down or slow costs its own timeout, never the others'."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from interlink.adapters.sql.peers import PeerRecord
from interlink.adapters.sql.store import SqlStore
from interlink.domain.errors import PolicyRefusalError
from interlink.federation.http import HttpTransport
from interlink.services.overlap_query import OverlapResult, query_overlap
from interlink.services.peers import LocalNode

#: Seconds an overlap answer may take (the partner computes its PSI setup).
OVERLAP_TIMEOUT = 120.0


def result_document(result: OverlapResult) -> dict[str, Any]:
    """An overlap result as JSON."""
    return {
        "peer": result.peer,
        "mode": result.mode,
        "items": result.items,
        "shared": result.shared,
        "by_kind": result.by_kind,
        "candidates": result.candidates,
        "matches": [
            {
                "sha256": m.sha256,
                "via": m.via,
                "distance": m.distance,
                "contacts": [
                    {"agency": c.agency, "reference": c.reference, "source": c.source}
                    for c in m.contacts
                ],
            }
            for m in result.matches
        ],
    }


def ask_peers(
    store: SqlStore, node: LocalNode, peers: list[PeerRecord], case: str, *, actor: str
) -> list[dict[str, Any]]:
    """Ask each of ``peers`` (in parallel) about the media of ``case``."""
    items = store.holdings.seizure(case)

    def ask(peer: PeerRecord) -> dict[str, Any]:
        with HttpTransport(peer.url, timeout=OVERLAP_TIMEOUT) as transport:
            try:
                result = query_overlap(store, node, peer, transport, items, actor=actor, case=case)
            except PolicyRefusalError as exc:
                return {"peer": peer.name, "refused": exc.reason}
            except OSError as exc:
                return {"peer": peer.name, "unavailable": str(exc)}
        return result_document(result)

    if not peers:
        return []
    with ThreadPoolExecutor(max_workers=min(4, len(peers))) as pool:
        return list(pool.map(ask, peers))
