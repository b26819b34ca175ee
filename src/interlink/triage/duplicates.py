"""Visual duplicates: media whose PDQ hashes (any dihedral variant) are within the threshold of
each other, grouped transitively."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from interlink.index.base import HammingCodeIndex
from interlink.index.codes import codes_from_hex
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
    index: Callable[[], HammingCodeIndex] | None = None,
) -> list[frozenset[str]]:
    """Groups (of two or more) of media keys whose PDQs link within ``threshold``.

    Hashes of quality under ``pdq.MIN_QUALITY`` never link. Groups are sorted by their
    smallest key; linking is transitive (single linkage). All media are searched in one batch,
    in ``index()`` (by default a ``HammingIndex``, imported only when there are two hashes to
    compare: it loads numba).
    """
    usable = sorted(
        key
        for key, signal in signals.items()
        if signal.quality is None or signal.quality >= pdq.MIN_QUALITY
    )
    if len(usable) < 2:
        return []
    if index is None:
        from interlink.index.hamming import HammingIndex

        index = HammingIndex
    searcher = index()
    searcher.add_codes(codes_from_hex([signals[k].value for k in usable]), np.arange(len(usable)))
    width = max(len(signals[k].variants) or 1 for k in usable)
    rows: list[str] = []
    for key in usable:
        own = signals[key].variants or (signals[key].value,)
        rows.extend(own + (own[0],) * (width - len(own)))
    variants = codes_from_hex(rows).reshape(len(usable), width, 4)
    found = searcher.query_variant_codes(variants, threshold)
    parent = list(range(len(usable)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(usable)):
        for hit in found.ids[found.starts[i] : found.starts[i + 1]].tolist():
            a, b = find(i), find(int(hit))
            if a != b:
                parent[max(a, b)] = min(a, b)
    members: dict[int, set[str]] = {}
    for i, key in enumerate(usable):
        members.setdefault(find(i), set()).add(key)
    return sorted((frozenset(g) for g in members.values() if len(g) > 1), key=min)
