"""Matching media against the known lists: exact on cryptographic hashes, PDQ within each
list's threshold over the 8 dihedral variants of the query.

A PDQ of quality under ``pdq.MIN_QUALITY`` never makes a perceptual match, on either side.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from interlink.domain.lists import EntrySignal
from interlink.domain.scan import EntryMatch
from interlink.index.base import SignalIndex
from interlink.index.brute import BruteForceHammingIndex
from interlink.index.exact import ExactIndex
from interlink.signals import pdq
from interlink.signals.registry import CRYPTO

#: Signal types matched exactly when both sides have them.
EXACT_TYPES: tuple[str, ...] = (*CRYPTO, "photodna")


@dataclass(frozen=True, slots=True)
class Query:
    """What one media offers for matching: exact hash values by type, and its PDQ (if any)."""

    exact: Mapping[str, str]
    pdq: pdq.PdqHash | None = None


class KnownMatcher:
    """Indexes of every signal of the given lists, answering which entries a media matches.

    ``thresholds`` maps list id to its PDQ threshold (``pdq.THRESHOLD`` by default).
    """

    def __init__(
        self,
        signals: Iterable[EntrySignal],
        thresholds: Mapping[int, int],
        *,
        hamming: Callable[[], SignalIndex] = BruteForceHammingIndex,
    ) -> None:
        self._thresholds = dict(thresholds)
        self._list_of: dict[int, int] = {}
        exact_values: dict[str, tuple[list[str], list[int]]] = {t: ([], []) for t in EXACT_TYPES}
        pdq_values: tuple[list[str], list[int]] = ([], [])
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
        self._exact: dict[str, SignalIndex] = {}
        for name, (values, ids) in exact_values.items():
            if values:
                index = ExactIndex()
                index.add(values, ids)
                self._exact[name] = index
        self._pdq = hamming()
        self._pdq.add(*pdq_values)
        self._radius = max(self._thresholds.values(), default=pdq.THRESHOLD)

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
        return found

    def match_many(self, queries: Sequence[Query]) -> list[list[EntryMatch]]:
        """``match`` for each query."""
        return [self.match(q) for q in queries]
