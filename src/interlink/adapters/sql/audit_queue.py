"""PostgreSQL's audit records are written in two steps, as a transparency log's sequencer
writes them: a record is first committed to ``audit_queue`` (no lock: many writers at once),
then a chainer moves what is queued into ``audit_log``, hash-chained in the order it takes the
records, under the lock of the chain's head.

Why: the head's row lock orders the chain, and every writer used to wait for it, so the writers
of a busy node (each server worker's group commit, the job worker's and an import's
transactions, which hold it to their commit) queued behind each other on every request. Now
only chainers and checkpoints take it, and nothing a request waits for does.

What does not change: a record is committed before the action it records returns (a change's
record in the change's own transaction), in the same database, so nothing is ever only in
memory. Every read of the log (``records``, ``verify``, the export, a checkpoint, a page of the
log) first chains what is queued, so it sees every committed record. What is new: for the
moment a record waits in the queue (``CHAIN_SECONDS`` at most while a process that writes
records runs; until the next read otherwise) it is stored but not yet covered by the chain.

Each process that queues a record runs one chainer thread (started on its first record,
stopped and drained by ``AuditChainer.close``). Chainers of several processes are safe together:
each chains under the head's lock, taking the queued records committed by then.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from interlink.audit_verifier import GENESIS, record_digest

_log = logging.getLogger(__name__)

#: Longest a queued record waits for a running chainer, in seconds.
CHAIN_SECONDS = 0.25
#: Most records one chaining transaction moves.
CHAIN_BATCH = 5000

_PG_QUEUE = (
    "INSERT INTO audit_queue (at, actor, action, object_type, object_id, before, after)"
    " VALUES (%(at)s, %(actor)s, %(action)s, %(object_type)s, %(object_id)s, %(before)s,"
    " %(after)s)"
)
#: psycopg's ``TransactionStatus.IDLE``.
_IDLE = 0


def normalised(fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` as the log stores and hashes them: a JSON round trip turns tuples into
    lists, keys into text and other types (dates, ids) into their text."""
    loaded: dict[str, Any] = json.loads(json.dumps(fields, default=str))
    return loaded


def queued_row(fields: dict[str, Any]) -> dict[str, Any]:
    """The ``audit_queue`` row of a record made now."""
    return {"at": datetime.now(UTC), **normalised(fields)}


@contextmanager
def _own_transaction(driver: Any) -> Iterator[None]:
    """psycopg's connection ``driver`` in autocommit mode while the block begins and commits
    its transaction by statements in a pipeline (psycopg's own would each add a round trip);
    rolled back if the block fails inside it, and left out of autocommit mode after."""
    driver.autocommit = True
    try:
        yield
    except BaseException:
        if not driver.closed and driver.info.transaction_status != _IDLE:
            driver.execute("ROLLBACK")
        raise
    finally:
        if not driver.closed:
            driver.autocommit = False


def queue_pipelined(driver: Any, batch: Sequence[dict[str, Any]]) -> None:
    """Commit ``batch`` (field dicts) to the queue in one round trip, on psycopg's connection
    ``driver`` in pipeline mode (the transaction's start, the inserts and the commit together;
    the connection is in autocommit mode meanwhile, so psycopg adds none of its own)."""
    from psycopg.types.json import Json

    rows = []
    for fields in batch:
        row = queued_row(fields)
        row["before"], row["after"] = Json(row["before"]), Json(row["after"])
        rows.append(row)
    with _own_transaction(driver), driver.pipeline(), driver.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.executemany(_PG_QUEUE, rows)
        cursor.execute("COMMIT")


_PG_ANY = "SELECT EXISTS (SELECT 1 FROM audit_queue)"
_PG_HEAD = "SELECT hash, count FROM audit_head WHERE id = 1 FOR UPDATE"
_PG_NEW_HEAD = "INSERT INTO audit_head (id, hash, count) VALUES (1, %s, 0)"
_PG_TAKE = (
    "SELECT id, at, actor, action, object_type, object_id, before, after FROM audit_queue"
    " ORDER BY id LIMIT %s"
)
_PG_CHAIN = (
    "INSERT INTO audit_log (at, actor, action, object_type, object_id, before, after,"
    " prev_hash, hash) VALUES (%(at)s, %(actor)s, %(action)s, %(object_type)s, %(object_id)s,"
    " %(before)s, %(after)s, %(prev_hash)s, %(hash)s)"
)
_PG_UNQUEUE = "DELETE FROM audit_queue WHERE id = ANY(%s)"
_PG_MOVE_HEAD = "UPDATE audit_head SET hash = %s, count = %s WHERE id = 1"
_FIELDS = ("actor", "action", "object_type", "object_id", "before", "after")


def chained_rows(
    prev_hash: str, records: Iterable[tuple[datetime, dict[str, Any]]]
) -> list[dict[str, Any]]:
    """The ``audit_log`` rows of ``records`` (each its time and its normalised fields) chained
    after ``prev_hash``, in order: the one place both ways of writing (the queue's chainer,
    SQLite's at-once append) hash a record."""
    rows: list[dict[str, Any]] = []
    for at, fields in records:
        at = at.astimezone(UTC)
        digest = record_digest(prev_hash, at.isoformat(), fields)
        rows.append({"at": at, "prev_hash": prev_hash, "hash": digest, **fields})
        prev_hash = digest
    return rows


def chain_pipelined(driver: Any, limit: int = CHAIN_BATCH) -> int:
    """Move up to ``limit`` queued records into the log, chained after the head in the queue's
    order, on psycopg's connection ``driver``: one read of whether anything is queued (all
    when nothing is), then one transaction of two round trips: the transaction's start, the
    head's locked read and the queue's read in one; the log's rows, the queue's deletion, the
    head's move and the commit in the other. Returns how many moved."""
    from psycopg.types.json import Json

    with _own_transaction(driver):
        if not driver.execute(_PG_ANY).fetchone()[0]:
            return 0
        with driver.pipeline(), driver.cursor() as heads, driver.cursor() as takes:
            heads.execute("BEGIN")
            heads.execute(_PG_HEAD)
            takes.execute(_PG_TAKE, (limit,))
            head = heads.fetchone()
            queued = takes.fetchall()
            if head is None:
                heads.execute(_PG_NEW_HEAD, (GENESIS,))
                head = (GENESIS, 0)
            rows = chained_rows(
                str(head[0]),
                ((each[1], dict(zip(_FIELDS, each[2:], strict=True))) for each in queued),
            )
            if rows:
                ids = [int(each[0]) for each in queued]
                for row in rows:  # stored as the JSON column stores them (None as JSON null)
                    row["before"], row["after"] = Json(row["before"]), Json(row["after"])
                takes.executemany(_PG_CHAIN, rows)
                takes.execute(_PG_UNQUEUE, (ids,))
                takes.execute(_PG_MOVE_HEAD, (rows[-1]["hash"], int(head[1]) + len(rows)))
            takes.execute("COMMIT")
    return len(rows)


def settle(engine: Engine) -> int:
    """Chain everything queued (and committed) by now, ``CHAIN_BATCH`` records per
    transaction; return how many records moved. One cheap read when nothing is queued."""
    moved = 0
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        while True:
            done = chain_pipelined(driver)
            moved += done
            if done < CHAIN_BATCH:
                return moved


class AuditChainer:
    """One process's chainer: a daemon thread that settles the queue every ``CHAIN_SECONDS``
    once started, and a final time when closed."""

    def __init__(self, settle_now: Callable[[], int], *, every: float | None = None) -> None:
        self._settle = settle_now
        self._every = CHAIN_SECONDS if every is None else every
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread if it is not running (cheap when it is)."""
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(target=self._run, name="audit-chainer", daemon=True)
                self._thread.start()

    def close(self, timeout: float = 30.0) -> None:
        """Stop the thread and chain what is still queued."""
        with self._lock:
            self._stop.set()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
        self._settle_logged()

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            self._settle_logged()

    def _settle_logged(self) -> None:
        try:
            self._settle()
        except Exception:  # a background thread: logged, and tried again next time
            _log.exception("chaining the queued audit records failed")
