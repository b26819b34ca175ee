"""256-bit codes as NumPy arrays: the fast path between hex values and the Hamming kernels.

A code is one row of a C-contiguous ``(n, 4)`` ``uint64`` array. Word 0 holds the first 16 hex
digits of the value, most significant bit first, so bit ``p`` (0-255, counted from the left of
the hex string) is bit ``63 - p % 64`` of word ``p // 64``. The same code as 32 bytes
(``(n, 32)`` ``uint8``, the order of ``np.packbits`` and FAISS binary vectors) is the hex string's
bytes in order.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

CODE_BITS = 256
CODE_WORDS = 4
CODE_BYTES = 32

Codes = npt.NDArray[np.uint64]


def codes_from_hex(values: Sequence[str]) -> Codes:
    """``(n, 4)`` codes from 64-hex-digit values; ``ValueError`` if one is malformed."""
    try:
        raw = bytes.fromhex("".join(values))
    except ValueError as exc:
        raise ValueError(f"not hexadecimal: {exc}") from None
    if len(raw) != CODE_BYTES * len(values) or any(len(v) != 2 * CODE_BYTES for v in values):
        raise ValueError("every value must have 64 hex digits")
    return np.frombuffer(raw, dtype=">u8").astype(np.uint64).reshape(len(values), CODE_WORDS)


def codes_to_hex(codes: npt.ArrayLike) -> list[str]:
    """The 64-hex-digit value of each code (inverse of ``codes_from_hex``)."""
    raw = as_codes(codes).astype(">u8").tobytes().hex()
    width = 2 * CODE_BYTES
    return [raw[i : i + width] for i in range(0, len(raw), width)]


def codes_from_bytes(data: npt.ArrayLike) -> Codes:
    """``(n, 4)`` codes from ``(n, 32)`` ``uint8`` rows in hex-string byte order."""
    array = np.ascontiguousarray(data, dtype=np.uint8)
    if array.ndim != 2 or array.shape[1] != CODE_BYTES:
        raise ValueError(f"expected an (n, {CODE_BYTES}) uint8 array, got shape {array.shape}")
    return array.view(">u8").astype(np.uint64).reshape(len(array), CODE_WORDS)


def codes_to_bytes(codes: npt.ArrayLike) -> npt.NDArray[np.uint8]:
    """``(n, 32)`` ``uint8`` rows of each code (inverse of ``codes_from_bytes``)."""
    array = as_codes(codes)
    return array.astype(">u8").view(np.uint8).reshape(len(array), CODE_BYTES)


def as_codes(data: npt.ArrayLike) -> Codes:
    """Normalise ``(n, 4)`` ``uint64`` or ``(n, 32)`` ``uint8`` input (or one code of either
    shape) to a C-contiguous ``(n, 4)`` ``uint64`` array; ``ValueError`` otherwise."""
    array = np.asarray(data)
    if array.ndim == 1:
        array = array.reshape(1, -1)
    if array.ndim == 2 and array.dtype == np.uint8 and array.shape[1] == CODE_BYTES:
        return codes_from_bytes(array)
    if array.ndim == 2 and array.dtype == np.uint64 and array.shape[1] == CODE_WORDS:
        return np.ascontiguousarray(array)
    if array.ndim == 2 and array.shape[0] == 0:
        return np.empty((0, CODE_WORDS), dtype=np.uint64)
    raise ValueError(
        f"codes must be (n, {CODE_WORDS}) uint64 or (n, {CODE_BYTES}) uint8, "
        f"got {array.dtype} {array.shape}"
    )


def hamming_distances(codes: npt.ArrayLike, query: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Distance from one query code to every code (NumPy popcount; for small sets and tests)."""
    stored = as_codes(codes)
    probe = as_codes(query)
    if len(probe) != 1:
        raise ValueError("expected exactly one query code")
    counts: npt.NDArray[np.int64] = np.bitwise_count(stored ^ probe[0]).sum(axis=1, dtype=np.int64)
    return counts
