"""Visual duplicates: media whose PDQ hashes (any dihedral variant) are within the threshold of
each other, grouped transitively."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from interlink.index.base import SignalIndex
from interlink.index.brute import BruteForceHammingIndex
from interlink.signals import pdq


@dataclass(frozen=True, slots=True)
class PdqSignal:
    """A media's PDQ, its quality and its 8 dihedral variants (empty if unknown)."""

    value: str
    quality: int | None
    variants: tuple[str, ...] = ()


def visual_groups(
    signals: Mapping[str, PdqSignal],
    *,
    threshold: int = pdq.THRESHOLD,
    index: Callable[[], SignalIndex] = BruteForceHammingIndex,
) -> list[frozenset[str]]:
    """Groups (of two or more) of media keys whose PDQs link within ``threshold``.

    Hashes of quality under ``pdq.MIN_QUALITY`` never link. Groups are sorted by their
    smallest key; linking is transitive (single linkage).
    """
    usable = sorted(
        key
        for key, signal in signals.items()
        if signal.quality is None or signal.quality >= pdq.MIN_QUALITY
    )
    if len(usable) < 2:
        return []
    searcher = index()
    searcher.add([signals[key].value for key in usable], list(range(len(usable))))
    parent = list(range(len(usable)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, key in enumerate(usable):
        signal = signals[key]
        for hit in searcher.query_variants(signal.variants or (signal.value,), threshold):
            a, b = find(i), find(hit.id)
            if a != b:
                parent[max(a, b)] = min(a, b)
    members: dict[int, set[str]] = {}
    for i, key in enumerate(usable):
        members.setdefault(find(i), set()).add(key)
    return sorted((frozenset(g) for g in members.values() if len(g) > 1), key=min)
