"""PDQ: Meta's 256-bit perceptual image hash, compared by Hamming distance.

Values are 64 lower-case hex digits in the reference implementation's order (``Hash256::format``:
word 15 first). ``reference_hash`` runs Meta's C++ implementation through ``pdqhash`` on a full
RGB decode, exactly as HMA does; it is the anchor every faster path is checked against.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pdqhash

from interlink.signals.base import Family, SignalType, hamming_hex, hex_validator

NAME = "pdq"
#: Default match threshold (Meta's recommendation for PDQ).
THRESHOLD = 31
#: Below this quality a PDQ hash is too unreliable to make a perceptual match.
MIN_QUALITY = 50
#: Dihedral variants, in the order ``pdqhash.compute_dihedral`` returns them.
DIHEDRAL_NAMES = (
    "original",
    "rotate90",
    "rotate180",
    "rotate270",
    "flip_x",
    "flip_y",
    "flip_plus1",
    "flip_minus1",
)

validate = hex_validator(NAME, 64)
compare = hamming_hex
TYPE = SignalType(NAME, Family.HAMMING, validate, compare, bits=256, threshold=THRESHOLD)


@dataclass(frozen=True, slots=True)
class PdqHash:
    """A PDQ hash with its quality (0-100) and, when computed, its 8 dihedral variants."""

    value: str
    quality: int
    dihedral: tuple[str, ...] = ()


def bits_to_hex(bits: npt.NDArray[np.integer]) -> str:
    """Hex of a 256-element bit vector in ``pdqhash`` order (most significant bit first)."""
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes().hex()


def reference_hash(rgb: npt.NDArray[np.uint8]) -> PdqHash:
    """PDQ of an ``H x W x 3`` RGB image by Meta's reference code, with its 8 dihedral variants."""
    vectors, quality = pdqhash.compute_dihedral(np.ascontiguousarray(rgb))
    variants = tuple(bits_to_hex(vector) for vector in vectors)
    return PdqHash(variants[0], int(quality), variants)


def hash_rgb(rgb: npt.NDArray[np.uint8]) -> PdqHash:
    """PDQ of an ``H x W x 3`` RGB image with its dihedral variants, by the fastest path that
    agrees with ``reference_hash``."""
    return reference_hash(rgb)
