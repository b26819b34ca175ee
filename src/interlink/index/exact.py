"""Exact index for cryptographic hashes: O(1) lookup by value."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from interlink.domain.errors import IndexCorruptError
from interlink.index.base import Hit, merge_hits, radii_for

_FORMAT = "interlink-exact-index/1"


class ExactIndex:
    """Values to ids in a hash table. Radius must be 0."""

    def __init__(self) -> None:
        self._ids: dict[str, set[int]] = {}
        self._values: dict[int, set[str]] = {}
        self._count = 0

    def add(self, values: Sequence[str], ids: Sequence[int]) -> None:
        if len(values) != len(ids):
            raise ValueError(f"{len(values)} values but {len(ids)} ids")
        for value, ident in zip(values, ids, strict=True):
            bucket = self._ids.setdefault(value, set())
            if ident not in bucket:
                bucket.add(ident)
                self._values.setdefault(ident, set()).add(value)
                self._count += 1

    def remove(self, ids: Iterable[int]) -> int:
        removed = 0
        for ident in ids:
            for value in self._values.pop(ident, set()):
                bucket = self._ids[value]
                bucket.discard(ident)
                if not bucket:
                    del self._ids[value]
                removed += 1
        self._count -= removed
        return removed

    def query(self, value: str, radius: int = 0) -> list[Hit]:
        if radius != 0:
            raise ValueError("an exact index only answers radius 0")
        return [Hit(0, ident) for ident in sorted(self._ids.get(value, ()))]

    def query_batch(self, values: Sequence[str], radii: int | Sequence[int] = 0) -> list[list[Hit]]:
        return [self.query(v, r) for v, r in zip(values, radii_for(values, radii), strict=True)]

    def query_variants(self, variants: Sequence[str], radius: int = 0) -> list[Hit]:
        return merge_hits(self.query(v, radius) for v in variants)

    def save(self, path: Path) -> None:
        pairs = [[value, sorted(ids)] for value, ids in sorted(self._ids.items())]
        payload = json.dumps({"format": _FORMAT, "pairs": pairs})
        directory = path.parent
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path) -> ExactIndex:
        """Open an index written by ``save``; raise ``IndexCorruptError`` if it is damaged."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != _FORMAT:
                raise IndexCorruptError(str(path), "not an exact index of this version")
            index = cls()
            for value, ids in data["pairs"]:
                index.add([str(value)] * len(ids), [int(i) for i in ids])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexCorruptError(str(path), str(exc)) from exc
        return index

    def __len__(self) -> int:
        return self._count
