from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from interlink.domain.errors import InvalidSignalError
from interlink.index.base import Hit
from interlink.index.orb import KEY_BITS, TABLES, OrbIndex, keys, stable_order
from interlink.media.synthetic import scene
from interlink.signals import orb


def _luma(image: Image.Image) -> npt.NDArray[np.uint8]:
    return np.asarray(image.convert("L"))


@pytest.fixture(scope="module")
def values() -> list[str]:
    return [
        orb.dumps(orb.extract(_luma(Image.fromarray(scene(360, 480, seed))))) for seed in range(6)
    ]


def _cropped_turned(seed: int) -> str:
    image = Image.fromarray(scene(360, 480, seed))
    edited = image.crop((40, 20, 440, 330)).rotate(-12, resample=Image.Resampling.BICUBIC)
    return orb.dumps(orb.extract(_luma(edited), orb.QUERY_FEATURES))


def test_keys_are_disjoint_chunks_of_the_descriptor() -> None:
    descriptor = np.zeros((1, 32), np.uint8)
    descriptor[0, 0] = 0b1  # bit 0: table 0's lowest bit
    descriptor[0, KEY_BITS // 8] = 1 << (KEY_BITS % 8)  # bit KEY_BITS: table 1's lowest bit
    found = keys(descriptor)
    assert found.shape == (TABLES, 1)
    assert found[0, 0] == 1 and found[1, 0] == 1 and not found[2:].any()


def test_an_edited_copy_finds_its_original_only(values: list[str]) -> None:
    index = OrbIndex()
    index.add(values, [10 + i for i in range(len(values))])
    assert len(index) == len(values)
    for seed in range(len(values)):
        hits = index.query(_cropped_turned(seed))
        assert [h.id for h in hits] == [10 + seed]
        assert hits[0].distance <= orb.THRESHOLD
    assert index.query(values[2], radius=0) in ([], [Hit(0, 12)])
    assert index.query_variants([_cropped_turned(1), _cropped_turned(2)])[0].id in (11, 12)
    assert [len(h) for h in index.query_batch([values[0], values[1]])] == [1, 1]


def test_removal_and_save_round_trip(values: list[str], tmp_path: Path) -> None:
    index = OrbIndex()
    index.add(values, list(range(len(values))))
    assert index.remove([1, 99]) == 1
    assert len(index) == len(values) - 1
    assert index.query(_cropped_turned(1)) == []
    index.save(tmp_path / "orb.npz")
    opened = OrbIndex.load(tmp_path / "orb.npz")
    assert len(opened) == len(values) - 1
    for seed in (0, 2, 5):
        assert opened.query(_cropped_turned(seed)) == index.query(_cropped_turned(seed))
    opened.add([values[1]], [1])
    assert [h.id for h in opened.query(_cropped_turned(1))] == [1]


def test_bad_input_is_refused() -> None:
    index = OrbIndex()
    with pytest.raises(InvalidSignalError):
        index.add(["nonsense"], [1])
    with pytest.raises(ValueError, match="ids"):
        index.add([orb.dumps(orb.EMPTY)], [1, 2])
    with pytest.raises(ValueError, match="negative"):
        index.query(orb.dumps(orb.EMPTY), -1)
    assert index.query(orb.dumps(orb.EMPTY)) == []


def _noisy_copies(features: orb.Features, flips: int, rng: np.random.Generator) -> orb.Features:
    """``features`` with ``flips`` random bits of each descriptor flipped and the points
    jittered: near the pairing distance, so the distance test decides."""
    bits = np.unpackbits(features.descriptors, axis=1)
    for row in bits:
        row[rng.choice(256, flips, replace=False)] ^= 1
    points = features.points + rng.normal(0, 2, features.points.shape).astype(np.float32)
    return orb.Features(np.packbits(bits, axis=1), points)


def test_the_fast_search_finds_what_the_reference_finds(values: list[str]) -> None:
    """``query_features`` against ``query_features_reference`` (the first implementation) on
    generated scenes, their noisy copies (descriptors 40-80 bits away, around
    ``orb.PAIR_DISTANCE``), random distractors and a removed image: the same hits and
    scores for every query, at several score thresholds."""
    rng = np.random.default_rng(5)
    index = OrbIndex()
    stored = [orb.loads(v) for v in values]
    index.add_features(stored, list(range(len(stored))))
    ident = 100
    for features in stored:
        for flips in (40, 56, 64, 72, 80):
            index.add_features([_noisy_copies(features, flips, rng)], [ident])
            ident += 1
    count = 3000
    index.add_arrays(
        rng.integers(0, 256, (count, orb.MAX_FEATURES, 32), dtype=np.uint8),
        rng.uniform(0, orb.FRAME, (count, orb.MAX_FEATURES, 2)).astype(np.float32),
        np.arange(10_000, 10_000 + count, dtype=np.int64),
    )
    index.remove([101])
    queries = [orb.loads(_cropped_turned(seed)) for seed in range(len(values))] + stored
    hits = 0
    for query in queries:
        for min_score in (1, 6, orb.MIN_INLIERS):
            fast = index.query_features(query, min_score)
            assert fast == index.query_features_reference(query, min_score)
            hits += len(fast)
    assert hits > 3 * len(queries)  # the noisy copies are found too, not only the originals
    assert index.query_features(orb.EMPTY, 1) == index.query_features_reference(orb.EMPTY, 1)


def test_the_radix_order_is_the_stable_sort() -> None:
    rng = np.random.default_rng(3)
    for top in (4, 1 << KEY_BITS, 1 << 32):
        table_keys = rng.integers(0, top, 5000, dtype=np.uint64).astype(np.uint32)
        expected = np.argsort(table_keys, kind="stable")
        assert np.array_equal(stable_order(table_keys), expected)
