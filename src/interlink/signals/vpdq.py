"""vPDQ: Meta's video hash, a list of per-frame PDQ features.

A feature is (frame number, PDQ, quality, timestamp in seconds). The canonical text of a feature
list is Meta's reference file format (``vpdq-hash-video`` output): one line per feature,
``frame,quality,pdqhex,timestamp`` with the timestamp to three decimals, lines joined by
``\\n``. ``loads`` also reads python-threatexchange's signal strings (a JSON list of
``"pdqhex,quality,timestamp"`` strings, and the older JSON object keyed by frame number).

Two feature lists are compared by Meta's rule (``match_videos``): frames are de-duplicated by
hash, frames under the quality floor are dropped, and a frame of one list is matched when some
frame of the other is within the PDQ distance. ``compare`` (the signal type's distance) is 100
minus the share of the second list's frames matched, so the default threshold of 20 means "at
least 80% of the known video appears in the query".
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from interlink.domain.errors import InvalidSignalError
from interlink.signals.base import Family, SignalType

NAME = "vpdq"
#: PDQ distance at or under which two frames match (Meta's default).
DISTANCE = 31
#: Frames of lower PDQ quality are ignored when matching (Meta's default).
QUALITY = 50
#: Default share (percent) of the known video's unique frames that must be found in the query
#: (Meta's vPDQ README: P_c = 80%).
KNOWN_PCT = 80.0
#: Default share (percent) of the query's unique frames that must be found in the known video
#: (Meta's vPDQ README: P_q = 0%, so padding around a known video does not hide it).
QUERY_PCT = 0.0
#: Decimal places of timestamps in the canonical text.
TIMESTAMP_PLACES = 3

_HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True, order=True)
class VpdqFeature:
    """One sampled frame: its frame number, PDQ (64 lower-case hex digits), PDQ quality
    (0-100) and presentation time in seconds. Invalid values raise ``InvalidSignalError``."""

    frame: int
    pdq: str
    quality: int
    timestamp: float

    def __post_init__(self) -> None:
        if not _HEX64.fullmatch(self.pdq):
            raise InvalidSignalError(NAME, self.pdq, "PDQ must be 64 lower-case hex digits")
        if self.frame < 0:
            raise InvalidSignalError(NAME, str(self.frame), "frame number must be >= 0")
        if not 0 <= self.quality <= 100:
            raise InvalidSignalError(NAME, str(self.quality), "quality must be 0-100")
        if not math.isfinite(self.timestamp) or self.timestamp < 0:
            raise InvalidSignalError(NAME, str(self.timestamp), "timestamp must be >= 0")

    def line(self) -> str:
        """This feature as one line of Meta's vPDQ file format."""
        return f"{self.frame},{self.quality},{self.pdq},{self.timestamp:.{TIMESTAMP_PLACES}f}"


Features = tuple[VpdqFeature, ...]


def feature(frame: int, pdq: str, quality: int, timestamp: float) -> VpdqFeature:
    """A feature from loosely written values (PDQ in any case, with ``0x``); the timestamp is
    rounded to the canonical three decimals."""
    text = pdq.strip().lower().removeprefix("0x")
    return VpdqFeature(int(frame), text, int(quality), round(float(timestamp), TIMESTAMP_PLACES))


def features_from_rows(
    rows: Iterable[tuple[int | None, float | None, str, int | None]],
    *,
    fps: float | None = None,
    default_quality: int = 100,
) -> Features:
    """Features from ``(frame, timestamp, pdq, quality)`` rows, as other formats carry them
    (VICS video segments): a missing frame number is derived from the timestamp and ``fps``
    (or is the row's position), a missing timestamp from the frame number and ``fps`` (or is
    the frame number, one per second), and a missing quality is ``default_quality``.
    The result is sorted by frame number."""
    out: list[VpdqFeature] = []
    for position, (frame, timestamp, pdq, quality) in enumerate(rows):
        if frame is None:
            frame = round(timestamp * fps) if timestamp is not None and fps else position
        if timestamp is None:
            timestamp = frame / fps if fps else float(frame)
        out.append(feature(frame, pdq, default_quality if quality is None else quality, timestamp))
    return tuple(sorted(out))


def dumps(features: Iterable[VpdqFeature]) -> str:
    """The canonical text: Meta's vPDQ file lines joined by ``\\n`` (no final newline)."""
    return "\n".join(f.line() for f in features)


def loads(text: str) -> Features:
    """Features from Meta's vPDQ file text or python-threatexchange's JSON signal string;
    raise ``InvalidSignalError`` on anything else (or on an empty list)."""
    stripped = text.strip()
    try:
        if stripped.startswith(("[", "{")):
            found = _from_json(stripped)
        else:
            found = tuple(_from_line(line) for line in stripped.splitlines() if line.strip())
    except (ValueError, TypeError, KeyError) as exc:
        if isinstance(exc, InvalidSignalError):
            raise
        raise InvalidSignalError(NAME, text, str(exc)) from exc
    if not found:
        raise InvalidSignalError(NAME, text, "no frames")
    return found


def _from_line(line: str) -> VpdqFeature:
    parts = [p.strip() for p in line.split(",")]
    if len(parts) != 4:
        raise ValueError(f"expected frame,quality,pdq,timestamp in {line!r}")
    return feature(int(parts[0]), parts[2], int(parts[1]), float(parts[3]))


def _from_json(text: str) -> Features:
    data = json.loads(text)
    if isinstance(data, list):
        # python-threatexchange VpdqCompactFeature strings: "pdqhex,quality,timestamp".
        out = []
        for position, item in enumerate(data):
            pdq, quality, timestamp = str(item).split(",")
            out.append(feature(position, pdq, int(quality), float(timestamp)))
        return tuple(out)
    if isinstance(data, dict):
        # The older python-threatexchange form: {frame: {"quality", "hash", "timestamp"}}.
        rows = (
            feature(int(k), str(v["hash"]), int(v["quality"]), float(v["timestamp"]))
            for k, v in data.items()
        )
        return tuple(sorted(rows))
    raise ValueError("expected a JSON list or object")


def to_threatexchange(features: Iterable[VpdqFeature]) -> str:
    """python-threatexchange's signal string for these features (frame numbers are not kept)."""
    return json.dumps([f"{f.pdq},{f.quality},{f.timestamp:.{TIMESTAMP_PLACES}f}" for f in features])


def validate(value: str) -> str:
    """Normalise any form ``loads`` reads to the canonical text."""
    return dumps(loads(value))


# --- matching -------------------------------------------------------------------------------


def hash_words(hashes: Sequence[str]) -> npt.NDArray[np.uint64]:
    """PDQ hex strings as an ``n x 4`` array of 64-bit words (for vectorised distances)."""
    raw = b"".join(bytes.fromhex(h) for h in hashes)
    return np.frombuffer(raw, dtype=">u8").astype(np.uint64).reshape(len(hashes), 4)


def feature_words(features: Sequence[VpdqFeature]) -> npt.NDArray[np.uint64]:
    """``hash_words`` of the features' PDQ values."""
    return hash_words([f.pdq for f in features])


#: Cap on the temporary distance block (cells) so long videos stay within memory.
_BLOCK_CELLS = 1 << 22


def pairs_within(
    a: npt.NDArray[np.uint64], b: npt.NDArray[np.uint64], radius: int
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Every ``(i, j, distance)`` with Hamming distance of ``a[i]`` and ``b[j]`` at most
    ``radius``, as three arrays sorted by ``i`` then ``j``."""
    found_i: list[npt.NDArray[np.intp]] = []
    found_j: list[npt.NDArray[np.intp]] = []
    found_d: list[npt.NDArray[np.intp]] = []
    if len(a) == 0 or len(b) == 0:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty, empty
    rows = max(1, _BLOCK_CELLS // len(b))
    for start in range(0, len(a), rows):
        block = a[start : start + rows]
        dist = np.bitwise_count(block[:, None, :] ^ b[None, :, :]).sum(axis=2, dtype=np.intp)
        ii, jj = np.nonzero(dist <= radius)
        found_i.append(ii + start)
        found_j.append(jj)
        found_d.append(dist[ii, jj])
    return np.concatenate(found_i), np.concatenate(found_j), np.concatenate(found_d)


def usable(features: Iterable[VpdqFeature], quality: int = QUALITY) -> Features:
    """The features a match uses: the first of each distinct PDQ, at or over ``quality``."""
    seen: set[str] = set()
    out: list[VpdqFeature] = []
    for f in features:
        if f.quality >= quality and f.pdq not in seen:
            seen.add(f.pdq)
            out.append(f)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class VideoMatch:
    """Meta's vPDQ comparison: the percentage of the query's usable frames found in the known
    video, the percentage of the known video's usable frames found in the query, and whether
    both reach their thresholds."""

    query_pct: float
    known_pct: float
    matched: bool


def match_videos(
    query: Sequence[VpdqFeature],
    known: Sequence[VpdqFeature],
    *,
    distance: int = DISTANCE,
    quality: int = QUALITY,
    query_pct: float = QUERY_PCT,
    known_pct: float = KNOWN_PCT,
) -> VideoMatch:
    """Compare two videos by Meta's vPDQ rule. With no usable frame on either side nothing
    matches (0%, 0%)."""
    q = usable(query, quality)
    k = usable(known, quality)
    if not q or not k:
        return VideoMatch(0.0, 0.0, False)
    ii, jj, _ = pairs_within(
        hash_words([f.pdq for f in q]), hash_words([f.pdq for f in k]), distance
    )
    q_share = 100.0 * len(np.unique(ii)) / len(q)
    k_share = 100.0 * len(np.unique(jj)) / len(k)
    return VideoMatch(q_share, k_share, q_share >= query_pct and k_share >= known_pct)


def compare(a: str, b: str) -> int:
    """The signal type's distance: 100 minus the whole percentage of ``b``'s usable frames
    found in ``a`` (0 when every frame of ``b`` is in ``a``; 100 when none is)."""
    result = match_videos(loads(a), loads(b))
    return 100 - math.floor(result.known_pct)


TYPE = SignalType(NAME, Family.FRAMES, validate, compare, bits=0, threshold=round(100 - KNOWN_PCT))
