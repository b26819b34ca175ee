"""Matching media against the known lists: exact on cryptographic hashes, PDQ within each
list's threshold over the 8 dihedral variants of the query, and for videos Meta's vPDQ rule
against known videos (a full match, ``vpdq``), else the excerpt rule (the query is a stretch of
a known video, ``vpdq-excerpt``; ``signals.vpdq_excerpt``), plus each sampled frame against
known images; for images with an ORB signal that matched no entry by an exact hash or PDQ,
the ORB index (``index.orb``: the known image after a crop, border, rotation or caption,
``signals.orb``). A PDQ or exact match of an entry wins: the ORB search never adds a second
match for an entry already matched.

A PDQ of quality under ``pdq.MIN_QUALITY`` never makes a perceptual match, on either side.

The indexes (``KnownIndexes``) are built once from the lists' signals and can be saved and
opened again memory-mapped, so a national node with tens of millions of known hashes does not
rebuild them for every scan (``services.known_cache``).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from interlink.domain.errors import IndexCorruptError
from interlink.domain.lists import EntrySignal
from interlink.domain.scan import EntryMatch
from interlink.index.exact import ExactIndex
from interlink.index.hamming import HammingIndex
from interlink.index.orb import OrbIndex
from interlink.signals import orb, pdq, vpdq
from interlink.signals.registry import CRYPTO
from interlink.signals.vpdq_excerpt import (
    EXCERPT_SIGNAL,
    MIN_COVERAGE,
    find_excerpt,
    match_distance,
)

#: Signal types matched exactly when both sides have them.
EXACT_TYPES: tuple[str, ...] = (*CRYPTO, "photodna")
#: Signal type recorded when a frame of a video matches a known image.
FRAME_SIGNAL = "vpdq-frame"
_FORMAT = "interlink-known-indexes/2"


@dataclass(frozen=True, slots=True)
class Query:
    """What one media offers for matching: exact hash values by type, its PDQ and ORB
    signal value (if an image) and its sampled frames (if a video)."""

    exact: Mapping[str, str]
    pdq: pdq.PdqHash | None = None
    frames: Sequence[vpdq.VpdqFeature] = ()
    orb: str | None = None


@dataclass
class KnownIndexes:
    """Every index of a set of lists: exact values per signal type, PDQ codes, ORB feature
    sets, known videos' frames (and their feature lists), and which list each entry id belongs
    to."""

    exact: dict[str, ExactIndex] = field(default_factory=dict)
    pdq: HammingIndex = field(default_factory=HammingIndex)
    frames: HammingIndex = field(default_factory=HammingIndex)
    videos: dict[int, vpdq.Features] = field(default_factory=dict)
    entry_list: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    orb: OrbIndex = field(default_factory=OrbIndex)

    @classmethod
    def build(cls, signals: Iterable[EntrySignal]) -> KnownIndexes:
        """The indexes of these signals (of quality >= ``pdq.MIN_QUALITY`` for PDQ)."""
        built = cls()
        exact: dict[str, tuple[list[str], list[int]]] = {t: ([], []) for t in EXACT_TYPES}
        perceptual: tuple[list[str], list[int]] = ([], [])
        robust: tuple[list[str], list[int]] = ([], [])
        owners: dict[int, int] = {}
        for signal in signals:
            owners[signal.entry_id] = signal.list_id
            if signal.type in exact:
                exact[signal.type][0].append(signal.value)
                exact[signal.type][1].append(signal.entry_id)
            elif signal.type == pdq.NAME and (
                signal.quality is None or signal.quality >= pdq.MIN_QUALITY
            ):
                perceptual[0].append(signal.value)
                perceptual[1].append(signal.entry_id)
            elif signal.type == orb.NAME:
                robust[0].append(signal.value)
                robust[1].append(signal.entry_id)
            elif signal.type == vpdq.NAME:
                built.videos[signal.entry_id] = vpdq.usable(vpdq.loads(signal.value))
        for name, (values, ids) in exact.items():
            if values:
                built.exact[name] = ExactIndex()
                built.exact[name].add(values, ids)
        built.pdq.add(*perceptual)
        built.orb.add(*robust)
        for entry_id, features in built.videos.items():
            built.frames.add([f.pdq for f in features], [entry_id] * len(features))
        top = max(owners, default=-1)
        built.entry_list = np.zeros(top + 1, dtype=np.int64)
        if owners:
            keys = np.fromiter(owners, dtype=np.int64, count=len(owners))
            built.entry_list[keys] = np.fromiter(owners.values(), dtype=np.int64)
        return built

    @property
    def entries(self) -> int:
        """How many entries have at least one signal here."""
        return int(np.count_nonzero(self.entry_list))

    def list_of(self, entry_id: int) -> int:
        """The list an entry belongs to."""
        return int(self.entry_list[entry_id])

    def save(self, path: Path) -> None:
        """Write every index under the directory ``path``, atomically (a crash leaves either
        the old directory or the new one)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}."))
        try:
            for name, index in self.exact.items():
                index.save(staging / f"exact-{name}")
            self.pdq.save(staging / "pdq")
            self.frames.save(staging / "frames")
            self.orb.save(staging / "orb.npz")
            np.save(staging / "entry_list.npy", self.entry_list, allow_pickle=False)
            videos = {str(k): vpdq.dumps(v) for k, v in self.videos.items()}
            manifest = {"format": _FORMAT, "exact": sorted(self.exact), "videos": videos}
            (staging / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
            if path.exists():
                shutil.rmtree(path)
            os.replace(staging, path)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

    @classmethod
    def load(cls, path: Path) -> KnownIndexes:
        """Open what ``save`` wrote, memory-mapped; ``IndexCorruptError`` if it is damaged."""
        try:
            manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
            if manifest.get("format") != _FORMAT:
                raise IndexCorruptError(str(path), "not a known-index directory of this version")
            return cls(
                exact={n: ExactIndex.load(path / f"exact-{n}") for n in manifest["exact"]},
                pdq=HammingIndex.load(path / "pdq"),
                frames=HammingIndex.load(path / "frames"),
                videos={int(k): vpdq.usable(vpdq.loads(v)) for k, v in manifest["videos"].items()},
                entry_list=np.load(path / "entry_list.npy", mmap_mode="r", allow_pickle=False),
                orb=OrbIndex.load(path / "orb.npz"),
            )
        except (OSError, ValueError, KeyError) as exc:
            raise IndexCorruptError(str(path), str(exc)) from exc


class KnownMatcher:
    """Which entries of the indexed lists a media matches.

    ``thresholds`` maps list id to its PDQ threshold (``pdq.THRESHOLD`` by default).
    """

    def __init__(self, indexes: KnownIndexes, thresholds: Mapping[int, int]) -> None:
        self._indexes = indexes
        self._thresholds = dict(thresholds)
        self._radius = max(self._thresholds.values(), default=pdq.THRESHOLD)

    @classmethod
    def of(cls, signals: Iterable[EntrySignal], thresholds: Mapping[int, int]) -> KnownMatcher:
        """A matcher over indexes built from ``signals`` now."""
        return cls(KnownIndexes.build(signals), thresholds)

    @property
    def size(self) -> int:
        """How many entries the matcher knows."""
        return self._indexes.entries

    def _within(self, entry_id: int, distance: int) -> bool:
        return distance <= self._thresholds.get(self._indexes.list_of(entry_id), pdq.THRESHOLD)

    def match(self, query: Query) -> list[EntryMatch]:
        """Every entry the media matches, at most once per (entry, signal type)."""
        indexes = self._indexes
        found: list[EntryMatch] = []
        for name, value in query.exact.items():
            index = indexes.exact.get(name)
            if index is None:
                continue
            for hit in index.query(value):
                found.append(EntryMatch(hit.id, indexes.list_of(hit.id), name, 0))
        if query.pdq is not None and query.pdq.quality >= pdq.MIN_QUALITY and len(indexes.pdq):
            variants = query.pdq.dihedral or (query.pdq.value,)
            for hit in indexes.pdq.query_variants(variants, self._radius):
                if self._within(hit.id, hit.distance):
                    found.append(
                        EntryMatch(hit.id, indexes.list_of(hit.id), pdq.NAME, hit.distance)
                    )
        if query.orb is not None and len(indexes.orb):
            matched = {m.entry_id for m in found}
            for hit in indexes.orb.query(query.orb, orb.THRESHOLD):
                if hit.id not in matched:
                    found.append(
                        EntryMatch(hit.id, indexes.list_of(hit.id), orb.NAME, hit.distance)
                    )
        if query.frames:
            found.extend(self._match_video(vpdq.usable(query.frames)))
        return found

    def _match_video(self, frames: vpdq.Features) -> list[EntryMatch]:
        indexes = self._indexes
        found: list[EntryMatch] = []
        values = [f.pdq for f in frames]
        if values and len(indexes.frames):
            candidates = {
                h.id for hits in indexes.frames.query_batch(values, vpdq.DISTANCE) for h in hits
            }
            for entry_id in sorted(candidates):
                found.extend(self._match_known_video(entry_id, frames))
        if values and len(indexes.pdq):
            best: dict[int, int] = {}
            for hits in indexes.pdq.query_batch(values, self._radius):
                for hit in hits:
                    if self._within(hit.id, hit.distance):
                        best[hit.id] = min(hit.distance, best.get(hit.id, hit.distance))
            found.extend(
                EntryMatch(entry_id, indexes.list_of(entry_id), FRAME_SIGNAL, distance)
                for entry_id, distance in sorted(best.items())
            )
        return found

    def _match_known_video(self, entry_id: int, frames: vpdq.Features) -> list[EntryMatch]:
        """A full match by Meta's rule if it holds, else an excerpt match if the query is an
        excerpt of the known video, else nothing."""
        known = self._indexes.videos[entry_id]
        list_id = self._indexes.list_of(entry_id)
        result = vpdq.match_videos(frames, known)
        if result.matched:
            return [EntryMatch(entry_id, list_id, vpdq.NAME, 100 - math.floor(result.known_pct))]
        if result.query_pct < 100 * MIN_COVERAGE:
            return []  # too few of the query's frames are in the known video at any offset
        excerpt = find_excerpt(frames, known)
        if excerpt is None:
            return []
        return [EntryMatch(entry_id, list_id, EXCERPT_SIGNAL, match_distance(excerpt))]
