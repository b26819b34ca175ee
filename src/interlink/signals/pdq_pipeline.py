"""Meta's PDQ pipeline in NumPy: the same numbers as the reference, computed in a fraction of
the work, and from a reduced-resolution image when one is at hand.

The reference blurs the whole luma plane with two passes of a box filter along each axis (a
Jarosz tent filter), keeps 64 x 64 of its points, takes 16 x 16 DCT coefficients and sets a bit
wherever a coefficient exceeds their median. Blurring and keeping points are linear and
separable, so the 64 x 64 buffer is ``R @ luma @ C.T`` where row ``i`` of ``R`` is the tent
kernel centred on the ``i``-th kept row. Each kernel row is nonzero on only about ``n / 64``
consecutive pixels, so the kernels are kept as bands and the work is one pass over the luma.

An image decoded at ``1/s`` of its size (JPEG DCT scaling) has pixels that are about the means
of ``s x s`` blocks of the full image. Summing each kernel row over the ``s`` pixels of a block
gives the weight of that block, so the buffer of the full image is approximated from the reduced
one; the approximation is close while ``s`` is small against the filter window (``max_scale``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

#: Images with a side shorter than this get the all-zero hash and quality 0, as in the reference.
MIN_DIMENSION = 5
#: Side of the blurred, decimated buffer.
BUFFER = 64
#: Side of the block of DCT coefficients that make the hash.
COEFFICIENTS = 16
#: A reduced decode is used only while the filter window spans at least this many blocks.
WINDOW_BLOCKS = 3
#: Reduction factors JPEG decoders offer, largest first.
SCALES = (8, 4, 2, 1)
#: A hash whose median has more than ``CROWD_LIMIT`` other coefficients within
#: ``CROWD_MARGIN`` of it rests on rounding noise (see ``crowding``).
CROWD_MARGIN = 0.5
CROWD_LIMIT = 16

Float32Array = npt.NDArray[np.float32]
Float64Array = npt.NDArray[np.float64]

_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def window_size(length: int) -> int:
    """Box filter window along an axis of ``length`` pixels (the reference's Jarosz window)."""
    return (length + 2 * BUFFER - 1) // (2 * BUFFER)


def max_scale(height: int, width: int) -> int:
    """The largest reduction factor (8, 4, 2 or 1) at which a reduced decode of an image of this
    size keeps the PDQ hash within a few bits of the full-resolution one."""
    window = min(window_size(height), window_size(width))
    return next(scale for scale in SCALES if WINDOW_BLOCKS * scale <= window or scale == 1)


def reduced_length(length: int, scale: int) -> int:
    """Pixels along an axis of ``length`` pixels after a ``1/scale`` decode (rounded up)."""
    return -(-length // scale)


@dataclass(frozen=True, slots=True)
class Band:
    """64 kernel rows over an axis, each as weights on consecutive pixels from ``index``."""

    index: npt.NDArray[np.intp]  # (64, width): pixel positions, clipped to the axis
    weights: Float32Array  # (64, width): zero past each row's support


@lru_cache(maxsize=256)
def band(length: int, scale: int = 1) -> Band:
    """Kernel band for an axis of ``length`` full-resolution pixels, seen at ``1/scale``.

    Row ``i`` is the reference's two box passes evaluated at its ``i``-th kept pixel ``c``:
    the mean, over the pixels ``a`` of the window of ``c``, of the mean over the window of
    ``a``; so pixel ``x`` weighs the sum of ``1 / size(window(a))`` over the ``a`` whose window
    holds it, divided by ``size(window(c))``. At ``1/scale`` a block weighs what its pixels do.
    """
    window = window_size(length)
    half = (window + 2) // 2
    positions = np.arange(length)
    lo = np.maximum(0, positions - (window - half))
    hi = np.minimum(length, positions + half)
    centres = ((np.arange(BUFFER) + 0.5) * length / BUFFER).astype(np.intp)
    # Inner windows: every a in the window of each centre (padded rows masked out).
    inner = lo[centres][:, None] + np.arange(window)
    inner_used = inner < hi[centres][:, None]
    inner = np.minimum(inner, length - 1)
    inner_share = np.where(inner_used, 1.0 / (hi[inner] - lo[inner]), 0.0)
    inner_share /= (hi[centres] - lo[centres])[:, None]
    # Pixels: from the support's start, rounded down to a whole block, over whole blocks.
    first = lo[lo[centres]] // scale
    span = int(((hi[hi[centres] - 1] - 1) // scale - first).max()) + 1
    pixels = (first * scale)[:, None] + np.arange(span * scale)
    covered = (lo[inner][:, :, None] <= pixels[:, None, :]) & (
        pixels[:, None, :] < hi[inner][:, :, None]
    )
    weights = np.einsum("ia,iax->ix", inner_share, covered.astype(np.float64))
    blocks = weights.reshape(BUFFER, span, scale).sum(axis=2)
    index = np.minimum(first[:, None] + np.arange(span), reduced_length(length, scale) - 1)
    index.flags.writeable = False
    weights32 = blocks.astype(np.float32)
    weights32.flags.writeable = False
    return Band(index, weights32)


def luma(rgb: npt.NDArray[np.uint8]) -> Float32Array:
    """The reference's luma (0.299 R + 0.587 G + 0.114 B) of an ``H x W x 3`` image."""
    return np.asarray(rgb, dtype=np.float32) @ _LUMA


def downsample(plane: Float32Array, rows: Band, cols: Band) -> Float32Array:
    """The 64 x 64 buffer of a luma ``plane`` through the row and column kernel bands."""
    along_rows = np.matmul(rows.weights[:, None, :], plane[rows.index])[:, 0, :]
    gathered = along_rows[:, cols.index]  # (64 rows, 64 cols, band width)
    buffer: Float32Array = np.einsum("ijk,jk->ij", gathered, cols.weights).astype(np.float32)
    return buffer


def quality(buffer: Float32Array) -> int:
    """The reference's image-domain quality (0-100): the sum of quantised gradients."""
    scale = np.float32(100)
    span = np.float32(255)
    down = ((buffer[:-1, :] - buffer[1:, :]) * scale) / span
    across = ((buffer[:, :-1] - buffer[:, 1:]) * scale) / span
    total = np.abs(down.astype(np.int64)).sum() + np.abs(across.astype(np.int64)).sum()
    return min(100, int(total) // 90)


def _dct_matrix() -> Float64Array:
    factor = float(np.float32(math.sqrt(2.0 / BUFFER)))
    i = np.arange(1, COEFFICIENTS + 1)[:, None]
    j = np.arange(BUFFER)[None, :]
    matrix = (factor * np.cos((math.pi / 2.0 / BUFFER) * i * (2 * j + 1))).astype(np.float32)
    widened: Float64Array = matrix.astype(np.float64)
    return widened


_DCT = _dct_matrix()


def dct16(buffer: Float32Array) -> Float64Array:
    """DCT coefficients (1..16) x (1..16) of the 64 x 64 buffer (the DC term is left out)."""
    result: Float64Array = _DCT @ buffer.astype(np.float64) @ _DCT.T
    return result


_I, _J = np.indices((COEFFICIENTS, COEFFICIENTS))
_ODD_J = np.where(_J & 1, 1.0, -1.0)
_ODD_I = np.where(_I & 1, 1.0, -1.0)
_EVEN_SUM = np.where((_I + _J) & 1, -1.0, 1.0)


def dihedral(coefficients: Float64Array) -> tuple[Float64Array, ...]:
    """The coefficients of the 8 dihedral transforms of the image, in ``DIHEDRAL_NAMES`` order:
    rotating or flipping the image only transposes coefficients and flips their signs."""
    c = coefficients
    return (
        c,
        (c * _ODD_J).T,
        c * _EVEN_SUM,
        (c * _ODD_I).T,
        c * _ODD_I,
        c * _ODD_J,
        c.T,
        (c * _EVEN_SUM).T,
    )


def _median(flat: Float64Array) -> float:
    lower_middle = flat.size // 2 - 1  # the reference's median (Torben's) is the lower one
    return float(np.partition(flat, lower_middle)[lower_middle])


def to_hex(coefficients: Float64Array) -> str:
    """Hash bits (coefficient above the median) as hex in the reference's order."""
    flat = coefficients.ravel()
    median = _median(flat)
    bits = (flat > median)[::-1]
    return np.packbits(bits).tobytes().hex()


def crowding(coefficients: Float64Array, margin: float = CROWD_MARGIN) -> int:
    """How many coefficients other than the median lie within ``margin`` of it.

    A change of ``margin`` (about what the 8-bit rounding of a decoder, or a reduced decode,
    makes on smooth images) may carry each of them to the other side of the median: a crowded
    median means bits that a decoder's noise decides. The sign flips of the dihedral variants
    move their medians, so the count is the largest over all eight.
    """
    worst = 0
    for variant in dihedral(coefficients):
        flat = variant.ravel()
        worst = max(worst, int(np.count_nonzero(np.abs(flat - _median(flat)) <= margin)) - 1)
    return worst
