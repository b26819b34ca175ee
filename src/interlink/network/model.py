"""The typed graph: accounts, identifiers, media, groups, reports, cases and countries.

Nodes are (kind, key) pairs with a dense integer index; edges are held column-wise in
read-only numpy arrays (source, target, relation, time, confidence, provenance) so a graph
of millions of edges stays compact. ``GraphBuilder`` assembles one from typed calls;
``TypedGraph.from_arrays`` takes ready arrays (large imports, benchmarks).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

from interlink.domain.errors import FormatError

#: ``time`` of an edge whose time is unknown.
NO_TIME = np.iinfo(np.int64).min


class NodeKind(StrEnum):
    """What a node stands for."""

    ACCOUNT = "account"
    EMAIL = "email"
    PHONE = "phone"
    IP = "ip"
    DEVICE = "device"
    MEDIA = "media"
    GROUP = "group"
    REPORT = "report"
    CASE = "case"
    COUNTRY = "country"


class Relation(StrEnum):
    """What an edge says; edges point from the account (or report) to what it relates to."""

    SHARED = "shared"  # account -> media it uploaded or shared
    RECEIVED = "received"  # account -> media sent to it
    SENT_TO = "sent_to"  # reported account -> intended recipient
    USES_EMAIL = "uses_email"
    USES_PHONE = "uses_phone"
    USED_IP = "used_ip"
    USED_DEVICE = "used_device"
    MEMBER_OF = "member_of"  # account -> group
    REPORTED_IN = "reported_in"  # reported account -> report
    RECIPIENT_IN = "recipient_in"  # intended recipient -> report
    PRIOR_REPORT = "prior_report"  # account -> an earlier report the platform cites
    IN_CASE = "in_case"  # report -> case
    LOCATED_IN = "located_in"  # account -> country it is attributed to


KINDS: tuple[NodeKind, ...] = tuple(NodeKind)
RELATIONS: tuple[Relation, ...] = tuple(Relation)
_KIND_CODE = {kind: code for code, kind in enumerate(KINDS)}
_RELATION_CODE = {relation: code for code, relation in enumerate(RELATIONS)}


def kind_code(kind: NodeKind) -> int:
    """The small integer a kind is stored as."""
    return _KIND_CODE[kind]


def relation_code(relation: Relation) -> int:
    """The small integer a relation is stored as."""
    return _RELATION_CODE[relation]


@dataclass(frozen=True, slots=True, order=True)
class Provenance:
    """Where an edge comes from: a report, the agency that received it, and its case."""

    report_id: str | None = None
    agency: str | None = None
    case: str | None = None


@dataclass(frozen=True, slots=True)
class Edge:
    """One edge, as a record (``TypedGraph.edge``); ``time`` is UTC or ``None``."""

    source: int
    target: int
    relation: Relation
    time: datetime | None
    confidence: float
    provenance: Provenance | None


def to_epoch(moment: datetime | None) -> int:
    """Seconds since the epoch, or ``NO_TIME``."""
    return NO_TIME if moment is None else int(moment.timestamp())


def from_epoch(seconds: int) -> datetime | None:
    """The UTC time of ``seconds``, or ``None`` for ``NO_TIME``."""
    return None if seconds == NO_TIME else datetime.fromtimestamp(seconds, UTC)


def _frozen(array: npt.ArrayLike, dtype: npt.DTypeLike) -> npt.NDArray[Any]:
    result = np.array(array, dtype=dtype, copy=True)
    result.flags.writeable = False
    return result


@dataclass(frozen=True, eq=False)
class TypedGraph:
    """A typed multigraph. Node ``i`` is ``(kinds[i], keys[i])``; edge ``j`` goes from
    ``source[j]`` to ``target[j]``. Arrays are read-only.

    ``labels`` gives a readable name for some nodes (an account's screen name);
    ``details`` gives extra text attributes of some nodes (an IP window's first and last time).
    """

    kinds: npt.NDArray[np.uint8]
    keys: tuple[str, ...]
    source: npt.NDArray[np.int64]
    target: npt.NDArray[np.int64]
    relation: npt.NDArray[np.uint8]
    time: npt.NDArray[np.int64]
    confidence: npt.NDArray[np.float32]
    provenance: npt.NDArray[np.int32]
    provenances: tuple[Provenance, ...] = ()
    labels: Mapping[int, str] = field(default_factory=lambda: MappingProxyType({}))
    details: Mapping[int, Mapping[str, str]] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def from_arrays(
        cls,
        kinds: npt.ArrayLike,
        keys: Sequence[str],
        source: npt.ArrayLike,
        target: npt.ArrayLike,
        relation: npt.ArrayLike,
        *,
        time: npt.ArrayLike | None = None,
        confidence: npt.ArrayLike | None = None,
        provenance: npt.ArrayLike | None = None,
        provenances: Sequence[Provenance] = (),
        labels: Mapping[int, str] | None = None,
        details: Mapping[int, Mapping[str, str]] | None = None,
    ) -> TypedGraph:
        """A graph from columns; raise ``FormatError`` when they do not fit together."""
        kind_array = _frozen(kinds, np.uint8)
        count = len(kind_array)
        if len(keys) != count:
            raise FormatError(f"{count} node kinds but {len(keys)} keys")
        if count and int(kind_array.max()) >= len(KINDS):
            raise FormatError("unknown node kind code")
        src = _frozen(source, np.int64)
        dst = _frozen(target, np.int64)
        edges = len(src)
        columns = {
            "target": len(dst),
            "relation": len(np.asarray(relation)),
        }
        rel = _frozen(relation, np.uint8)
        when = _frozen(np.full(edges, NO_TIME) if time is None else time, np.int64)
        trust = _frozen(np.ones(edges) if confidence is None else confidence, np.float32)
        origin = _frozen(np.full(edges, -1) if provenance is None else provenance, np.int32)
        columns.update(time=len(when), confidence=len(trust), provenance=len(origin))
        for name, length in columns.items():
            if length != edges:
                raise FormatError(f"{edges} edge sources but {length} values of {name}")
        if edges:
            if (
                min(int(src.min()), int(dst.min())) < 0
                or max(int(src.max()), int(dst.max())) >= count
            ):
                raise FormatError("an edge names a node that does not exist")
            if int(rel.max()) >= len(RELATIONS):
                raise FormatError("unknown relation code")
            if int(origin.max()) >= len(provenances):
                raise FormatError("an edge names a provenance that does not exist")
        return cls(
            kind_array,
            tuple(keys),
            src,
            dst,
            rel,
            when,
            trust,
            origin,
            tuple(provenances),
            MappingProxyType(dict(labels or {})),
            MappingProxyType(
                {node: MappingProxyType(dict(d)) for node, d in (details or {}).items()}
            ),
        )

    @property
    def node_count(self) -> int:
        """How many nodes."""
        return len(self.keys)

    @property
    def edge_count(self) -> int:
        """How many edges."""
        return len(self.source)

    def kind(self, node: int) -> NodeKind:
        """The kind of ``node``."""
        return KINDS[int(self.kinds[node])]

    def nodes_of(self, kind: NodeKind) -> npt.NDArray[np.int64]:
        """The indexes of every node of ``kind``, ascending."""
        return np.flatnonzero(self.kinds == kind_code(kind)).astype(np.int64)

    def edges_of(self, *relations: Relation) -> npt.NDArray[np.int64]:
        """The indexes of every edge with one of ``relations``, ascending."""
        codes = [relation_code(relation) for relation in relations]
        return np.flatnonzero(np.isin(self.relation, codes)).astype(np.int64)

    def label(self, node: int) -> str:
        """A readable name of ``node``: its label, or its key."""
        return self.labels.get(node, self.keys[node])

    def index(self) -> dict[tuple[NodeKind, str], int]:
        """A fresh (kind, key) -> node mapping."""
        return {(self.kind(node), key): node for node, key in enumerate(self.keys)}

    def edge(self, index: int) -> Edge:
        """Edge ``index`` as a record."""
        origin = int(self.provenance[index])
        return Edge(
            int(self.source[index]),
            int(self.target[index]),
            RELATIONS[int(self.relation[index])],
            from_epoch(int(self.time[index])),
            float(self.confidence[index]),
            None if origin < 0 else self.provenances[origin],
        )

    def edges(self) -> Iterator[Edge]:
        """Every edge as a record, in order."""
        for index in range(self.edge_count):
            yield self.edge(index)


class GraphBuilder:
    """Assembles a ``TypedGraph`` node by node and edge by edge (report-sized inputs)."""

    def __init__(self) -> None:
        self._index: dict[tuple[NodeKind, str], int] = {}
        self._kinds: list[int] = []
        self._keys: list[str] = []
        self._labels: dict[int, str] = {}
        self._details: dict[int, dict[str, str]] = {}
        self._provenance_index: dict[Provenance, int] = {}
        self._provenances: list[Provenance] = []
        self._edges: list[tuple[int, int, int, int, float, int]] = []

    def node(self, kind: NodeKind, key: str, label: str | None = None) -> int:
        """The index of node (kind, key), added if new; a label, once given, is kept."""
        found = self._index.get((kind, key))
        if found is None:
            found = len(self._keys)
            self._index[(kind, key)] = found
            self._kinds.append(kind_code(kind))
            self._keys.append(key)
        if label and found not in self._labels:
            self._labels[found] = label
        return found

    def find(self, kind: NodeKind, key: str) -> int | None:
        """The index of node (kind, key), if it was added."""
        return self._index.get((kind, key))

    def detail(self, node: int, name: str, value: str) -> None:
        """Set a text attribute of ``node``."""
        self._details.setdefault(node, {})[name] = value

    def details_of(self, node: int) -> Mapping[str, str]:
        """The text attributes set on ``node`` so far."""
        return MappingProxyType(self._details.get(node, {}))

    def edge(
        self,
        source: int,
        target: int,
        relation: Relation,
        *,
        time: datetime | None = None,
        confidence: float = 1.0,
        provenance: Provenance | None = None,
    ) -> None:
        """Add an edge; ``confidence`` is in [0, 1]."""
        if not 0.0 <= confidence <= 1.0:
            raise ValueError(f"confidence {confidence} is not in [0, 1]")
        origin = -1
        if provenance is not None:
            origin = self._provenance_index.setdefault(provenance, len(self._provenances))
            if origin == len(self._provenances):
                self._provenances.append(provenance)
        self._edges.append(
            (source, target, relation_code(relation), to_epoch(time), confidence, origin)
        )

    def build(self) -> TypedGraph:
        """The graph as assembled so far."""
        columns = list(zip(*self._edges, strict=True)) if self._edges else [()] * 6
        return TypedGraph.from_arrays(
            self._kinds,
            self._keys,
            columns[0],
            columns[1],
            columns[2],
            time=columns[3],
            confidence=columns[4],
            provenance=columns[5],
            provenances=self._provenances,
            labels=self._labels,
            details=self._details,
        )
