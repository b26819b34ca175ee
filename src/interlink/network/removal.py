"""Which k accounts to take out so that the most distinct known media leave circulation.

A media leaves circulation when every account holding it (shared or received) is removed.
Choosing the best k is a hard covering problem; this is the greedy heuristic: at each step
remove the account with the largest ``sum over its known media of 1 / (holders left)``. A
media it alone still holds counts 1 (it leaves circulation now); one it shares with ``r - 1``
others counts ``1 / r`` (progress towards it), so the greedy both takes media out at once and
works through the holders of the same media together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, slots=True)
class RemovalPlan:
    """The accounts chosen (vertices, in order) and, after each, how many distinct known media
    had left circulation in all."""

    vertices: tuple[int, ...]
    removed_media: tuple[int, ...]

    @property
    def total(self) -> int:
        """Known media out of circulation once every chosen account is removed."""
        return self.removed_media[-1] if self.removed_media else 0


def greedy_removal(
    holder: npt.NDArray[np.int64],
    media: npt.NDArray[np.int64],
    known: npt.NDArray[np.bool_],
    vertex_count: int,
    k: int,
) -> RemovalPlan:
    """The greedy plan for ``k`` removals over distinct ``(holder vertex, media node)`` pairs;
    ``known`` is indexed by media node. Stops early when no account holds a known media."""
    keep = known[media]
    holder, media = holder[keep], media[keep]
    compact, item = np.unique(media, return_inverse=True)
    item = item.ravel()
    left = np.bincount(item, minlength=len(compact)).astype(np.float64)
    removed = np.zeros(vertex_count, dtype=bool)
    chosen: list[int] = []
    progress: list[int] = []
    for _ in range(k):
        live = ~removed[holder]
        if not live.any():
            break
        score = np.bincount(holder[live], weights=1.0 / left[item[live]], minlength=vertex_count)
        score[removed] = -1.0
        best = int(np.argmax(score))
        if score[best] <= 0:
            break
        removed[best] = True
        mine = live & (holder == best)
        np.subtract.at(left, item[mine], 1.0)
        chosen.append(best)
        progress.append(int((left == 0).sum()))
    return RemovalPlan(tuple(chosen), tuple(progress))
