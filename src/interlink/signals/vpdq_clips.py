"""Where two vPDQ feature lists line up in time, and which frames match known images.

``find_clips`` finds a clip of one video inside another: runs of frames of ``a`` that match
frames of ``b`` at a steady time offset (the clip may start anywhere in either video, and the
two were usually sampled at different phases, so offsets are binned to the sampling interval).
``match_frames_to_images`` matches single frames against known image PDQ hashes.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from interlink.signals.vpdq import (
    DISTANCE,
    QUALITY,
    VpdqFeature,
    feature_words,
    hash_words,
    pairs_within,
)

#: Most clips reported for one pair of videos.
MAX_CLIPS = 20


@dataclass(frozen=True, slots=True)
class ClipMatch:
    """Frames of ``a`` from ``a_start`` to ``a_end`` seconds found in ``b`` from ``b_start`` to
    ``b_end``, at ``offset`` seconds (``b`` time minus ``a`` time). ``frames`` is how many
    sampled frames of ``a`` matched; ``coverage`` is their share of ``a``'s usable frames in
    that span (1.0 when every one matched)."""

    a_start: float
    a_end: float
    b_start: float
    b_end: float
    offset: float
    frames: int
    coverage: float


def sampling_interval(features: Sequence[VpdqFeature]) -> float:
    """The median time between consecutive features (0.0 for fewer than two)."""
    times = sorted(f.timestamp for f in features)
    gaps = [b - a for a, b in itertools.pairwise(times) if b > a]
    return statistics.median(gaps) if gaps else 0.0


def find_clips(
    a: Sequence[VpdqFeature],
    b: Sequence[VpdqFeature],
    *,
    distance: int = DISTANCE,
    quality: int = QUALITY,
    min_frames: int = 3,
    tolerance: float | None = None,
    max_gap: float | None = None,
) -> list[ClipMatch]:
    """Runs of at least ``min_frames`` frames of ``a`` found in ``b`` at one time offset, most
    frames first. ``tolerance`` (seconds) is how far offsets of one run may differ (default:
    the coarser sampling interval of the two); a run breaks where consecutive matched frames of
    ``a`` are more than ``max_gap`` seconds apart (default: three tolerances)."""
    fa = sorted((f for f in a if f.quality >= quality), key=lambda f: f.timestamp)
    fb = sorted((f for f in b if f.quality >= quality), key=lambda f: f.timestamp)
    if not fa or not fb:
        return []
    tol = tolerance or max(sampling_interval(fa), sampling_interval(fb), 0.04)
    gap = max_gap or 3 * tol
    ta = np.array([f.timestamp for f in fa])
    tb = np.array([f.timestamp for f in fb])
    ii, jj, _ = pairs_within(
        hash_words([f.pdq for f in fa]), hash_words([f.pdq for f in fb]), distance
    )
    offsets = tb[jj] - ta[ii]
    bins = np.floor(offsets / tol).astype(np.int64)
    alive = np.ones(len(ii), dtype=bool)
    clips: list[ClipMatch] = []
    while alive.any() and len(clips) < MAX_CLIPS:
        peak = _best_window(ii[alive], bins[alive])
        if peak is None:
            break
        window = alive & ((bins == peak) | (bins == peak + 1))
        found = _runs(ii[window], jj[window], offsets[window], ta, tb, gap, min_frames)
        used = np.unique(ii[window])
        alive &= ~np.isin(ii, used)
        if len(used) < min_frames:
            break
        for first, last, first_b, last_b, offset, count in found:
            span = int(np.count_nonzero((ta >= ta[first]) & (ta <= ta[last])))
            clips.append(
                ClipMatch(
                    float(ta[first]),
                    float(ta[last]),
                    float(tb[first_b]),
                    float(tb[last_b]),
                    round(offset, 3),
                    count,
                    count / span,
                )
            )
    return sorted(clips, key=lambda c: (-c.frames, c.a_start))[:MAX_CLIPS]


def _best_window(ii: npt.NDArray[np.intp], bins: npt.NDArray[np.int64]) -> int | None:
    """The bin ``k`` whose window ``(k, k + 1)`` holds the most distinct frames of ``a``."""
    if len(ii) == 0:
        return None
    votes: dict[int, set[int]] = {}
    for i, k in zip(ii.tolist(), bins.tolist(), strict=True):
        votes.setdefault(k, set()).add(i)
        votes.setdefault(k - 1, set()).add(i)
    return max(votes, key=lambda k: (len(votes[k]), -k))


def _runs(
    ii: npt.NDArray[np.intp],
    jj: npt.NDArray[np.intp],
    offsets: npt.NDArray[np.float64],
    ta: npt.NDArray[np.float64],
    tb: npt.NDArray[np.float64],
    gap: float,
    min_frames: int,
) -> list[tuple[int, int, int, int, float, int]]:
    """Split one offset window's pairs into runs in ``a``'s time: (first a, last a, first b,
    last b, median offset, frames)."""
    centre = float(np.median(offsets))
    best: dict[int, tuple[float, int]] = {}
    for i, j, off in zip(ii.tolist(), jj.tolist(), offsets.tolist(), strict=True):
        score = abs(off - centre)
        if i not in best or score < best[i][0]:
            best[i] = (score, j)
    order = sorted(best)
    runs: list[list[int]] = []
    for i in order:
        if runs and ta[i] - ta[runs[-1][-1]] <= gap:
            runs[-1].append(i)
        else:
            runs.append([i])
    out = []
    for run in runs:
        if len(run) < min_frames:
            continue
        js = [best[i][1] for i in run]
        run_offsets = [float(tb[best[i][1]] - ta[i]) for i in run]
        out.append((run[0], run[-1], min(js), max(js), statistics.median(run_offsets), len(run)))
    return out


@dataclass(frozen=True, slots=True)
class FrameImageMatch:
    """A sampled frame (number and time) within ``distance`` of the known image at index
    ``image`` of the list it was matched against."""

    frame: int
    timestamp: float
    image: int
    distance: int


def match_frames_to_images(
    features: Sequence[VpdqFeature],
    images: Sequence[str],
    *,
    distance: int = DISTANCE,
    quality: int = QUALITY,
) -> list[FrameImageMatch]:
    """Every (frame, known image) pair within ``distance``, frames under ``quality`` ignored,
    sorted by image then time. ``images`` are normalised PDQ values."""
    frames = [f for f in features if f.quality >= quality]
    if not frames or not images:
        return []
    ii, jj, dd = pairs_within(feature_words(frames), hash_words(images), distance)
    found = [
        FrameImageMatch(frames[i].frame, frames[i].timestamp, j, d)
        for i, j, d in zip(ii.tolist(), jj.tolist(), dd.tolist(), strict=True)
    ]
    return sorted(found, key=lambda m: (m.image, m.timestamp, m.distance))
