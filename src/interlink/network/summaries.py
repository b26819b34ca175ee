"""Per-network summaries: members, media shared (known and new), countries, time span."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

from interlink.network.model import NO_TIME, TypedGraph, from_epoch


@dataclass(frozen=True, slots=True)
class NetworkSummary:
    """One network (a community of at least the minimum size).

    ``members`` are account nodes, highest network capital first. ``media`` counts the distinct
    media its members shared or received; ``known_media`` those a list or the store knows,
    ``new_media`` the rest; ``exchanged_media`` those held by two members or more.
    ``categories`` counts known media per category (``scheme:code``), ``countries`` members per
    attributed country; ``first_seen``/``last_seen`` span the times of the members' edges.
    """

    network_id: str
    community: int
    members: tuple[int, ...]
    media: int
    known_media: int
    new_media: int
    exchanged_media: int
    categories: tuple[tuple[str, int], ...]
    countries: tuple[tuple[str, int], ...]
    first_seen: datetime | None
    last_seen: datetime | None

    @property
    def size(self) -> int:
        """How many members."""
        return len(self.members)


def network_id(community: int) -> str:
    """The display id of community ``community`` (``N1`` is the largest)."""
    return f"N{community + 1}"


def _pair_counts(
    group: npt.NDArray[np.int64], value: npt.NDArray[np.int64], width: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    keys, counts = np.unique(group * width + value, return_counts=True)
    return keys // width, keys % width, counts.astype(np.int64)


def _tables(
    groups: npt.NDArray[np.int64], values: npt.NDArray[np.int64], names: Sequence[str], count: int
) -> list[list[tuple[str, int]]]:
    tables: list[list[tuple[str, int]]] = [[] for _ in range(count)]
    keep = values >= 0
    if keep.any():
        group, value, counts = _pair_counts(groups[keep], values[keep], max(len(names), 1))
        for g, v, c in zip(group.tolist(), value.tolist(), counts.tolist(), strict=True):
            tables[g].append((names[v], c))
    return [sorted(table, key=lambda item: (-item[1], item[0])) for table in tables]


def summarise(
    graph: TypedGraph,
    accounts: npt.NDArray[np.int64],
    membership: npt.NDArray[np.int64],
    capital: npt.NDArray[np.float64],
    holdings: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]],
    media_known: npt.NDArray[np.bool_],
    media_category: tuple[npt.NDArray[np.int64], Sequence[str]],
    countries: Mapping[int, str],
    min_size: int = 2,
) -> tuple[NetworkSummary, ...]:
    """A summary of every community with at least ``min_size`` members, largest first.

    ``membership`` and ``capital`` are per projection vertex (account ``accounts[v]``);
    ``holdings`` are distinct ``(vertex, media node)`` pairs; ``media_known`` is per node;
    ``media_category`` is ``(code per node, -1 for none; names of the codes)``; ``countries``
    maps account nodes to their attributed country.
    """
    count = int(membership.max()) + 1 if len(membership) else 0
    sizes = np.bincount(membership, minlength=count)
    holder, media = holdings
    net, item, holders = _pair_counts(membership[holder], media, graph.node_count)
    media_per = np.bincount(net, minlength=count)
    known_per = np.bincount(net, weights=media_known[item], minlength=count).astype(np.int64)
    exchanged_per = np.bincount(net, weights=holders >= 2, minlength=count).astype(np.int64)
    codes, names = media_category
    categories = _tables(net, np.where(media_known[item], codes[item], -1), names, count)
    country_names = sorted(set(countries.values()))
    country_code = {name: index for index, name in enumerate(country_names)}
    vertex_country = np.array(
        [country_code.get(countries.get(int(node), ""), -1) for node in accounts], dtype=np.int64
    )
    country_tables = _tables(membership, vertex_country, country_names, count)
    position = np.full(graph.node_count, -1, dtype=np.int64)
    position[accounts] = np.arange(len(accounts))
    vertex = position[graph.source]
    timed = (vertex >= 0) & (graph.time != NO_TIME)
    first = np.full(count, NO_TIME, dtype=np.int64)
    last = np.full(count, NO_TIME, dtype=np.int64)
    if timed.any():
        groups = membership[vertex[timed]]
        times = graph.time[timed]
        order = np.lexsort((times, groups))
        groups, times = groups[order], times[order]
        starts = np.concatenate(([0], np.flatnonzero(np.diff(groups)) + 1))
        ends = np.concatenate((starts[1:], [len(groups)])) - 1
        first[groups[starts]] = times[starts]
        last[groups[starts]] = times[ends]
    order = np.lexsort((np.arange(len(membership)), -capital, membership))
    bounds = np.concatenate(([0], np.cumsum(sizes)))
    summaries = []
    for community in range(count):
        if sizes[community] < min_size:
            continue
        members = accounts[order[bounds[community] : bounds[community + 1]]]
        summaries.append(
            NetworkSummary(
                network_id(community),
                community,
                tuple(int(node) for node in members),
                int(media_per[community]),
                int(known_per[community]),
                int(media_per[community] - known_per[community]),
                int(exchanged_per[community]),
                tuple(categories[community]),
                tuple(country_tables[community]),
                from_epoch(int(first[community])),
                from_epoch(int(last[community])),
            )
        )
    return tuple(summaries)
