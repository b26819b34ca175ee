"""Random PDQ values and controlled bit flips for tests of perceptual matching."""

from __future__ import annotations

import random


def random_hash(rng: random.Random) -> str:
    """A uniformly random 256-bit PDQ value."""
    return f"{rng.getrandbits(256):064x}"


def flip(pdq: str, bits: int, rng: random.Random) -> str:
    """``pdq`` with exactly ``bits`` distinct bits flipped (Hamming distance ``bits``)."""
    value = int(pdq, 16)
    for bit in rng.sample(range(256), bits):
        value ^= 1 << bit
    return f"{value:064x}"
