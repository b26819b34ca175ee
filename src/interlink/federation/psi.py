"""Private set intersection (ECDH, ``openmined-psi``) in the shapes a node needs: bytes in,
bytes out, and the server's setup reusable per set and client-size bucket.

The server (the node that holds the list) blinds its items with its key into a setup message
(a Golomb-compressed set); the client blinds its items with its own key into a request; the
server blinds the request again; the client learns the intersection, or only its size when
the server's instance does not reveal it. Neither side sees the other's items in the clear.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import private_set_intersection.python as psi
from google.protobuf.message import DecodeError

from interlink.domain.errors import FormatError

#: Probability that one query yields any false positive.
FPR = 1e-9
#: The smallest client-size bucket a setup is built for.
MIN_BUCKET = 1024


def bucket(client_items: int) -> int:
    """The client-size bucket a setup is built for: the next power of two (at least
    ``MIN_BUCKET``), so setups are reused across queries of similar size."""
    size = MIN_BUCKET
    while size < client_items:
        size *= 2
    return size


@dataclass
class ServerSet:
    """One set of server items under one key, with its setups cached per bucket."""

    items: Sequence[str]
    key: bytes = field(
        default_factory=lambda: psi.server.CreateWithNewKey(True).GetPrivateKeyBytes()
    )
    _setups: dict[int, bytes] = field(default_factory=dict)

    def setup(self, client_items: int) -> bytes:
        """The setup message for a query of ``client_items`` items (cached per bucket)."""
        size = bucket(client_items)
        if size not in self._setups:
            server = psi.server.CreateFromKey(self.key, True)
            message = server.CreateSetupMessage(FPR, size, list(self.items))
            self._setups[size] = message.SerializeToString()
        return self._setups[size]

    def answer(self, request: bytes, *, reveal: bool) -> bytes:
        """The server's answer to a client request; with ``reveal`` false the answer only
        lets the client count the intersection."""
        parsed = psi.Request()
        try:
            parsed.ParseFromString(request)
            server = psi.server.CreateFromKey(self.key, reveal)
            return bytes(server.ProcessRequest(parsed).SerializeToString())
        except (RuntimeError, ValueError, DecodeError) as exc:
            raise FormatError(f"PSI request refused: {exc}", "overlap") from exc


@dataclass(frozen=True)
class ClientQuery:
    """A client's blinded request and the key to read the answer with."""

    key: bytes
    request: bytes

    @classmethod
    def of(cls, items: Sequence[str], *, reveal: bool) -> ClientQuery:
        """Blind ``items`` under a fresh key, for an answer that reveals the intersection or
        (``reveal`` false) only its size."""
        client = psi.client.CreateWithNewKey(reveal)
        return cls(
            client.GetPrivateKeyBytes(), client.CreateRequest(list(items)).SerializeToString()
        )

    def intersection(self, setup: bytes, response: bytes) -> list[int]:
        """Indexes (into the client's items) of the items the server holds."""
        server_setup, answer = psi.ServerSetup(), psi.Response()
        server_setup.ParseFromString(setup)
        answer.ParseFromString(response)
        client = psi.client.CreateFromKey(self.key, True)
        return sorted(int(i) for i in client.GetIntersection(server_setup, answer))

    def size(self, setup: bytes, response: bytes) -> int:
        """How many of the client's items the server holds."""
        server_setup, answer = psi.ServerSetup(), psi.Response()
        server_setup.ParseFromString(setup)
        answer.ParseFromString(response)
        return int(
            psi.client.CreateFromKey(self.key, False).GetIntersectionSize(server_setup, answer)
        )
