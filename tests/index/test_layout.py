"""Chunk layouts: key tables and masks agree with the bit-by-bit definition."""

from __future__ import annotations

import numpy as np
import pytest

from interlink.index._build_kernels import chunk_keys
from interlink.index.codes import codes_from_hex
from interlink.index.layout import ChunkLayout, chunk_widths, code_bits, decorrelated_order


def _naive_key(value: str, chunk: tuple[int, ...]) -> int:
    bits = bin(int(value, 16))[2:].zfill(256)
    return int("".join(bits[p] for p in chunk), 2)


def test_keys_and_masks_follow_the_bit_order() -> None:
    rng = np.random.default_rng(5)
    layout = ChunkLayout(tuple(rng.permutation(256).tolist()), chunk_widths(10), (20,) * 10)
    values = [f"{int(x):064x}" for x in rng.integers(0, 2**62, 20)] + ["f" * 64, "0" * 64]
    values += ["".join(rng.choice(list("0123456789abcdef"), 64)) for _ in range(20)]
    codes = codes_from_hex(values)
    luts = layout.key_luts()
    masks = layout.masks()
    for i, chunk in enumerate(layout.chunks()):
        keys = chunk_keys(codes, luts[i])
        assert keys.tolist() == [_naive_key(v, chunk) for v in values]
        mask_bits = code_bits(masks[i : i + 1])[0]
        assert sorted(np.flatnonzero(mask_bits).tolist()) == sorted(chunk)


def test_widths_cover_256_bits() -> None:
    for tables in range(8, 17):
        widths = chunk_widths(tables)
        assert sum(widths) == 256 and max(widths) - min(widths) <= 1


def test_layout_rejects_bad_orders() -> None:
    with pytest.raises(ValueError, match="each of the 256"):
        ChunkLayout((0,) * 256, chunk_widths(8), (8,) * 8)
    with pytest.raises(ValueError, match="directory"):
        ChunkLayout(tuple(range(256)), chunk_widths(8), (33,) * 8)


def test_decorrelated_order_separates_copied_bits() -> None:
    rng = np.random.default_rng(9)
    bits = rng.integers(0, 2, (2000, 256), dtype=np.uint8)
    bits[:, 128:] = bits[:, :128]  # bit p + 128 always equals bit p
    codes = np.packbits(bits, axis=1).view(">u8").astype(np.uint64)
    layout = ChunkLayout(decorrelated_order(codes, chunk_widths(8)), chunk_widths(8), (8,) * 8)
    assert sorted(layout.order) == list(range(256))
    for chunk in layout.chunks():
        members = set(chunk)
        assert not any(p + 128 in members for p in chunk if p < 128)
