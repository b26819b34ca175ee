"""The server's federation worker: a background thread that owes every peer a pull each
``interval`` seconds and carries out due exchanges (``federation_outbox.run_due``).

It runs beside the request handlers, never inside one: a partner that is down or slow delays
only this thread's work for that partner (requests time out, and peers run in parallel).
"""

from __future__ import annotations

import logging
import threading
import time

from interlink.adapters.sql.store import SqlStore
from interlink.services.federation_outbox import (
    PULL,
    TransportFor,
    enqueue,
    http_transport,
    run_due,
)
from interlink.services.peers import LocalNode

_LOG = logging.getLogger("interlink.federation")
#: Seconds between periodic pulls from every peer (``INTERLINK_FEDERATION_INTERVAL``; 0 off).
INTERVAL = 60.0


class FederationWorker:
    """Periodic pulls and retries, on a daemon thread."""

    def __init__(
        self,
        store: SqlStore,
        node: LocalNode,
        *,
        interval: float = INTERVAL,
        tick: float = 0.5,
        transport_for: TransportFor = http_transport,
    ) -> None:
        self.store = store
        self.node = node
        self.interval = interval
        self.tick = tick
        self.transport_for = transport_for
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="interlink-federation", daemon=True
            )
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the thread to stop and wait a little for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def round(self, *, arm: bool) -> int:
        """One round: owe every peer a pull (``arm``), then run what is due. Returns the
        number of exchanges attempted."""
        if arm:
            for peer in self.store.peers.all():
                enqueue(self.store, peer, PULL)
        return len(run_due(self.store, self.node, transport_for=self.transport_for))

    def _run(self) -> None:
        last = 0.0
        while not self._stop.is_set():
            now = time.monotonic()
            arm = now - last >= self.interval
            if arm:
                last = now
            try:
                self.round(arm=arm)
            except Exception:  # the worker outlives any one failure; it is logged
                _LOG.exception("federation round failed")
            self._stop.wait(self.tick)
