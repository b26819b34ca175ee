"""Realistic PDQ code sets for the matching benchmark, grown from photos (or generated images).

Method (see ``docs/benchmarks/matching.md``):

1. *Base images.* Each photo (or, without a photo folder, each generated 1/f-noise image) gives
   ``crops`` random crops (area 12-100 % of the photo, aspect 1:2 to 2:1, a fifth mirrored,
   mild gamma and contrast changes), each reduced to 64 x 64 with an area filter. Every base
   image is hashed by Meta's reference PDQ (``pdqhash.compute_float``), keeping the 256 DCT
   coefficients the bits are thresholded from; hashes under PDQ's quality floor are dropped,
   as list builders drop them.
2. *Expansion.* A further code is the PDQ of a double exposure ``a x A + (1 - a) x B`` of two
   base images from different photos, ``a`` uniform in [0.3, 0.7]. PDQ is linear up to its
   median threshold (luma, box filters, decimation and DCT are all linear), so the blend's
   coefficients are the blend of the coefficients, and its code is their median threshold:
   the PDQ of a real image, with the bit correlations and the photo-level cluster structure
   of natural images, but not a copy or a bit-flipped copy of any other code.
   ``check_blends`` hashes actual blended images to confirm the shortcut.

Photos are split into a stored part and a held-out part (``holdout``); unrelated queries come
from the held-out photos only. Everything is seeded and cached under ``bench/out/``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pdqhash
from numba import njit
from PIL import Image

from interlink.index.codes import codes_from_bytes
from interlink.signals.pdq import MIN_QUALITY

SIDE = 64
_MAX_SIDE = 512


@dataclass(frozen=True)
class BaseSet:
    """PDQ DCT coefficients of base images, with the photo each came from."""

    coefficients: npt.NDArray[np.float32]  # (n, 256)
    photo: npt.NDArray[np.int32]  # (n,)


def _photo_images(folder: Path) -> Iterator[Image.Image]:
    for path in sorted(folder.glob("*.jpg")) + sorted(folder.glob("*.png")):
        with Image.open(path) as image:
            image.draft("RGB", (_MAX_SIDE, _MAX_SIDE))
            rgb = image.convert("RGB")
        rgb.thumbnail((_MAX_SIDE, _MAX_SIDE), Image.Resampling.BOX)
        yield rgb


def _generated_images(count: int, seed: int) -> Iterator[Image.Image]:
    """Benign stand-ins for photos: colour 1/f noise fields with a few soft shapes."""
    rng = np.random.default_rng(seed)
    size = 256
    fy = np.fft.fftfreq(size)[:, None]
    fx = np.fft.rfftfreq(size)[None, :]
    falloff = 1.0 / np.maximum(np.hypot(fx, fy), 1.0 / size) ** rng.uniform(1.6, 2.2)
    yy, xx = np.mgrid[0:size, 0:size]
    for _ in range(count):
        channels = []
        for _channel in range(3):
            spectrum = falloff * np.exp(2j * np.pi * rng.random(falloff.shape))
            field = np.fft.irfft2(spectrum * rng.standard_normal(falloff.shape), s=(size, size))
            channels.append((field - field.mean()) / (field.std() + 1e-9))
        image = np.stack(channels, axis=-1) * 40 + rng.uniform(60, 190, 3)
        for _shape in range(int(rng.integers(0, 4))):
            cy, cx = (float(v) for v in rng.uniform(0, size, 2))
            radius = float(rng.uniform(10, 80))
            inside = (yy - cy) ** 2 + (xx - cx) ** 2 < radius**2
            image[inside] = image[inside] * 0.5 + rng.uniform(0, 255, 3) * 0.5
        yield Image.fromarray(np.clip(image, 0, 255).astype(np.uint8))


def _crops(
    image: Image.Image, count: int, rng: np.random.Generator
) -> Iterator[npt.NDArray[np.uint8]]:
    """``count`` random crops of ``image``, each area-averaged to 64 x 64 (a summed-area table
    makes the reduction exact box filtering without a resize per crop)."""
    pixels = np.asarray(image, dtype=np.float64)
    height, width = pixels.shape[:2]
    table = np.zeros((height + 1, width + 1, 3))
    table[1:, 1:] = pixels.cumsum(0).cumsum(1)
    for _ in range(count):
        area = rng.uniform(0.12, 1.0) * width * height
        aspect = float(np.exp(rng.uniform(np.log(0.5), np.log(2.0))))
        w = int(min(width, max(SIDE, round((area * aspect) ** 0.5))))
        h = int(min(height, max(SIDE, round((area / aspect) ** 0.5))))
        left = int(rng.integers(0, width - w + 1))
        top = int(rng.integers(0, height - h + 1))
        ys = top + np.round(np.linspace(0, h, SIDE + 1)).astype(np.int64)
        xs = left + np.round(np.linspace(0, w, SIDE + 1)).astype(np.int64)
        corners = table[ys[:, None], xs[None, :]]
        sums = corners[1:, 1:] - corners[:-1, 1:] - corners[1:, :-1] + corners[:-1, :-1]
        cells = (np.diff(ys)[:, None] * np.diff(xs)[None, :])[:, :, None]
        crop = sums / cells / 255.0
        if rng.random() < 0.2:
            crop = crop[:, ::-1]
        gamma = rng.uniform(0.8, 1.25)
        contrast = rng.uniform(0.85, 1.15)
        crop = (crop**gamma - 0.5) * contrast + 0.5
        yield np.ascontiguousarray(np.clip(crop * 255.0 + 0.5, 0, 255).astype(np.uint8))


def build_base(photos: Path | None, crops: int, seed: int, generated: int = 540) -> BaseSet:
    """Hash ``crops`` base images of every photo (or generated image) with reference PDQ."""
    rng = np.random.default_rng(seed)
    images = _photo_images(photos) if photos else _generated_images(generated, seed)
    coefficients: list[npt.NDArray[np.float32]] = []
    owners: list[int] = []
    for index, image in enumerate(images):
        for crop in _crops(image, crops, rng):
            vector, quality = pdqhash.compute_float(crop)
            if quality >= MIN_QUALITY:
                coefficients.append(np.asarray(vector, dtype=np.float32))
                owners.append(index)
    return BaseSet(np.stack(coefficients), np.asarray(owners, dtype=np.int32))


@njit(cache=True)
def _median256(values):  # type: ignore[no-untyped-def]
    """Median of 256 values (mean of the two middle ones), by quickselect on a copy."""
    work = values.copy()
    low, high, k = 0, 255, 127
    while low < high:
        pivot = work[(low + high) // 2]
        i, j = low, high
        while i <= j:
            while work[i] < pivot:
                i += 1
            while work[j] > pivot:
                j -= 1
            if i <= j:
                work[i], work[j] = work[j], work[i]
                i += 1
                j -= 1
        if k <= j:
            high = j
        elif k >= i:
            low = i
        else:
            break
    return (work[k] + work[k + 1 :].min()) / 2


@njit(cache=True)
def _blend_codes(coefficients, first, second, weight):  # type: ignore[no-untyped-def]
    """Median-threshold bits of ``weight * first + (1 - weight) * second``, packed as (n, 32)."""
    n = first.shape[0]
    out = np.zeros((n, 32), np.uint8)
    mixed = np.empty(256, np.float32)
    for i in range(n):
        a = coefficients[first[i]]
        b = coefficients[second[i]]
        w = weight[i]
        for j in range(256):
            mixed[j] = w * a[j] + (1.0 - w) * b[j]
        median = _median256(mixed)
        for j in range(256):
            if mixed[j] > median:
                out[i, j >> 3] |= np.uint8(128 >> (j & 7))
    return out


def threshold_codes(coefficients: npt.NDArray[np.float32]) -> npt.NDArray[np.uint64]:
    """PDQ codes of coefficient vectors (bit set where above the vector's median)."""
    index = np.arange(len(coefficients), dtype=np.int64)
    weight = np.ones(len(coefficients), dtype=np.float32)
    return codes_from_bytes(_blend_codes(coefficients, index, index, weight))


def blend_codes(
    base: BaseSet, count: int, rng: np.random.Generator, chunk: int = 1 << 20
) -> Iterator[npt.NDArray[np.uint64]]:
    """``count`` codes of double exposures of two base images from different photos."""
    done = 0
    while done < count:
        size = min(chunk, count - done)
        first = rng.integers(0, len(base.photo), size)
        second = rng.integers(0, len(base.photo), size)
        same = base.photo[first] == base.photo[second]
        while same.any():
            second[same] = rng.integers(0, len(base.photo), int(same.sum()))
            same = base.photo[first] == base.photo[second]
        weight = rng.uniform(0.3, 0.7, size).astype(np.float32)
        yield codes_from_bytes(_blend_codes(base.coefficients, first, second, weight))
        done += size


def check_blends(photos: Path | None, samples: int, seed: int) -> dict[str, float]:
    """Hash real blended images with reference PDQ and compare with the coefficient shortcut:
    mean and max Hamming distance between the two codes of each blend."""
    rng = np.random.default_rng(seed)
    images = _photo_images(photos) if photos else _generated_images(64, seed)
    pool = [next(_crops(image, 1, rng)) for image, _ in zip(images, range(64), strict=False)]
    distances = []
    for _ in range(samples):
        i, j = rng.choice(len(pool), 2, replace=False)
        weight = float(rng.uniform(0.3, 0.7))
        blended = pool[i].astype(np.float64) * weight + pool[j].astype(np.float64) * (1 - weight)
        real_bits, _quality = pdqhash.compute(np.clip(blended + 0.5, 0, 255).astype(np.uint8))
        vi, _ = pdqhash.compute_float(pool[i])
        vj, _ = pdqhash.compute_float(pool[j])
        mixed = weight * np.asarray(vi) + (1 - weight) * np.asarray(vj)
        shortcut = mixed > np.median(mixed)
        distances.append(int(np.count_nonzero(shortcut != np.asarray(real_bits, dtype=bool))))
    return {"mean_bits": float(np.mean(distances)), "max_bits": float(np.max(distances))}


@dataclass(frozen=True)
class CodeSets:
    """Stored codes and the unrelated query pool (from held-out photos)."""

    stored: npt.NDArray[np.uint64]
    unrelated: npt.NDArray[np.uint64]


def _split(base: BaseSet, holdout: float, seed: int) -> tuple[BaseSet, BaseSet]:
    photos = np.unique(base.photo)
    rng = np.random.default_rng(seed)
    held = rng.choice(photos, max(2, round(holdout * len(photos))), replace=False)
    mask = np.isin(base.photo, held)
    return (
        BaseSet(base.coefficients[~mask], base.photo[~mask]),
        BaseSet(base.coefficients[mask], base.photo[mask]),
    )


def realistic_codes(
    n: int,
    queries: int,
    photos: Path | None,
    cache: Path,
    *,
    crops: int = 1000,
    holdout: float = 0.1,
    seed: int = 11,
) -> CodeSets:
    """``n`` stored realistic codes (base codes first, then blends) and ``queries`` unrelated
    ones, cached in ``cache`` by their parameters."""
    params = {"photos": str(photos), "crops": crops, "holdout": holdout, "seed": seed}
    tag = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:12]
    cache.mkdir(parents=True, exist_ok=True)
    base_file = cache / f"pdq-base-{tag}.npz"
    if base_file.exists():
        with np.load(base_file) as saved:
            base = BaseSet(saved["coefficients"], saved["photo"])
    else:
        base = build_base(photos, crops, seed)
        np.savez(base_file, coefficients=base.coefficients, photo=base.photo)
    stored_base, held_base = _split(base, holdout, seed)
    stored_file = cache / f"pdq-stored-{tag}-{n}.npy"
    if stored_file.exists():
        stored = np.load(stored_file, mmap_mode="r")
    else:
        stored = np.lib.format.open_memmap(stored_file, "w+", np.uint64, (n, 4))
        head = threshold_codes(stored_base.coefficients[:n])
        stored[: len(head)] = head
        position = len(head)
        blends = blend_codes(stored_base, n - position, np.random.default_rng(seed + 1))
        for codes in blends:
            stored[position : position + len(codes)] = codes
            position += len(codes)
        stored.flush()
    rng = np.random.default_rng(seed + 2)
    pool = threshold_codes(held_base.coefficients)
    take = rng.choice(len(pool), min(len(pool), queries // 2), replace=False)
    extra = np.concatenate(list(blend_codes(held_base, queries - len(take), rng)))
    unrelated = np.concatenate([pool[take], extra])[rng.permutation(queries)]
    return CodeSets(np.asarray(stored), unrelated)
