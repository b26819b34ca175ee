"""Who matters most: degree, betweenness, PageRank and network capital, per account.

- ``degree``: distinct accounts linked in the projection; ``strength``: their total weight.
- ``pagerank``: weighted PageRank of the projection (damping 0.85).
- ``betweenness``: unweighted shortest-path betweenness. Exact on the whole projection when it
  has at most ``exact_betweenness`` accounts. Above that it is *approximate*: computed on the
  projection restricted to links inside each network (so it measures brokerage within a
  network, exactly when no network exceeds the limit), with paths cut off at
  ``betweenness_cutoff`` hops when one does. ``betweenness_method`` says which was used.
- ``capital``: network capital = ``volume x connectivity`` where ``volume`` is the sum, over
  the distinct media the account shared or received, of each media's severity
  (``interlink.network.severity``), and ``connectivity`` is ``log2(2 + degree)``: an account
  holding much grave material *and* linked to many others ranks first; one with no links
  keeps its volume.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import igraph as ig
import numpy as np
import numpy.typing as npt

Metric = Literal["degree", "strength", "betweenness", "pagerank", "capital", "volume", "media"]


@dataclass(frozen=True, slots=True)
class RankingSettings:
    """Where betweenness turns approximate, and its hop cutoff then."""

    exact_betweenness: int = 5000
    betweenness_cutoff: int = 4


@dataclass(frozen=True, eq=False)
class Rankings:
    """Per projection vertex (account ``accounts[v]``): every score, as parallel arrays."""

    accounts: npt.NDArray[np.int64]
    degree: npt.NDArray[np.int64]
    strength: npt.NDArray[np.float64]
    betweenness: npt.NDArray[np.float64]
    pagerank: npt.NDArray[np.float64]
    media: npt.NDArray[np.int64]
    known_media: npt.NDArray[np.int64]
    volume: npt.NDArray[np.float64]
    capital: npt.NDArray[np.float64]
    betweenness_method: str

    def scores(self, metric: Metric) -> npt.NDArray[np.float64]:
        """The scores of ``metric`` as floats."""
        return np.asarray(getattr(self, metric), dtype=np.float64)

    def top(
        self, metric: Metric, count: int, among: npt.NDArray[np.int64] | None = None
    ) -> list[int]:
        """Up to ``count`` vertices (of ``among``, or all) by ``metric``, highest first; ties by
        vertex."""
        vertices = np.arange(len(self.accounts)) if among is None else np.asarray(among)
        values = self.scores(metric)[vertices]
        order = np.lexsort((vertices, -values))
        return [int(vertices[index]) for index in order[:count]]


def _betweenness(
    graph: ig.Graph, membership: npt.NDArray[np.int64], settings: RankingSettings
) -> tuple[npt.NDArray[np.float64], str]:
    if graph.vcount() <= settings.exact_betweenness:
        return np.asarray(graph.betweenness(directed=False), dtype=np.float64), "exact"
    ends = np.asarray(graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    inside = np.flatnonzero(membership[ends[:, 0]] == membership[ends[:, 1]])
    within = graph.subgraph_edges(inside.tolist(), delete_vertices=False)
    largest = int(np.bincount(membership).max()) if len(membership) else 0
    if largest <= settings.exact_betweenness:
        return np.asarray(within.betweenness(directed=False), dtype=np.float64), "within-network"
    cutoff = settings.betweenness_cutoff
    values = within.betweenness(directed=False, cutoff=cutoff)
    return np.asarray(values, dtype=np.float64), f"within-network, cutoff {cutoff}"


def rank(
    graph: ig.Graph,
    membership: npt.NDArray[np.int64],
    accounts: npt.NDArray[np.int64],
    holdings: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]],
    media_severity: npt.NDArray[np.float64],
    media_known: npt.NDArray[np.bool_],
    settings: RankingSettings | None = None,
) -> Rankings:
    """Every score of every account.

    ``graph`` is the projection (see ``communities.to_igraph``) and ``membership`` its
    partition; ``holdings`` are distinct ``(vertex, media node)`` pairs; ``media_severity`` and
    ``media_known`` are indexed by node.
    """
    settings = settings or RankingSettings()
    count = graph.vcount()
    degree = np.asarray(graph.degree(), dtype=np.int64)
    strength = (
        np.asarray(graph.strength(weights="weight"), dtype=np.float64)
        if graph.ecount()
        else np.zeros(count)
    )
    pagerank = np.asarray(
        graph.pagerank(weights="weight" if graph.ecount() else None), dtype=np.float64
    )
    betweenness, method = _betweenness(graph, membership, settings)
    holder, media = holdings
    held = np.bincount(holder, minlength=count).astype(np.int64)
    known = np.bincount(holder, weights=media_known[media], minlength=count).astype(np.int64)
    volume = np.bincount(holder, weights=media_severity[media], minlength=count).astype(np.float64)
    capital = volume * np.log2(2.0 + degree)
    return Rankings(
        accounts, degree, strength, betweenness, pagerank, held, known, volume, capital, method
    )
