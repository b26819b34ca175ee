"""The audit log's group write on PostgreSQL, in as few round trips as the chain allows.

A batch of records is chained after the head and committed in one transaction. On psycopg's
connection in pipeline mode, with the transaction begun and committed by statements in the
pipeline (psycopg's own ``BEGIN`` and commit would each add a round trip):

- **Two round trips** (``_append_locked``): the head read under its row lock (with ``BEGIN``),
  then the records, the head's move and ``COMMIT``. The default driver path took five.
- **One round trip** (``_append_guessed``), when the node's server processes share the head
  in a file (``HeadHint``): under the file's lock, the records are chained after the head the
  file holds, and one pipeline moves the head only if it still is that hash (the head row is
  locked by that update) and fails the transaction otherwise, inserts the records and commits.
  A writer elsewhere (a job worker, the command line, another node) leaves the file behind:
  the guess fails, is rolled back, and the batch takes the two round trips. The database's
  check keeps the chain linear whatever the file says; the file only saves the read.

Every caller still returns only once the transaction carrying its record has committed.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from interlink.audit_verifier import GENESIS, record_digest

_HEAD = "SELECT hash, count FROM audit_head WHERE id = 1 FOR UPDATE"
_NEW_HEAD = "INSERT INTO audit_head (id, hash, count) VALUES (1, %s, 0)"
_INSERT = (
    "INSERT INTO audit_log (at, actor, action, object_type, object_id, before, after,"
    " prev_hash, hash) VALUES (%(at)s, %(actor)s, %(action)s, %(object_type)s, %(object_id)s,"
    " %(before)s, %(after)s, %(prev_hash)s, %(hash)s)"
)
_MOVE_HEAD = "UPDATE audit_head SET hash = %s, count = %s WHERE id = 1"
#: Moves the head from the guessed hash, or divides by zero (the pipeline's later statements,
#: the commit included, are then skipped) when the head is no longer that hash.
_MOVE_GUESSED = (
    "WITH moved AS (UPDATE audit_head SET hash = %(hash)s, count = count + %(added)s"
    " WHERE id = 1 AND hash = %(guess)s RETURNING 1) SELECT 1 / count(*) FROM moved"
)
#: psycopg's ``TransactionStatus.IDLE``.
_IDLE = 0
#: Characters of a record's hash (hex SHA-256).
_HASH_CHARS = 64


def chained(
    prev_hash: str, batch: Sequence[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[str]]:
    """The rows of ``batch`` (field dicts) chained after ``prev_hash``, in order, and their
    hashes."""
    rows: list[dict[str, Any]] = []
    digests: list[str] = []
    for each in batch:
        at = datetime.now(UTC)
        # Store exactly what was hashed: a JSON round trip normalises tuples, keys, types.
        fields = json.loads(json.dumps(each, default=str))
        digest = record_digest(prev_hash, at.isoformat(), fields)
        rows.append({"at": at, "prev_hash": prev_hash, "hash": digest, **fields})
        digests.append(digest)
        prev_hash = digest
    return rows, digests


class HeadHint:
    """The hash of the chain's head as this node's server processes last committed it, in a
    small file they share, and the file's lock, which a process holds while it writes a batch
    (so that on one node only the writers elsewhere can move the head behind the file)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        # ``flock`` excludes other processes; this excludes the process's other threads.
        self._threads = threading.Lock()

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._threads:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def read(self) -> str | None:
        """The head's hash the file holds, if it holds one."""
        text = os.pread(self._fd, _HASH_CHARS + 1, 0).decode("ascii", "replace")
        return text if len(text) == _HASH_CHARS else None

    def write(self, digest: str) -> None:
        os.pwrite(self._fd, digest.encode("ascii"), 0)
        os.ftruncate(self._fd, _HASH_CHARS)

    def close(self) -> None:
        os.close(self._fd)


def append_batch(driver: Any, batch: Sequence[dict[str, Any]], hint: HeadHint | None) -> list[str]:
    """Chain ``batch`` after the head and commit it on psycopg's connection ``driver``; return
    the records' hashes (see the module docstring)."""
    if hint is None or not batch:
        return _append_locked(driver, batch)
    with hint.held():
        guess = hint.read()
        digests = _append_guessed(driver, batch, guess) if guess is not None else None
        if digests is None:
            digests = _append_locked(driver, batch)
        hint.write(digests[-1])
        return digests


def _as_json(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` with ``before`` and ``after`` as the JSON columns store them (None as JSON
    null)."""
    from psycopg.types.json import Json

    for row in rows:
        row["before"], row["after"] = Json(row["before"]), Json(row["after"])
    return rows


@contextmanager
def _transaction(driver: Any) -> Iterator[Any]:
    """A cursor in pipeline mode for statements that begin and commit their own transaction;
    rolled back if anything fails."""
    driver.autocommit = True
    try:
        with driver.pipeline(), driver.cursor() as cursor:
            yield cursor
    except BaseException:
        if not driver.closed and driver.info.transaction_status != _IDLE:
            driver.execute("ROLLBACK")
        raise
    finally:
        if not driver.closed:
            driver.autocommit = False


def _append_locked(driver: Any, batch: Sequence[dict[str, Any]]) -> list[str]:
    """Two round trips: the head read under its lock, then the records and the commit."""
    with _transaction(driver) as cursor:
        cursor.execute("BEGIN")
        cursor.execute(_HEAD)
        head = cursor.fetchone()
        if head is None:
            cursor.execute(_NEW_HEAD, (GENESIS,))
            prev_hash, count = GENESIS, 0
        else:
            prev_hash, count = str(head[0]), int(head[1])
        rows, digests = chained(prev_hash, batch)
        if rows:
            cursor.executemany(_INSERT, _as_json(rows))
            cursor.execute(_MOVE_HEAD, (digests[-1], count + len(rows)))
        cursor.execute("COMMIT")
    return digests


def _append_guessed(driver: Any, batch: Sequence[dict[str, Any]], guess: str) -> list[str] | None:
    """One round trip, if the head still is ``guess``; None (nothing written) if it is not."""
    from psycopg.errors import DivisionByZero

    rows, digests = chained(guess, batch)
    moved = {"hash": digests[-1], "added": len(rows), "guess": guess}
    try:
        with _transaction(driver) as cursor:
            cursor.execute("BEGIN")
            cursor.execute(_MOVE_GUESSED, moved)
            cursor.executemany(_INSERT, _as_json(rows))
            cursor.execute("COMMIT")
    except DivisionByZero:  # the head moved: rolled back, nothing written
        return None
    return digests
