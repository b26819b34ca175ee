"""libpq protocol traces of what a store sends to PostgreSQL, for tests that count round
trips."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event

from interlink.adapters.sql.store import SqlStore


def round_trips(trace: str) -> int:
    """How many times the client sent messages and then waited for the server's answer, in
    a libpq protocol trace (lines ``F``/``B``, length, message)."""
    trips, sending = 0, False
    for line in trace.splitlines():
        direction = line.split("\t", 1)[0]
        if direction == "F":
            sending = True
        elif direction == "B" and sending:
            trips, sending = trips + 1, False
    return trips


def traced(store: SqlStore, path: Path, action: Callable[[], object]) -> str:
    """The libpq protocol trace of what ``action`` sends on the store's connections."""
    from psycopg import pq

    traced: list[Any] = []
    with path.open("w") as handle:

        def trace(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
            pgconn = dbapi_connection.pgconn
            pgconn.trace(handle.fileno())
            pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
            traced.append(pgconn)

        event.listen(store.engine, "checkout", trace)
        try:
            action()
        finally:
            event.remove(store.engine, "checkout", trace)
            for pgconn in traced:
                pgconn.untrace()
    return path.read_text()
