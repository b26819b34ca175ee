"""A force-directed layout (Fruchterman-Reingold) for drawing a network on a page.

Pure numpy and deterministic: the same graph and seed give the same positions, so a page
(and its screenshot) does not change between loads. Quadratic in the node count; the web
interface draws one network at a time with a bounded number of nodes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

#: The seed of the initial positions (a fixed one: layouts are reproducible).
SEED = 7


def spring_layout(
    count: int,
    edges: Sequence[tuple[int, int]],
    *,
    iterations: int = 120,
    seed: int = SEED,
) -> npt.NDArray[np.float64]:
    """Positions in the unit square (``count`` x 2) for nodes ``0..count-1`` joined by
    ``edges`` (pairs of node indexes; self-loops and repeats are ignored)."""
    if count == 0:
        return np.zeros((0, 2))
    if count == 1:
        return np.full((1, 2), 0.5)
    rng = np.random.default_rng(seed)
    position = rng.random((count, 2))
    pairs = np.array([(a, b) for a, b in edges if a != b], dtype=np.int64).reshape(-1, 2)
    k = 1.0 / np.sqrt(count)  # the ideal distance between nodes
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        delta = position[:, None, :] - position[None, :, :]
        distance = np.maximum(np.linalg.norm(delta, axis=-1), 0.01)
        # Every pair repels (k^2 / d); joined pairs attract (d^2 / k).
        force = (delta / distance[..., None] * (k * k / distance)[..., None]).sum(axis=1)
        if len(pairs):
            along = position[pairs[:, 0]] - position[pairs[:, 1]]
            length = np.maximum(np.linalg.norm(along, axis=1), 0.01)
            pull = along * (length / k)[:, None]
            np.add.at(force, pairs[:, 0], -pull)
            np.add.at(force, pairs[:, 1], pull)
        size = np.maximum(np.linalg.norm(force, axis=1), 0.01)
        position += force / size[:, None] * np.minimum(size, temperature)[:, None]
        temperature -= cooling
    low = position.min(axis=0)
    span = np.maximum(position.max(axis=0) - low, 1e-9)
    result: npt.NDArray[np.float64] = (position - low) / span
    return result
