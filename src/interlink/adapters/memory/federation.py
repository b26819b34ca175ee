"""The in-process twin of the HTTP transport between nodes: a request goes straight to the
peer's ``handle`` (same authentication, policy and audit), and every byte each way is kept so
tests can inspect what crossed."""

from __future__ import annotations

from interlink.adapters.sql.store import SqlStore
from interlink.services.federation_node import handle
from interlink.services.peers import LocalNode


class LoopbackTransport:
    """Delivers requests to a node in this process; records the traffic."""

    def __init__(self, store: SqlStore, node: LocalNode) -> None:
        self.store = store
        self.node = node
        self.sent: list[bytes] = []
        self.received: list[bytes] = []

    def send(self, method: str, path: str, headers: dict[str, str], body: bytes) -> bytes:
        """Hand the request to the peer's node; return its answer."""
        header_bytes = "\n".join(f"{k}: {v}" for k, v in sorted(headers.items())).encode()
        self.sent.append(f"{method} {path}\n".encode() + header_bytes + b"\n\n" + body)
        answer = handle(self.store, self.node, dict(headers), method, path, body)
        self.received.append(answer)
        return answer

    @property
    def bytes_sent(self) -> int:
        """Bytes of every request so far (request line, headers and body)."""
        return sum(len(b) for b in self.sent)

    @property
    def bytes_received(self) -> int:
        """Bytes of every answer so far."""
        return sum(len(b) for b in self.received)
