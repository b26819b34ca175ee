"""Benign synthetic images for tests, benchmarks and demos.

Each generator draws an ``H x W x 3`` RGB image (``uint8``) from a seed alone, so a test can pin
what it hashes. Nothing here reads or downloads media.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

RgbArray = npt.NDArray[np.uint8]
Generator = Callable[[int, int, int], RgbArray]


def _to_rgb(values: npt.NDArray[np.float64]) -> RgbArray:
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def _grid(height: int, width: int) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Row and column coordinates from 0 to 1, as a column and a row that broadcast."""
    return np.linspace(0, 1, height)[:, None], np.linspace(0, 1, width)[None, :]


def _wave(
    y: npt.NDArray[np.float64], x: npt.NDArray[np.float64], fy: float, fx: float, phase: float
) -> npt.NDArray[np.float64]:
    """``sin(2 pi (fy y + fx x) + phase)`` over the grid, from one row and one column of sines
    (the angle-sum identity), so that drawing costs one multiply-add per pixel."""
    across_y = 2 * np.pi * fy * y + phase
    across_x = 2 * np.pi * fx * x
    wave: npt.NDArray[np.float64] = np.sin(across_y) * np.cos(across_x)
    wave += np.cos(across_y) * np.sin(across_x)
    return wave


def gradient(height: int, width: int, seed: int) -> RgbArray:
    """Linear colour ramps in seed-chosen directions, with a few soft bands across them."""
    rng = np.random.default_rng(seed)
    y, x = _grid(height, width)
    image = np.empty((height, width, 3))
    for channel in range(3):
        angle = rng.uniform(0, 2 * np.pi)
        ramp = np.cos(angle) * (x - 0.5) + np.sin(angle) * (y - 0.5)
        cycles = rng.uniform(1, 4)
        bands = 0.15 * _wave(y, x, cycles * rng.uniform(0, 1), cycles, 0.0)
        image[..., channel] = 255 * (0.5 + 0.35 * ramp + bands)
    return _to_rgb(image)


def shapes(height: int, width: int, seed: int) -> RgbArray:
    """Flat-coloured rectangles and ellipses on a flat background."""
    rng = np.random.default_rng(seed)
    image = np.empty((height, width, 3))
    image[:] = rng.uniform(0, 255, 3)
    for _ in range(12):
        cy, cx = rng.uniform(0, 1, 2)
        ry, rx = rng.uniform(0.05, 0.3, 2)
        rectangle = rng.uniform() < 0.5
        colour = rng.uniform(0, 255, 3)
        top, bottom = max(0, int((cy - ry) * height)), min(height, int((cy + ry) * height) + 1)
        left, right = max(0, int((cx - rx) * width)), min(width, int((cx + rx) * width) + 1)
        y = (np.arange(top, bottom)[:, None] / max(height - 1, 1) - cy) / ry
        x = (np.arange(left, right)[None, :] / max(width - 1, 1) - cx) / rx
        inside = (np.abs(y) < 1) & (np.abs(x) < 1) if rectangle else y**2 + x**2 < 1
        image[top:bottom, left:right][inside] = colour
    return _to_rgb(image)


def texture(height: int, width: int, seed: int) -> RgbArray:
    """A sum of sinusoidal gratings of seed-chosen frequency, direction and colour."""
    rng = np.random.default_rng(seed)
    y, x = _grid(height, width)
    image = np.full((height, width, 3), 128.0)
    for _ in range(6):
        angle = rng.uniform(0, np.pi)
        cycles = rng.uniform(2, 40)
        grating = _wave(y, x, cycles * np.sin(angle), cycles * np.cos(angle), rng.uniform(0, 6))
        image += grating[..., None] * rng.uniform(-25, 25, 3)
    return _to_rgb(image)


def text_like(height: int, width: int, seed: int) -> RgbArray:
    """Dark word-like blocks in lines on a light page, like a scanned document."""
    rng = np.random.default_rng(seed)
    image = np.full((height, width, 3), rng.uniform(225, 250))
    line = max(height // 24, 3)
    glyph = max(line // 2, 2)
    for top in range(line, height - line, line):
        left = int(rng.integers(glyph, 4 * glyph))
        while left < width - 4 * glyph:
            word = int(rng.integers(2, 9)) * glyph
            ink = rng.uniform(10, 70)
            image[top : top + glyph, left : min(left + word, width - glyph)] = ink
            left += word + glyph
    return _to_rgb(image)


def photo_like(height: int, width: int, seed: int, roughness: float = 1.0) -> RgbArray:
    """A random field with a natural photo's ``1/f**roughness`` amplitude spectrum, in colour.

    Lower ``roughness`` gives more fine detail (0.7 is harsher than most photos).
    """
    rng = np.random.default_rng(seed)
    fy = np.fft.fftfreq(height)[:, None]
    fx = np.fft.rfftfreq(width)[None, :]
    frequency = np.hypot(fx, fy)
    frequency[0, 0] = 1.0
    amplitude = (frequency**-roughness).astype(np.float32)
    amplitude[0, 0] = 0.0
    shape = (3, *amplitude.shape)
    real = rng.standard_normal(shape, dtype=np.float32)
    imaginary = rng.standard_normal(shape, dtype=np.float32)
    fields = np.fft.irfft2(amplitude * (real + 1j * imaginary), s=(height, width))
    fields -= fields.mean(axis=(1, 2), keepdims=True)
    fields /= np.maximum(fields.std(axis=(1, 2), keepdims=True), 1e-6)
    mixing = np.eye(3) + 0.3 * rng.standard_normal((3, 3))
    return _to_rgb(128 + 45 * np.moveaxis(fields, 0, -1) @ mixing)


def scene(height: int, width: int, seed: int) -> RgbArray:
    """Shapes over a faint photo-like texture: corners and edges at several scales, which local
    feature detectors (``signals.orb``) find again after crops, turns and re-encoding."""
    base = shapes(height, width, seed).astype(np.float64)
    grain = photo_like(height, width, seed + 100_003).astype(np.float64)
    return _to_rgb(0.75 * base + 0.25 * grain)


#: Every generator, by name.
GENERATORS: dict[str, Generator] = {
    "gradient": gradient,
    "shapes": shapes,
    "texture": texture,
    "text_like": text_like,
    "photo_like": photo_like,
}
