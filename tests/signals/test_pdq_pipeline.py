import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from interlink.signals import pdq_pipeline as pipeline


@pytest.mark.parametrize(("length", "window"), [(1, 1), (64, 1), (128, 1), (129, 2), (1024, 8)])
def test_window_is_the_references(length: int, window: int) -> None:
    assert pipeline.window_size(length) == window


@pytest.mark.parametrize(
    ("height", "width", "scale"),
    [(480, 640, 1), (600, 800, 1), (700, 700, 2), (866, 1155, 2), (1732, 2309, 4), (3000, 4000, 8),
     (4000, 640, 1), (9000, 12000, 8)],
)  # fmt: skip
def test_reduction_keeps_three_blocks_per_window(height: int, width: int, scale: int) -> None:
    assert pipeline.max_scale(height, width) == scale


@settings(max_examples=60, deadline=None)
@given(length=st.integers(5, 5000), scale=st.sampled_from(pipeline.SCALES))
def test_kernels_average_and_stay_on_the_axis(length: int, scale: int) -> None:
    band = pipeline.band(length, scale)
    reduced = pipeline.reduced_length(length, scale)
    assert band.index.shape == band.weights.shape
    assert band.index.shape[0] == pipeline.BUFFER
    assert int(band.index.min()) >= 0
    assert int(band.index.max()) < reduced
    assert float(band.weights.min()) >= 0.0
    np.testing.assert_allclose(band.weights.sum(axis=1), 1.0, rtol=1e-5)
    # Each kernel sits on its sample point: the reference keeps pixel (i + 0.5) * length / 64.
    centres = np.floor((np.arange(pipeline.BUFFER) + 0.5) * length / pipeline.BUFFER)
    weighted = (band.weights * (band.index * scale + (scale - 1) / 2)).sum(axis=1)
    assert np.all(np.abs(weighted - centres) <= pipeline.window_size(length) / 2 + scale)


def test_constant_luma_gives_a_constant_buffer_of_zero_quality() -> None:
    plane = np.full((300, 500), 77.0, dtype=np.float32)
    buffer = pipeline.downsample(plane, pipeline.band(300), pipeline.band(500))
    np.testing.assert_allclose(buffer, 77.0, rtol=1e-5)
    assert pipeline.quality(buffer) == 0


def test_sharp_detail_gives_full_quality() -> None:
    buffer = (np.indices((64, 64)).sum(axis=0) % 2 * 255).astype(np.float32)
    assert pipeline.quality(buffer) == 100


def test_hex_is_in_the_reference_bit_order() -> None:
    # Bit i * 16 + j is coefficient (i, j); the hex starts from bit 255.
    coefficients = np.arange(256, dtype=np.float64).reshape(16, 16)
    assert pipeline.to_hex(coefficients) == "ff" * 16 + "00" * 16
    assert pipeline.to_hex(-coefficients) == "00" * 16 + "ff" * 16


coefficient_blocks = arrays(np.float64, (16, 16), elements=st.floats(-1e3, 1e3))


@given(coefficient_blocks)
def test_dihedral_variants_compose_like_turns_and_flips(block: np.ndarray) -> None:
    original, r90, r180, r270, flip_x, flip_y, plus1, minus1 = pipeline.dihedral(block)
    np.testing.assert_array_equal(original, block)
    np.testing.assert_array_equal(pipeline.dihedral(r90)[1], r180)
    np.testing.assert_array_equal(pipeline.dihedral(r180)[1], r270)
    np.testing.assert_array_equal(pipeline.dihedral(r270)[1], block)
    np.testing.assert_array_equal(pipeline.dihedral(flip_x)[4], block)
    np.testing.assert_array_equal(pipeline.dihedral(flip_x)[5], r180)
    np.testing.assert_array_equal(pipeline.dihedral(flip_y)[1], plus1)
    np.testing.assert_array_equal(pipeline.dihedral(plus1)[2], minus1)
