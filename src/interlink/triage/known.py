"""Matching media against the known lists: exact on cryptographic hashes, PDQ within each
list's threshold over the 8 dihedral variants of the query, and for videos Meta's vPDQ rule
against known videos plus each sampled frame against known images.

A PDQ of quality under ``pdq.MIN_QUALITY`` never makes a perceptual match, on either side.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from interlink.domain.lists import EntrySignal
from interlink.domain.scan import EntryMatch
from interlink.index.base import SignalIndex
from interlink.index.exact import ExactIndex
from interlink.index.hamming import HammingIndex
from interlink.signals import pdq, vpdq
from interlink.signals.registry import CRYPTO

#: Signal types matched exactly when both sides have them.
EXACT_TYPES: tuple[str, ...] = (*CRYPTO, "photodna")


#: Signal type recorded when a frame of a video matches a known image.
FRAME_SIGNAL = "vpdq-frame"


@dataclass(frozen=True, slots=True)
class Query:
    """What one media offers for matching: exact hash values by type, its PDQ (if an image)
    and its sampled frames (if a video)."""

    exact: Mapping[str, str]
    pdq: pdq.PdqHash | None = None
    frames: Sequence[vpdq.VpdqFeature] = ()


class KnownMatcher:
    """Indexes of every signal of the given lists, answering which entries a media matches.

    ``thresholds`` maps list id to its PDQ threshold (``pdq.THRESHOLD`` by default).
    """

    def __init__(
        self,
        signals: Iterable[EntrySignal],
        thresholds: Mapping[int, int],
        *,
        hamming: Callable[[], SignalIndex] = HammingIndex,
    ) -> None:
        self._thresholds = dict(thresholds)
        self._list_of: dict[int, int] = {}
        exact_values: dict[str, tuple[list[str], list[int]]] = {t: ([], []) for t in EXACT_TYPES}
        pdq_values: tuple[list[str], list[int]] = ([], [])
        self._videos: dict[int, vpdq.Features] = {}
        for signal in signals:
            self._list_of[signal.entry_id] = signal.list_id
            if signal.type in exact_values:
                exact_values[signal.type][0].append(signal.value)
                exact_values[signal.type][1].append(signal.entry_id)
            elif signal.type == pdq.NAME and (
                signal.quality is None or signal.quality >= pdq.MIN_QUALITY
            ):
                pdq_values[0].append(signal.value)
                pdq_values[1].append(signal.entry_id)
            elif signal.type == vpdq.NAME:
                self._videos[signal.entry_id] = vpdq.usable(vpdq.loads(signal.value))
        self._exact: dict[str, SignalIndex] = {}
        for name, (values, ids) in exact_values.items():
            if values:
                index = ExactIndex()
                index.add(values, ids)
                self._exact[name] = index
        self._pdq = hamming()
        self._pdq.add(*pdq_values)
        self._radius = max(self._thresholds.values(), default=pdq.THRESHOLD)
        self._frames = hamming()
        for entry_id, features in self._videos.items():
            self._frames.add([f.pdq for f in features], [entry_id] * len(features))

    @property
    def size(self) -> int:
        """How many entries the matcher knows."""
        return len(self._list_of)

    def match(self, query: Query) -> list[EntryMatch]:
        """Every entry the media matches, at most once per (entry, signal type)."""
        found: list[EntryMatch] = []
        for name, value in query.exact.items():
            index = self._exact.get(name)
            if index is None:
                continue
            for hit in index.query(value):
                found.append(EntryMatch(hit.id, self._list_of[hit.id], name, 0))
        if query.pdq is not None and query.pdq.quality >= pdq.MIN_QUALITY and len(self._pdq):
            variants = query.pdq.dihedral or (query.pdq.value,)
            for hit in self._pdq.query_variants(variants, self._radius):
                list_id = self._list_of[hit.id]
                if hit.distance <= self._thresholds.get(list_id, pdq.THRESHOLD):
                    found.append(EntryMatch(hit.id, list_id, pdq.NAME, hit.distance))
        if query.frames:
            found.extend(self._match_video(vpdq.usable(query.frames)))
        return found

    def _match_video(self, frames: vpdq.Features) -> list[EntryMatch]:
        found: list[EntryMatch] = []
        values = [f.pdq for f in frames]
        if values and len(self._frames):
            candidates = {
                h.id for hits in self._frames.query_batch(values, vpdq.DISTANCE) for h in hits
            }
            for entry_id in sorted(candidates):
                result = vpdq.match_videos(frames, self._videos[entry_id])
                if result.matched:
                    distance = 100 - math.floor(result.known_pct)
                    found.append(EntryMatch(entry_id, self._list_of[entry_id], vpdq.NAME, distance))
        if values and len(self._pdq):
            best: dict[int, int] = {}
            for hits in self._pdq.query_batch(values, self._radius):
                for hit in hits:
                    if hit.distance <= self._thresholds.get(self._list_of[hit.id], pdq.THRESHOLD):
                        best[hit.id] = min(hit.distance, best.get(hit.id, hit.distance))
            found.extend(
                EntryMatch(entry_id, self._list_of[entry_id], FRAME_SIGNAL, distance)
                for entry_id, distance in sorted(best.items())
            )
        return found

    def match_many(self, queries: Sequence[Query]) -> list[list[EntryMatch]]:
        """``match`` for each query."""
        return [self.match(q) for q in queries]
