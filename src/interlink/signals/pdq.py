"""PDQ: Meta's 256-bit perceptual image hash, compared by Hamming distance.

Values are 64 lower-case hex digits in the reference implementation's order (``Hash256::format``:
word 15 first). ``reference_hash`` runs Meta's C++ implementation through ``pdqhash`` on a full
RGB decode, exactly as HMA does; it is the anchor every faster path is checked against.
``hash_rgb`` and ``hash_luma`` compute the same hash with ``pdq_pipeline`` (bit for bit, but for
rare float rounding at the median) in a tenth of the time; ``hash_reduced`` approximates it from
a reduced-resolution decode.

Dihedral variants are the hashes of the image turned or mirrored, so a copy that was rotated or
flipped (or whose EXIF orientation was applied) matches through them: ``rotate90`` is a quarter
turn anticlockwise, ``flip_x`` mirrors top to bottom, ``flip_y`` left to right, ``flip_plus1``
transposes and ``flip_minus1`` transposes across the other diagonal.

The signal type (names, thresholds, ``validate``, ``compare``, ``PdqHash``) needs no NumPy; the
hashing functions import it (and the pipeline) when first called, so reading or checking PDQ
values does not load it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from interlink.signals.base import Family, SignalType, hamming_hex, hex_validator

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

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

    @property
    def matchable(self) -> bool:
        """Whether the hash is good enough to make a perceptual match (quality >= 50)."""
        return self.quality >= MIN_QUALITY

    def variant(self, name: str) -> str:
        """The dihedral variant called ``name`` (one of ``DIHEDRAL_NAMES``)."""
        if not self.dihedral:
            raise LookupError("this hash was computed without its dihedral variants")
        return self.dihedral[DIHEDRAL_NAMES.index(name)]


#: EXIF orientation (1-8) -> the variant that is the hash of the image as displayed.
ORIENTATION_VARIANTS = {
    1: "original",
    2: "flip_y",
    3: "rotate180",
    4: "flip_x",
    5: "flip_plus1",
    6: "rotate270",
    7: "flip_minus1",
    8: "rotate90",
}
_ZERO = "0" * 64


_ZERO_HASH = PdqHash(_ZERO, 0, (_ZERO,) * len(DIHEDRAL_NAMES))


def bits_to_hex(bits: npt.NDArray[np.integer]) -> str:
    """Hex of a 256-element bit vector in ``pdqhash`` order (most significant bit first)."""
    import numpy as np

    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes().hex()


def reference_hash(rgb: npt.NDArray[np.uint8]) -> PdqHash:
    """PDQ of an ``H x W x 3`` RGB image by Meta's reference code, with its 8 dihedral variants."""
    import numpy as np
    import pdqhash

    vectors, quality = pdqhash.compute_dihedral(np.ascontiguousarray(rgb))
    variants = tuple(bits_to_hex(vector) for vector in vectors)
    return PdqHash(variants[0], int(quality), variants)


def hash_rgb(rgb: npt.NDArray[np.uint8]) -> PdqHash:
    """PDQ of an ``H x W x 3`` RGB image with its dihedral variants; equal to ``reference_hash``
    but for rare float rounding at the median. Raise ``ValueError`` for another shape."""
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected an H x W x 3 RGB array, got shape {rgb.shape}")
    from interlink.signals import pdq_pipeline as pipeline

    return hash_luma(pipeline.luma(rgb))


def hash_luma(luma: npt.NDArray[np.float32]) -> PdqHash:
    """PDQ, with its dihedral variants, of an image whose luma (0.299 R + 0.587 G + 0.114 B,
    0-255, an ``H x W`` array) is ``luma``."""
    height, width = luma.shape
    found = _hash(luma, 1, height, width)
    return found[0] if found is not None else _ZERO_HASH


def hash_reduced(
    luma: npt.NDArray[np.float32], *, scale: int, full_size: tuple[int, int]
) -> PdqHash | None:
    """PDQ, with its dihedral variants, of an image of ``full_size`` (height, width) from the
    luma of its ``1/scale`` decode (each pixel about the mean of a ``scale x scale`` block).

    Within a few bits of the full-resolution hash while ``scale`` is at most
    ``pdq_pipeline.max_scale`` of the image, except for images whose hash rests on noise:
    when more than ``pdq_pipeline.CROWD_LIMIT`` DCT coefficients lie within
    ``pdq_pipeline.CROWD_MARGIN`` of their median (smooth gradients, pure periodic patterns),
    the 8-bit rounding of any decoder decides their bits, and this returns ``None``: only a full
    decode reproduces the reference then. Raise ``ValueError`` if the sizes disagree.
    """
    from interlink.signals import pdq_pipeline as pipeline

    height, width = full_size
    found = _hash(luma, scale, height, width)
    if found is None:
        return _ZERO_HASH
    hashed, crowd = found
    return hashed if crowd <= pipeline.CROWD_LIMIT else None


def _hash(
    luma: npt.NDArray[np.float32], scale: int, height: int, width: int
) -> tuple[PdqHash, int] | None:
    """The hash and how many coefficients crowd its median, or ``None`` for an image too small
    to hash."""
    import numpy as np

    from interlink.signals import pdq_pipeline as pipeline

    expected = (pipeline.reduced_length(height, scale), pipeline.reduced_length(width, scale))
    if luma.shape != expected:
        raise ValueError(f"luma of shape {luma.shape} is not {height}x{width} reduced by {scale}")
    if min(height, width) < pipeline.MIN_DIMENSION:
        return None
    plane = np.ascontiguousarray(luma, dtype=np.float32)
    buffer = pipeline.downsample(plane, pipeline.band(height, scale), pipeline.band(width, scale))
    coefficients = pipeline.dct16(buffer)
    variants = tuple(pipeline.to_hex(c) for c in pipeline.dihedral(coefficients))
    hashed = PdqHash(variants[0], pipeline.quality(buffer), variants)
    return hashed, pipeline.crowding(coefficients)
