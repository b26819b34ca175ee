"""The seam between a node and the way its requests reach a peer.

A ``Transport`` carries one signed request (method, path, headers, body bytes) to a peer and
returns the response body. The HTTP adapter (mTLS, ``httpx``) implements it against
``interlink serve``; ``adapters/memory/federation.LoopbackTransport`` is the in-process twin
that calls the peer's ``services.federation_node.handle`` directly and records every byte.
"""

from __future__ import annotations

from typing import Protocol

#: The paths a node serves to its peers (under the peer's base URL).
LISTS_PATH = "/federation/v1/lists"
BATCH_PATH = "/federation/v1/batch"
OVERLAP_OPEN_PATH = "/federation/v1/overlap/open"
OVERLAP_QUERY_PATH = "/federation/v1/overlap/query"
OVERLAP_REVEAL_PATH = "/federation/v1/overlap/reveal"
#: A peer proves it pinned this node (and learns this node's name and agency).
HELLO_PATH = "/federation/v1/hello"
#: Deconfliction: the watches a peer offers; hit reports on this node's watches.
WATCHES_PATH = "/federation/v1/watches"
HITS_PATH = "/federation/v1/hits"
#: The figures of this node's operation joined with the peer's (counts only).
OPERATION_FIGURES_PATH = "/federation/v1/operations/figures"


class Transport(Protocol):
    """Carries one request to one peer."""

    def send(self, method: str, path: str, headers: dict[str, str], body: bytes) -> bytes:
        """Deliver the request; return the response body. Errors the peer answers with are
        raised as the matching ``InterlinkError``; an unreachable peer as ``OSError``."""
        ...
