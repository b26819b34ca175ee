"""One long-lived background thread per purpose, started on first use: work handed to it is
queued, never waited for by the caller.

A request on a server's event loop that starts a thread waits (on the loop) until the new
thread has got the interpreter lock and a core, which under load takes milliseconds to tens of
milliseconds; handing work to a thread that already runs only appends to a queue. The thread
is a daemon, like the threads it replaces: a process that exits does not wait for work still
queued or under way (a lookup index being built, a token re-read).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

_log = logging.getLogger(__name__)


class BackgroundThread:
    """A daemon thread named ``name`` running queued calls one after another."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._queue: queue.SimpleQueue[tuple[Callable[..., Any], tuple[Any, ...]]] = (
            queue.SimpleQueue()
        )
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, fn: Callable[..., Any], *args: Any) -> None:
        """Queue ``fn(*args)``; it runs after what was queued before. An exception it raises
        is logged (the call's own handling comes first)."""
        self._queue.put((fn, args))
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                    self._thread.start()

    def _run(self) -> None:
        while True:
            fn, args = self._queue.get()
            try:
                fn(*args)
            except Exception:  # a background thread: nobody else would hear of it
                _log.exception("background work in %s failed", self._name)
