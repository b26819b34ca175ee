"""Scanned items and problems, committed to the store in batches (by count or age)."""

from __future__ import annotations

import time
from typing import Any

from interlink.adapters.sql.store import SqlStore
from interlink.domain.problems import Problem
from interlink.domain.scan import ScannedFile
from interlink.services.scan_options import ScanOptions


class BatchWriter:
    """Buffers scanned items and commits them in batches (by count or age)."""

    def __init__(
        self, store: SqlStore, scan_id: Any, exhibit_id: Any, options: ScanOptions
    ) -> None:
        self._store = store
        self._scan_id = scan_id
        self._exhibit_id = exhibit_id
        self._options = options
        self._files: list[tuple[int, ScannedFile]] = []
        self._problems: list[Problem] = []
        self._since = time.monotonic()

    def add_file(self, seq: int, item: ScannedFile) -> None:
        self._files.append((seq, item))
        self._maybe_flush()

    def add_problem(self, problem: Problem) -> None:
        self._problems.append(problem)
        self._maybe_flush()

    def _maybe_flush(self) -> None:
        size = len(self._files) + len(self._problems)
        age = time.monotonic() - self._since
        if size >= self._options.batch_size or age >= self._options.batch_seconds:
            self.flush()

    def flush(self) -> None:
        if self._files or self._problems:
            with self._store.transaction() as tx:
                self._store.media.record(
                    tx, self._scan_id, self._exhibit_id, self._files, self._problems
                )
        self._files, self._problems = [], []
        self._since = time.monotonic()
