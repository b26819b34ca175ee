"""Visual duplicates: media whose PDQ hashes (any dihedral variant) are within the threshold of
each other, grouped transitively."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from interlink.index.base import HammingCodeIndex
from interlink.index.codes import codes_from_hex
from interlink.signals import pdq

#: Up to this many media the search compares every variant with every hash in NumPy: below it
#: that costs less than loading the index's compiled (numba) kernels, about 1.5 s of CPU.
BRUTE_FORCE_MAX = 4096
#: Distances computed per NumPy step of the brute force (bounds its temporary arrays).
_STEP_CELLS = 1 << 21


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
    smallest key; linking is transitive (single linkage). All media are searched in one batch:
    up to ``BRUTE_FORCE_MAX`` media by comparing every pair in NumPy, beyond that (or when
    ``index`` is given) in ``index()`` (by default a ``HammingIndex``, imported only then: it
    loads numba). Both find exactly the pairs within ``threshold``.
    """
    usable = sorted(
        key
        for key, signal in signals.items()
        if signal.quality is None or signal.quality >= pdq.MIN_QUALITY
    )
    if len(usable) < 2:
        return []
    codes = codes_from_hex([signals[k].value for k in usable])
    width = max(len(signals[k].variants) or 1 for k in usable)
    rows: list[str] = []
    for key in usable:
        own = signals[key].variants or (signals[key].value,)
        rows.extend(own + (own[0],) * (width - len(own)))
    variants = codes_from_hex(rows).reshape(len(usable), width, 4)
    if index is None and len(usable) <= BRUTE_FORCE_MAX:
        pairs = near_pairs(codes, variants, threshold)
    else:
        pairs = _indexed_pairs(codes, variants, threshold, index)
    parent = list(range(len(usable)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, hit in pairs:
        a, b = find(i), find(hit)
        if a != b:
            parent[max(a, b)] = min(a, b)
    members: dict[int, set[str]] = {}
    for i, key in enumerate(usable):
        members.setdefault(find(i), set()).add(key)
    return sorted((frozenset(g) for g in members.values() if len(g) > 1), key=min)


def near_pairs(
    codes: npt.NDArray[np.uint64], variants: npt.NDArray[np.uint64], threshold: int
) -> Iterator[tuple[int, int]]:
    """``(i, j)`` for every variant of media ``i`` (``variants[i]``, ``(n, v, 4)``) within
    ``threshold`` of the hash of ``j`` (``codes[j]``, ``(n, 4)``; ``j`` may be ``i``),
    comparing all of them."""
    images, width = variants.shape[:2]
    flat = variants.reshape(images * width, 4)
    step = max(1, _STEP_CELLS // max(1, len(codes)))
    for start in range(0, len(flat), step):
        queries = flat[start : start + step]
        distance = np.zeros((len(queries), len(codes)), np.uint16)
        for word in range(4):
            distance += np.bitwise_count(queries[:, None, word] ^ codes[None, :, word])
        found, hits = np.nonzero(distance <= threshold)
        yield from zip(((found + start) // width).tolist(), hits.tolist(), strict=True)


def _indexed_pairs(
    codes: npt.NDArray[np.uint64],
    variants: npt.NDArray[np.uint64],
    threshold: int,
    index: Callable[[], HammingCodeIndex] | None,
) -> Iterator[tuple[int, int]]:
    """The pairs of ``near_pairs``, found in ``index()`` (default: a ``HammingIndex``)."""
    if index is None:
        from interlink.index.hamming import HammingIndex

        index = HammingIndex
    searcher = index()
    searcher.add_codes(codes, np.arange(len(codes)))
    found = searcher.query_variant_codes(variants, threshold)
    for i in range(len(codes)):
        for hit in found.ids[found.starts[i] : found.starts[i + 1]].tolist():
            yield i, int(hit)
