"""Two nodes in one process for federation tests: each its own store, identity and peering
of the other, connected by loopback transports that record every byte."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from interlink.adapters.memory.federation import LoopbackTransport
from interlink.adapters.sql.peers import PeerRecord
from interlink.adapters.sql.store import SqlStore
from interlink.services.peers import LocalNode, add_peer, get_peer, local_node

NOTHING = 'format = "interlink-federation-policy/1"\n'


@dataclass
class Node:
    """One node: its store and identity."""

    store: SqlStore
    node: LocalNode


def make_node(home: Path, url: str, name: str, agency: str) -> Node:
    """A node with its own store at ``url`` and identity under ``home``."""
    return Node(SqlStore.open(url), local_node(home, name, agency))


def peer(a: Node, b: Node, name: str, policy: str = NOTHING) -> PeerRecord:
    """Make ``a`` peer ``b`` under ``name`` with ``policy`` (what ``a`` lets flow to ``b``)."""
    add_peer(a.store, f"https://{name}.example", b.node.fingerprint, policy, name=name, actor="t")
    return get_peer(a.store, name)


def transport(to: Node) -> LoopbackTransport:
    """A loopback transport delivering requests to ``to``."""
    return LoopbackTransport(to.store, to.node)
