"""The account projection: accounts linked by what they share, weighted against hubs.

Two accounts are linked when they hold the same *hub*: a media (shared or received), a
group, an e-mail address, a phone, a device or an IP window. A hub held by ``d`` accounts
adds ``1 / (d - 1)`` to each of its ``d (d - 1) / 2`` pairs, so every holder gets at most one
unit of link weight from it however widely it spread (Newman's collaboration weighting).
Hubs held by more than ``hub_cap`` accounts, and media the platform flagged as viral or a
potential meme, link nobody: an image everyone passes around says nothing about who
belongs together, and its pairs would swamp the graph. Each ``sent_to`` edge adds
``direct_weight``. All arithmetic is vectorised; nothing loops over edges in Python.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from interlink.network.model import NodeKind, Relation, TypedGraph

HUB_RELATIONS: tuple[Relation, ...] = (
    Relation.SHARED,
    Relation.RECEIVED,
    Relation.MEMBER_OF,
    Relation.USES_EMAIL,
    Relation.USES_PHONE,
    Relation.USED_DEVICE,
    Relation.USED_IP,
)
HOLDING_RELATIONS: tuple[Relation, ...] = (Relation.SHARED, Relation.RECEIVED)


@dataclass(frozen=True, slots=True)
class ProjectionSettings:
    """``hub_cap``: hubs held by more accounts than this do not link them;
    ``direct_weight``: the weight each ``sent_to`` edge adds."""

    hub_cap: int = 50
    direct_weight: float = 1.0


@dataclass(frozen=True, eq=False)
class Projection:
    """A weighted undirected graph over the accounts of a ``TypedGraph``.

    Vertex ``v`` is account node ``accounts[v]``; each link ``(source[i], target[i])`` has
    ``source[i] < target[i]``, appears once, and weighs ``weight[i] > 0``.
    """

    accounts: npt.NDArray[np.int64]
    source: npt.NDArray[np.int64]
    target: npt.NDArray[np.int64]
    weight: npt.NDArray[np.float64]

    @property
    def vertex_count(self) -> int:
        """How many accounts."""
        return len(self.accounts)


def account_positions(graph: TypedGraph) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """``(accounts, position)``: the account nodes, and for every node its position among them
    (-1 for other kinds)."""
    accounts = graph.nodes_of(NodeKind.ACCOUNT)
    position = np.full(graph.node_count, -1, dtype=np.int64)
    position[accounts] = np.arange(len(accounts), dtype=np.int64)
    return accounts, position


def memberships(
    graph: TypedGraph, position: npt.NDArray[np.int64], relations: Collection[Relation]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Distinct ``(account position, hub node)`` pairs joined by ``relations``, sorted by hub
    then account."""
    edges = graph.edges_of(*relations)
    holder = position[graph.source[edges]]
    hub = graph.target[edges]
    keep = holder >= 0
    holder, hub = holder[keep], hub[keep]
    width = max(len(position), 1)
    keys = distinct(hub * width + holder)
    return keys % width, keys // width


def distinct(values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The distinct values, ascending (by sorting: numpy's hash-based ``unique`` is far slower
    on millions of integers)."""
    ordered = np.sort(values)
    if len(ordered) == 0:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def _hub_pairs(
    holder: npt.NDArray[np.int64], hub: npt.NDArray[np.int64], cap: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Pairs of holders of each hub with ``2 <= d <= cap`` holders, weighted ``1 / (d - 1)``.
    ``holder``/``hub`` must be grouped by hub."""
    if len(hub) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    boundaries = np.flatnonzero(np.diff(hub)) + 1
    starts = np.concatenate(([0], boundaries))
    degrees = np.diff(np.concatenate((starts, [len(hub)])))
    firsts: list[npt.NDArray[np.int64]] = []
    seconds: list[npt.NDArray[np.int64]] = []
    weights: list[npt.NDArray[np.float64]] = []
    for degree in distinct(degrees):
        if degree < 2 or degree > cap:
            continue
        group = starts[degrees == degree]
        rows = holder[group[:, None] + np.arange(degree)[None, :]]
        upper, lower = np.triu_indices(int(degree), 1)
        firsts.append(rows[:, upper].ravel())
        seconds.append(rows[:, lower].ravel())
        weights.append(np.full(len(group) * len(upper), 1.0 / (degree - 1)))
    if not firsts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    return np.concatenate(firsts), np.concatenate(seconds), np.concatenate(weights)


def project(
    graph: TypedGraph,
    settings: ProjectionSettings | None = None,
    exclude: Collection[int] = (),
) -> Projection:
    """The account projection of ``graph``; hub nodes in ``exclude`` (viral media) link nobody."""
    settings = settings or ProjectionSettings()
    accounts, position = account_positions(graph)
    count = len(accounts)
    holder, hub = memberships(graph, position, HUB_RELATIONS)
    if exclude:
        keep = ~np.isin(hub, np.fromiter(exclude, dtype=np.int64))
        holder, hub = holder[keep], hub[keep]
    first, second, weight = _hub_pairs(holder, hub, settings.hub_cap)
    direct = graph.edges_of(Relation.SENT_TO)
    sender = position[graph.source[direct]]
    receiver = position[graph.target[direct]]
    valid = (sender >= 0) & (receiver >= 0) & (sender != receiver)
    first = np.concatenate((first, sender[valid]))
    second = np.concatenate((second, receiver[valid]))
    weight = np.concatenate((weight, np.full(int(valid.sum()), settings.direct_weight)))
    width = max(count, 1)
    keys = np.minimum(first, second) * width + np.maximum(first, second)
    order = np.argsort(keys)
    keys, weight = keys[order], weight[order]
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1]))) if len(keys) else keys
    totals = np.add.reduceat(weight, starts) if len(keys) else weight
    keys = keys[starts]
    return Projection(
        accounts,
        (keys // width).astype(np.int64),
        (keys % width).astype(np.int64),
        totals.astype(np.float64),
    )
