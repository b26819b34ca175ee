"""The index protocol every signal index follows, exact or Hamming.

An index maps signal values to integer ids (list entries, media). It knows nothing of what an
id means; the algorithm (the signal type) and the index stay separate.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


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
