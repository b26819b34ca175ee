"""Random ORB feature sets and values (random descriptors, points within the frame)."""

from __future__ import annotations

import numpy as np

from interlink.signals import orb


def random_features(count: int, seed: int) -> orb.Features:
    """``count`` features with random descriptors, at random eighths of a pixel of the frame."""
    random = np.random.default_rng(seed)
    descriptors = random.integers(0, 256, (count, 32), dtype=np.uint8)
    points = (random.integers(0, orb.FRAME * 8 + 1, (count, 2)) / 8).astype(np.float32)
    return orb.Features(descriptors, points)


def random_value(seed: int) -> str:
    """An ORB value of ``orb.MAX_FEATURES`` random features (what an image stores)."""
    return orb.dumps(random_features(orb.MAX_FEATURES, seed))
