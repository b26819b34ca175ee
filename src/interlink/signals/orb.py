"""ORB: a set of local features of an image that survives crops, borders, rotations and captions.

PDQ is global: crop a tenth off each side or turn the image by ten degrees and it changes past
any threshold. This signal keeps up to ``MAX_FEATURES`` ORB keypoints (OpenCV) of the image
scaled to ``FRAME`` pixels on its longest side, each with its 256-bit binary descriptor and its
position. Two images match when enough of their descriptors pair up (mutual nearest neighbours
within ``PAIR_DISTANCE`` bits) *and* the pairs agree on one similarity transform (rotation,
uniform scale, shift) found by RANSAC: ``score`` is how many pairs agree (the inliers). A crop,
border, caption, rotation or resize keeps the transform a similarity, so the features that
survive still agree; unrelated images pair up a few descriptors by chance, but those do not
agree on one geometry.

Values are ``orb1:`` and the URL-safe base64 of: one byte of feature count ``n`` then ``n``
records of a 32-byte descriptor and x, y as little-endian ``uint16`` in eighths of a pixel of
the scaled frame (at most ``2 + 48 * 36 = 1730`` bytes, 2,312 characters). A value with no
features is valid and matches nothing.

``compare`` gives a distance, as every signal type does: ``MAX_FEATURES - score`` (0 when all
48 features agree); ``THRESHOLD`` is that distance at ``MIN_INLIERS``.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from interlink.domain.errors import InvalidSignalError
from interlink.signals.base import Family, SignalType

NAME = "orb"
PREFIX = "orb1:"
#: Longest side of the frame features are found in (``bench/robust.py`` chose it, with
#: ``_LEVELS`` and ``_FAST``, for recall and false matches at the least CPU).
FRAME = 464
#: Features stored per image, and used by a query (which is not stored).
MAX_FEATURES = 48
QUERY_FEATURES = 160
#: Features are chosen spread over a grid of this many cells a side (strongest first in each).
GRID = 4
#: Bytes of one feature record: a 256-bit descriptor and two uint16 coordinates.
RECORD = 36
#: Two descriptors pair up only within this many bits (of 256).
PAIR_DISTANCE = 64
#: RANSAC reprojection error, in pixels of the scaled frame.
RANSAC_PIXELS = 3.0
#: Agreeing pairs needed for a match (chosen in ``bench/robust.py``: at 12, four chance pairs of
#: 108,675 reached it; at 13, none).
MIN_INLIERS = 13
THRESHOLD = MAX_FEATURES - MIN_INLIERS
#: ORB's own settings: candidates before the strongest are kept, pyramid levels and step.
#: Five levels of 1.25 span a scale change of 2.4: the frame already undoes resizing, and the
#: edits the signal is for change the scale of what is kept by less than 1.5. With the
#: 464-pixel frame that is 20 % fewer pixels than six levels of 1.2 at 480 (the settings
#: before), for FAST, the blur and the pyramid. Four levels of 1.3 cost less again, but
#: low-contrast pictures then give fewer than 48 features (41 on a generated test scene).
#: 200 candidates (was 500) still leave the query its 160 on all but 27 of 540 photos (19 at
#: 500); ORB finds each candidate's angle and descriptor, so fewer cost less
#: (``bench/robust.py``, FAST's score: 97.4-97.9 % recall from 160 to 500, none false).
_CANDIDATES = 200
_LEVELS = 5
_SCALE_STEP = 1.25
_EDGE = 15
#: FAST's corner threshold (OpenCV's default is 20, which costs 5 % more time here for 1 %
#: more recall). 24 or more find fewer corners in less time, but lose low-contrast pictures
#: (generated scenes, the tests: a halved JPEG copy falls to 12 inliers at 24).
_FAST = 22
#: Candidates are ranked by FAST's own score, not by the Harris measure (OpenCV's default):
#: on the 70 photos' edits recall at ``MIN_INLIERS`` rose from 95.6 % to 97.8 % and the
#: largest chance score fell from 12 to 10 (``bench/robust.py``, with 200 candidates), and
#: ORB skips the Harris measure of twice as many corners as it keeps.
_FAST_SCORE = True


@dataclass(frozen=True, slots=True)
class Features:
    """Up to ``MAX_FEATURES`` ORB features: ``descriptors`` ``(n, 32)`` ``uint8`` and ``points``
    ``(n, 2)`` ``float32`` (x, y in pixels of the scaled frame)."""

    descriptors: npt.NDArray[np.uint8]
    points: npt.NDArray[np.float32]

    def __len__(self) -> int:
        return len(self.descriptors)


EMPTY = Features(np.zeros((0, 32), np.uint8), np.zeros((0, 2), np.float32))


def frame(luma: npt.NDArray[np.floating] | npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """``luma`` (``H x W``, 0-255) as 8 bits, scaled so its longest side is at most ``FRAME``:
    first by a whole factor, averaging blocks (exact and cheap), then bilinearly by less than
    a halving (where bilinear sampling does not alias)."""
    import cv2

    plane = np.asarray(luma)
    height, width = plane.shape
    longest = max(height, width)
    factor = longest // FRAME if longest > FRAME else 1
    if factor > 1:
        size = (-(-width // factor), -(-height // factor))
        plane = cv2.resize(plane, size, interpolation=cv2.INTER_AREA)
        height, width = plane.shape
        longest = max(height, width)
    if longest > FRAME:
        size = (max(1, round(width * FRAME / longest)), max(1, round(height * FRAME / longest)))
        plane = cv2.resize(plane, size, interpolation=cv2.INTER_LINEAR)
    if plane.dtype != np.uint8:  # rounded to nearest (ties to even) and saturated to 0-255
        plane = cv2.convertScaleAbs(plane)  # |x| is x: resizing keeps a 0-255 luma positive
    return np.ascontiguousarray(plane)


def extract(
    luma: npt.NDArray[np.floating] | npt.NDArray[np.uint8], limit: int = MAX_FEATURES
) -> Features:
    """Up to ``limit`` ORB features of an image whose luma (``H x W``, 0-255) is ``luma``, at
    any resolution: it is scaled to ``FRAME`` first, so the features of one picture at two
    sizes agree. They are spread over the picture: the strongest of each ``GRID x GRID`` cell,
    then the second strongest of each, and so on, so a caption, a border's edge or one busy
    corner cannot take them all. The first ``MAX_FEATURES`` of ``extract(luma, n)`` are
    ``extract(luma)``. Deterministic for the same pixels."""
    import cv2

    plane = frame(luma)
    if min(plane.shape) < 2 * _EDGE + 1:
        return EMPTY
    detector = cv2.ORB.create(
        nfeatures=_CANDIDATES,
        scaleFactor=_SCALE_STEP,
        nlevels=_LEVELS,
        edgeThreshold=_EDGE,
        patchSize=_EDGE * 2 + 1,
        fastThreshold=_FAST,
        scoreType=cv2.ORB_FAST_SCORE if _FAST_SCORE else cv2.ORB_HARRIS_SCORE,
    )
    keypoints, descriptors = detector.detectAndCompute(plane, None)
    if descriptors is None or not keypoints:
        return EMPTY
    points = np.asarray(cv2.KeyPoint.convert(keypoints), np.float32).reshape(-1, 2)
    strength = np.array([k.response for k in keypoints], dtype=np.float64)
    keep = spread(points, strength, plane.shape)[:limit]
    return Features(np.ascontiguousarray(descriptors[keep], dtype=np.uint8), points[keep])


def spread(
    points: npt.NDArray[np.float32], strength: npt.NDArray[np.float64], shape: tuple[int, ...]
) -> npt.NDArray[np.intp]:
    """The order features are kept in: the strongest of each ``GRID x GRID`` cell of a frame
    of ``shape``, then the second strongest of each, and so on (ties by strength, then by
    detection order)."""
    if not len(points):
        return np.zeros(0, np.intp)
    height, width = shape[:2]
    cells = np.minimum(points[:, 1] * GRID // height, GRID - 1) * GRID
    cells += np.minimum(points[:, 0] * GRID // width, GRID - 1)
    by_strength = np.argsort(-strength, kind="stable")
    ordered = cells.astype(np.intp)[by_strength]  # the cells, strongest feature first
    by_cell = np.argsort(ordered, kind="stable")
    grouped = ordered[by_cell]
    count = np.arange(len(ordered))
    starts = np.where(np.r_[True, grouped[1:] != grouped[:-1]], count, 0)
    rank = np.empty(len(ordered), np.intp)  # place of each feature within its cell
    rank[by_cell] = count - np.maximum.accumulate(starts)
    order: npt.NDArray[np.intp] = by_strength[np.argsort(rank * len(ordered) + count)]
    return order


def dumps(features: Features) -> str:
    """The signal value of ``features`` (see the module docstring)."""
    count = len(features)
    if count > QUERY_FEATURES:
        raise ValueError(f"{count} features, at most {QUERY_FEATURES} fit a value")
    coords = np.clip(np.rint(features.points * 8), 0, 65535).astype("<u2")
    records = np.concatenate(
        [features.descriptors.reshape(count, 32), coords.view(np.uint8).reshape(count, 4)], axis=1
    )
    payload = bytes([count]) + records.tobytes()
    return PREFIX + base64.urlsafe_b64encode(payload).decode("ascii")


def loads(value: str) -> Features:
    """The features in a signal value; ``InvalidSignalError`` if it is not one."""
    text = value.strip()
    if not text.startswith(PREFIX):
        raise InvalidSignalError(NAME, value[:40], f"expected a value starting {PREFIX!r}")
    try:
        payload = base64.urlsafe_b64decode(text[len(PREFIX) :].encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise InvalidSignalError(NAME, value[:40], "not URL-safe base64") from None
    if not payload or payload[0] > QUERY_FEATURES or len(payload) != 1 + payload[0] * RECORD:
        raise InvalidSignalError(NAME, value[:40], "wrong length for its feature count")
    count = payload[0]
    records = np.frombuffer(payload, np.uint8, offset=1).reshape(count, RECORD)
    descriptors = np.ascontiguousarray(records[:, :32])
    coords = np.ascontiguousarray(records[:, 32:]).view("<u2")
    points = (coords.astype(np.float32) / np.float32(8)).reshape(count, 2)
    return Features(descriptors, points)


def validate(value: str) -> str:
    """``value`` normalised (re-encoded); ``InvalidSignalError`` if it is not an ORB value of
    at most ``MAX_FEATURES`` features (what is stored)."""
    features = loads(value)
    if len(features) > MAX_FEATURES:
        raise InvalidSignalError(NAME, value[:40], f"more than {MAX_FEATURES} features")
    return dumps(features)


def stored(features: Features) -> Features:
    """The features of a query set that are stored: its first ``MAX_FEATURES``."""
    return Features(features.descriptors[:MAX_FEATURES], features.points[:MAX_FEATURES])


def pairs(
    query: npt.NDArray[np.uint8], known: npt.NDArray[np.uint8]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Indexes ``(i, j)`` of mutual nearest neighbours between two descriptor sets, within
    ``PAIR_DISTANCE`` bits."""
    import cv2

    if not len(query) or not len(known):
        empty = np.zeros(0, np.intp)
        return empty, empty
    matches = cv2.BFMatcher(cv2.NORM_HAMMING, crossCheck=True).match(query, known)
    close = [m for m in matches if m.distance <= PAIR_DISTANCE]
    return (
        np.array([m.queryIdx for m in close], np.intp),
        np.array([m.trainIdx for m in close], np.intp),
    )


#: Set bits of every byte value.
POPCOUNT = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint16)


def score(query: Features, known: Features) -> int:
    """How many feature pairs of the two images agree on one similarity transform (0 when
    fewer than three pair up)."""
    i, j = pairs(query.descriptors, known.descriptors)
    return agreeing(query.points[i], known.points[j])


def agreeing(query: npt.NDArray[np.float32], known: npt.NDArray[np.float32]) -> int:
    """How many of the paired points ``query[k] -> known[k]`` (``(n, 2)`` each) one similarity
    transform found by RANSAC maps within ``RANSAC_PIXELS`` (0 for fewer than three pairs)."""
    import cv2

    if len(query) < 3:
        return 0
    _, inliers = cv2.estimateAffinePartial2D(
        query,
        known,
        method=cv2.RANSAC,
        ransacReprojThreshold=RANSAC_PIXELS,
        maxIters=500,
        confidence=0.995,
        refineIters=0,
    )
    return 0 if inliers is None else int(inliers.sum())


def distance(score_: int) -> int:
    """The distance a score stands for (``MAX_FEATURES - score``, never negative)."""
    return max(0, MAX_FEATURES - score_)


def compare(a: str, b: str) -> int:
    """Distance between two ORB values: ``MAX_FEATURES`` minus the agreeing pairs."""
    return distance(score(loads(a), loads(b)))


TYPE = SignalType(NAME, Family.FEATURES, validate, compare, bits=0, threshold=THRESHOLD)
