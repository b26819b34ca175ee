"""PDQ near-duplicates as band tokens, so that a private set intersection of tokens can find
candidate pairs without either side revealing its hashes.

The 256 bits of a PDQ are put in a fixed pseudo-random order (the same on every node) and cut
into ``bands`` disjoint bands of ``width`` bits; each band's value, tagged with its position,
is a token. Two codes that agree on a whole band share its token. The width is chosen from the
partner's set size so that a non-matching code is a candidate with probability at most
``false_candidates``; the number of bands is then all that fits in 256 bits, and ``recall``
gives, exactly, the probability that two codes ``d`` bits apart (the ``d`` bits uniformly
placed) share at least one band. Candidates are verified against the radius afterwards.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from math import comb

import numpy as np

BITS = 256
SEED = "interlink-pdq-bands/1"


@dataclass(frozen=True, slots=True)
class BandDesign:
    """How a PDQ is cut into band tokens."""

    width: int
    bands: int

    def document(self) -> dict[str, int]:
        """As JSON."""
        return {"width": self.width, "bands": self.bands}


def design(server_items: int, *, false_candidates: float = 1e-3) -> BandDesign:
    """The widest-recall design whose expected false candidates per query item, against
    ``server_items`` random codes, stay at most ``false_candidates``."""
    for width in range(8, 64):
        bands = BITS // width
        if bands * max(server_items, 1) / 2.0**width <= false_candidates:
            return BandDesign(width, bands)
    return BandDesign(63, 4)


def recall(band_design: BandDesign, distance: int) -> float:
    """The probability that two codes ``distance`` bits apart share a band token (exact, by
    inclusion-exclusion over the bands, for uniformly placed differing bits)."""
    if distance <= 0:
        return 1.0
    total = comb(BITS, distance)
    missed = 0
    for k in range(0, band_design.bands + 1):
        intact = BITS - k * band_design.width
        missed += (-1) ** k * comb(band_design.bands, k) * comb(intact, distance)
    return 1.0 - missed / total


@cache
def _order() -> tuple[int, ...]:
    return tuple(sorted(range(BITS), key=lambda i: hashlib.sha256(f"{SEED}|{i}".encode()).digest()))


def band_tokens(pdq_hex: str, band_design: BandDesign) -> list[str]:
    """The band tokens of one PDQ (64 hex digits)."""
    return band_tokens_many([pdq_hex], band_design)[0]


def band_tokens_many(values: Sequence[str], band_design: BandDesign) -> list[list[str]]:
    """The band tokens of many PDQs at once (vectorised), in order."""
    if not values:
        return []
    raw = np.frombuffer(b"".join(bytes.fromhex(v) for v in values), dtype=np.uint8)
    bits = np.unpackbits(raw.reshape(len(values), BITS // 8), axis=1)[:, list(_order())]
    width, digits = band_design.width, (band_design.width + 3) // 4
    weights = np.left_shift(np.uint64(1), np.arange(width - 1, -1, -1, dtype=np.uint64))
    columns = []
    for band in range(band_design.bands):
        chunk = bits[:, band * width : (band + 1) * width].astype(np.uint64)
        numbers = (chunk * weights).sum(axis=1, dtype=np.uint64)
        columns.append([f"pdqband:{width}:{band}:{int(n):0{digits}x}" for n in numbers])
    return [list(row) for row in zip(*columns, strict=True)]
