"""A server process's writer of its tokens' last uses.

A request whose token is due a last-use write (at most once a minute per token and process,
``token_auth``) hands the time over here and goes on: it never waits for that transaction.
One long-lived thread per server process writes every last use handed over since its previous
write, in one transaction. Every use of a token is in the audit log whatever happens here;
the last use is what the token lists show. The thread belongs to the writer, not to a
request's event loop, so a write handed over is never dropped because a loop ended; the
server flushes the writer when it shuts down (``close``), and a failed write is logged and
its times tried again with the next.
"""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import datetime

from interlink.adapters.sql.store import SqlStore

_log = logging.getLogger(__name__)

#: How many failed writes in a row a time is kept for before it is given up (and logged).
RETRIES = 3


class LastUseWriter:
    """Writes tokens' last uses in the background; see the module docstring."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store
        self._cond = threading.Condition()
        self._pending: dict[uuid.UUID, datetime] = {}
        self._failures = 0
        self._writing = False
        self._closed = False
        self._thread: threading.Thread | None = None
        #: Transactions written, for tests and benchmarks.
        self.writes = 0

    def note(self, token_id: uuid.UUID, at: datetime) -> None:
        """Hand over ``token_id``'s use at ``at``; returns at once."""
        with self._cond:
            self._closed = False  # a use after ``close`` starts the thread again
            known = self._pending.get(token_id)
            if known is None or at > known:
                self._pending[token_id] = at
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="token-last-use", daemon=True
                )
                self._thread.start()
            self._cond.notify_all()

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until everything handed over so far is written (or given up); whether it was
        within ``timeout`` seconds."""
        with self._cond:
            return self._cond.wait_for(
                lambda: not self._pending and not self._writing, timeout=timeout
            )

    def close(self, timeout: float = 30.0) -> None:
        """Write what is left and stop the thread (a later ``note`` starts it again)."""
        self.flush(timeout)
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: bool(self._pending) or self._closed)
                if not self._pending:
                    self._thread = None
                    return
                batch, self._pending = self._pending, {}
                self._writing = True
            failed = not self._write(batch)
            with self._cond:
                if failed:
                    self._failures += 1
                    if self._failures < RETRIES:
                        for token_id, at in batch.items():
                            if token_id not in self._pending or self._pending[token_id] < at:
                                self._pending[token_id] = at
                    else:
                        _log.error("gave up writing %d tokens' last use", len(batch))
                        self._failures = 0
                else:
                    self._failures = 0
                    self.writes += 1
                self._writing = False
                self._cond.notify_all()

    def _write(self, batch: dict[uuid.UUID, datetime]) -> bool:
        try:
            with self._store.transaction() as tx:
                self._store.accounts.touch_tokens(tx, batch)
        except Exception:  # a background thread: logged, and tried again with the next write
            _log.exception("writing %d tokens' last use failed", len(batch))
            return False
        return True
