"""The index protocol every signal index follows, exact or Hamming.

An index maps signal values to integer ids (list entries, media). It knows nothing of what an
id means; the algorithm (the signal type) and the index stay separate.

``SignalIndex`` is the string protocol every index implements. ``HammingCodeIndex`` extends it
for 256-bit Hamming indexes with a NumPy fast path (``add_codes``, ``query_codes``,
``query_variant_codes``) that takes codes as arrays (see ``interlink.index.codes``) and returns
``CodeMatches``, so that millions of values never pass through Python strings or ``Hit``
objects. The string methods stay the reference behaviour: both paths answer the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, slots=True, order=True)
class Hit:
    """A stored id whose value is ``distance`` from the query (0 for exact indexes)."""

    distance: int
    id: int


class SignalIndex(Protocol):
    """Search over stored (value, id) pairs.

    Contract: ``query`` returns every stored pair within ``radius`` of the query value, each id
    once with its smallest distance, sorted by (distance, id), and nothing farther: no
    approximate misses. Exact indexes accept only radius 0. ``remove`` drops every pair of the
    given ids. An index saved with ``save`` and opened again answers every query the same.
    """

    def add(self, values: Sequence[str], ids: Sequence[int]) -> None:
        """Store ``values[i]`` under ``ids[i]``; values are normalised signal values."""
        ...

    def remove(self, ids: Iterable[int]) -> int:
        """Forget every value stored under these ids; return how many pairs went."""
        ...

    def query(self, value: str, radius: int = 0) -> list[Hit]:
        """Every stored id within ``radius`` of ``value``."""
        ...

    def query_batch(self, values: Sequence[str], radii: int | Sequence[int] = 0) -> list[list[Hit]]:
        """``query`` for each value, with one radius for all or one per value."""
        ...

    def query_variants(self, variants: Sequence[str], radius: int = 0) -> list[Hit]:
        """Every id within ``radius`` of any variant (the 8 PDQ dihedral hashes of one image),
        each once with its smallest distance."""
        ...

    def save(self, path: Path) -> None:
        """Persist atomically: a crash mid-save leaves the previous file intact."""
        ...

    def __len__(self) -> int:
        """How many (value, id) pairs are stored."""
        ...


@dataclass(frozen=True, slots=True)
class CodeMatches:
    """Hits of a batch of queries, as arrays: query ``i``'s hits are ``ids[starts[i]:starts[i+1]]``
    with ``distances`` alongside, each id once with its smallest distance, sorted by
    (distance, id) — the same hits, in the same order, as the string methods return."""

    starts: npt.NDArray[np.int64]
    ids: npt.NDArray[np.int64]
    distances: npt.NDArray[np.int32]

    def __len__(self) -> int:
        return len(self.starts) - 1

    def hits(self, query: int) -> list[Hit]:
        """Query ``query``'s hits as ``Hit`` records."""
        low, high = int(self.starts[query]), int(self.starts[query + 1])
        return [
            Hit(d, i)
            for d, i in zip(
                self.distances[low:high].tolist(), self.ids[low:high].tolist(), strict=True
            )
        ]


class HammingCodeIndex(SignalIndex, Protocol):
    """A Hamming index over 256-bit codes with an array fast path.

    Codes are ``(n, 4)`` ``uint64`` or ``(n, 32)`` ``uint8`` arrays (``interlink.index.codes``);
    ids are ``int64``. Radii are non-negative; one for all queries or one per query.
    """

    def add_codes(self, codes: npt.ArrayLike, ids: npt.ArrayLike) -> None:
        """``add`` for code arrays."""
        ...

    def query_codes(self, codes: npt.ArrayLike, radii: int | npt.ArrayLike = 0) -> CodeMatches:
        """``query_batch`` for code arrays."""
        ...

    def query_variant_codes(
        self, variants: npt.ArrayLike, radii: int | npt.ArrayLike = 0
    ) -> CodeMatches:
        """``query_variants`` for a batch of images: ``variants`` is ``(q, v, 4)`` ``uint64`` or
        ``(q, v, 32)`` ``uint8`` (``v`` variants of each of ``q`` images, e.g. the 8 PDQ
        dihedral hashes); one result per image, radii per image."""
        ...


def best_per_id(
    queries: int,
    owners: npt.NDArray[np.int64],
    ids: npt.NDArray[np.int64],
    distances: npt.NDArray[np.int32],
) -> CodeMatches:
    """Hits ``(owners[j], ids[j], distances[j])`` reduced to each id once per query with its
    smallest distance, sorted by (query, distance, id)."""
    order = np.lexsort((distances, ids, owners))
    owners, ids, distances = owners[order], ids[order], distances[order]
    first = np.ones(len(ids), np.bool_)
    first[1:] = (owners[1:] != owners[:-1]) | (ids[1:] != ids[:-1])
    owners, ids, distances = owners[first], ids[first], distances[first]
    order = np.lexsort((ids, distances, owners))
    counts = np.bincount(owners, minlength=queries)
    starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return CodeMatches(starts, ids[order], distances[order].astype(np.int32))


def radii_for(values: Sequence[str], radii: int | Sequence[int]) -> list[int]:
    """One radius per value, checking lengths agree."""
    if isinstance(radii, int):
        return [radii] * len(values)
    if len(radii) != len(values):
        raise ValueError(f"{len(values)} values but {len(radii)} radii")
    return list(radii)


def merge_hits(groups: Iterable[Iterable[Hit]]) -> list[Hit]:
    """Each id once with its smallest distance, sorted by (distance, id)."""
    best: dict[int, int] = {}
    for group in groups:
        for hit in group:
            known = best.get(hit.id)
            if known is None or hit.distance < known:
                best[hit.id] = hit.distance
    return sorted(Hit(distance, ident) for ident, distance in best.items())
