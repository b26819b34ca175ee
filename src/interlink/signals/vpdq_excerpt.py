"""An excerpt of a known video: a query whose frames are (nearly) all found, in order and at one
time offset, in one stretch of a known video.

Meta's vPDQ rule (``vpdq.match_videos``) asks that a share of the known video's frames be found
in the query, which a 6-second clip of a 20-second video cannot meet (it holds 30% of it at
most). ``find_excerpt`` asks the converse, with guards that keep it as hard to meet by chance:

1. **Enough query.** At least ``MIN_PICTURES`` different pictures (usable frames more than the
   match distance apart, so a still held for a minute is one picture) over at least
   ``MIN_SECONDS`` seconds.
2. **Query coverage at one offset.** At least ``MIN_COVERAGE`` of the query's usable frames are
   within the match distance of a known frame whose time is the query frame's time plus one
   offset, give or take the sampling tolerance (the coarser sampling interval of the two). So
   the matched known frames form one stretch, in the same order: a shuffled montage, or
   frames that match all over the known video, do not pass. Timestamps are seconds of
   presentation time, so a re-encode at another frame rate keeps the offset.
3. **The stretch has no holes.** At least ``MIN_STRETCH_COVERAGE`` of the known video's usable
   frames from the first to the last known frame matched at that offset are matched too:
   Meta's own share rule, applied to the stretch instead of the whole known video.

The excerpt is the whole query: its range runs from its first sampled frame to one sampling
interval after its last (a sampled frame stands for the time up to the next sample), and the
known range is that shifted by the offset (kept within the known video).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from interlink.signals.vpdq import (
    DISTANCE,
    QUALITY,
    VpdqFeature,
    feature_words,
    pairs_within,
    usable,
)
from interlink.signals.vpdq_clips import sampling_interval

#: Signal type of a match recorded when a video is an excerpt of a known video; its distance is
#: 100 minus the whole percentage of the query's frames found (``match_distance``).
EXCERPT_SIGNAL = "vpdq-excerpt"
#: Share of the query's usable frames that must be found in the known video at one offset.
MIN_COVERAGE = 0.8
#: Share of the known video's usable frames inside the matched stretch found in the query.
MIN_STRETCH_COVERAGE = 0.8
#: Fewest different pictures (usable frames more than the match distance apart) in a query.
MIN_PICTURES = 3
#: Shortest query, in seconds of sampled time (first to last sample plus one interval).
MIN_SECONDS = 4.0
#: Smallest offset tolerance, seconds (for densely sampled videos).
MIN_TOLERANCE = 0.1


@dataclass(frozen=True, slots=True)
class Excerpt:
    """The query from ``query_start`` to ``query_end`` seconds is the known video from
    ``known_start`` to ``known_end`` (``offset`` = known time minus query time). ``frames`` of
    the query's usable frames were found at that offset, ``coverage`` their share of all of
    them; ``stretch_coverage`` is the share of the known video's usable frames in the stretch
    found in the query."""

    query_start: float
    query_end: float
    known_start: float
    known_end: float
    offset: float
    frames: int
    coverage: float
    stretch_coverage: float


def find_excerpt(
    query: Sequence[VpdqFeature],
    known: Sequence[VpdqFeature],
    *,
    distance: int = DISTANCE,
    quality: int = QUALITY,
    min_coverage: float = MIN_COVERAGE,
    min_stretch_coverage: float = MIN_STRETCH_COVERAGE,
    min_pictures: int = MIN_PICTURES,
    min_seconds: float = MIN_SECONDS,
) -> Excerpt | None:
    """The stretch of ``known`` that ``query`` is an excerpt of, or ``None`` when the query is
    too short, too still, or not (nearly) all found at one offset (the rules in the module
    docstring)."""
    q = sorted(usable(query, quality), key=lambda f: f.timestamp)
    k = sorted(usable(known, quality), key=lambda f: f.timestamp)
    if len(q) < min_pictures or not k:
        return None
    q_step, k_step = sampling_interval(query), sampling_interval(known)
    ta = np.array([f.timestamp for f in q])
    tb = np.array([f.timestamp for f in k])
    if ta[-1] - ta[0] + q_step < min_seconds:
        return None
    q_words = feature_words(q)
    if distinct_pictures(q_words, distance, min_pictures) < min_pictures:
        return None
    ii, jj, _ = pairs_within(q_words, feature_words(k), distance)
    if len(np.unique(ii)) < min_coverage * len(q):
        return None
    tolerance = max(q_step, k_step, MIN_TOLERANCE)
    offsets = tb[jj] - ta[ii]
    bins = np.floor(offsets / tolerance).astype(np.int64)
    peak = _best_window(ii, bins, len(q))
    inside = (bins == peak) | (bins == peak + 1)
    aligned = np.unique(ii[inside])
    coverage = len(aligned) / len(q)
    if coverage < min_coverage:
        return None
    offset = _offset(ii[inside], offsets[inside])
    matched_known = np.unique(jj[inside])
    stretch = (tb >= tb[matched_known].min()) & (tb <= tb[matched_known].max())
    stretch_coverage = float(np.isin(np.flatnonzero(stretch), matched_known).mean())
    if stretch_coverage < min_stretch_coverage:
        return None
    query_start, query_end = float(ta[0]), float(ta[-1]) + q_step
    return Excerpt(
        query_start=round(query_start, 3),
        query_end=round(query_end, 3),
        known_start=round(max(0.0, query_start + offset), 3),
        known_end=round(min(query_end + offset, float(tb[-1]) + k_step), 3),
        offset=round(offset, 3),
        frames=len(aligned),
        coverage=round(coverage, 3),
        stretch_coverage=round(stretch_coverage, 3),
    )


def match_distance(excerpt: Excerpt) -> int:
    """The distance an excerpt match is recorded with: 100 minus the whole percentage of the
    query's usable frames found at the excerpt's offset."""
    return 100 - math.floor(round(100 * excerpt.coverage, 6))


def distinct_pictures(words: npt.NDArray[np.uint64], distance: int, enough: int) -> int:
    """How many of the frames (PDQ words, in time order) are more than ``distance`` from every
    earlier counted one; counting stops at ``enough``."""
    kept: list[npt.NDArray[np.uint64]] = []
    for word in words:
        if kept:
            far = np.bitwise_count(np.stack(kept) ^ word).sum(axis=1) > distance
            if not far.all():
                continue
        kept.append(word)
        if len(kept) >= enough:
            break
    return len(kept)


def _best_window(ii: npt.NDArray[np.intp], bins: npt.NDArray[np.int64], frames: int) -> int:
    """The offset bin ``b`` whose window (``b``, ``b + 1``) holds the most distinct query
    frames (the lowest such bin on a tie)."""
    keys = np.unique(np.concatenate([bins * frames + ii, (bins - 1) * frames + ii]))
    windows, counts = np.unique(keys // frames, return_counts=True)
    return int(windows[int(np.argmax(counts))])


def _offset(ii: npt.NDArray[np.intp], offsets: npt.NDArray[np.float64]) -> float:
    """The offset of the window: the median over query frames of each frame's pair closest to
    the window's median offset."""
    centre = float(np.median(offsets))
    closest: dict[int, float] = {}
    for i, off in zip(ii.tolist(), offsets.tolist(), strict=True):
        if i not in closest or abs(off - centre) < abs(closest[i] - centre):
            closest[i] = off
    return float(np.median(list(closest.values())))
