"""Codes as arrays: hex, bytes and words agree, and bad input is refused."""

from __future__ import annotations

import numpy as np
import pytest

from interlink.index.codes import (
    as_codes,
    codes_from_bytes,
    codes_from_hex,
    codes_to_bytes,
    codes_to_hex,
    hamming_distances,
)


def test_hex_words_and_bytes_round_trip() -> None:
    values = ["0123456789abcdef" * 4, "f" + "0" * 63, "0" * 63 + "1"]
    codes = codes_from_hex(values)
    assert codes.shape == (3, 4) and codes.dtype == np.uint64
    assert codes[1, 0] == np.uint64(0xF000000000000000)
    assert codes[2, 3] == np.uint64(1)
    assert codes_to_hex(codes) == values
    raw = codes_to_bytes(codes)
    assert raw.shape == (3, 32) and raw[0].tobytes().hex() == values[0]
    assert np.array_equal(codes_from_bytes(raw), codes)
    assert np.array_equal(as_codes(raw), codes)
    assert np.array_equal(as_codes(codes[0]), codes[:1])


def test_distances_count_differing_bits() -> None:
    codes = codes_from_hex(["0" * 64, "f" * 64, "3" + "0" * 63])
    assert hamming_distances(codes, codes[0]).tolist() == [0, 256, 2]


@pytest.mark.parametrize("bad", [["0" * 63], ["0" * 65], ["g" * 64], ["0" * 64, "0" * 62]])
def test_malformed_hex_is_refused(bad: list[str]) -> None:
    with pytest.raises(ValueError):
        codes_from_hex(bad)


def test_wrong_shapes_are_refused() -> None:
    with pytest.raises(ValueError):
        as_codes(np.zeros((2, 3), np.uint64))
    with pytest.raises(ValueError):
        codes_from_bytes(np.zeros((2, 31), np.uint8))
