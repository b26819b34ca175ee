"""Benchmark: offender-network pipeline on a planted-partition account-media graph.

Generates (seeded) ``--accounts`` accounts in ``--networks`` planted networks sharing
``--media`` media over about ``accounts x degree`` edges: each edge goes to a media of the
account's own network with probability ``1 - mixing - viral``, to any media with probability
``mixing``, and to one of ``--viral-media`` viral media otherwise. ``--known`` of the media
are known with a random industry category.

Times the pipeline (typed-graph build + projection + Leiden detection + ranking, summaries
and removal plan) and, on the same graph, igraph's bare Leiden (modularity, defaults) on the
bipartite account-media graph; reports ARI and NMI of both against the planted truth (over
accounts), the time ratio, and the peak resident memory after the pipeline.

    python -m bench.networks            # 200k accounts, 1M media, ~5M edges, 5,000 networks
    python -m bench.networks --json     # machine-readable only
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from dataclasses import dataclass
from typing import Any

import igraph as ig
import numpy as np
import numpy.typing as npt

from interlink.domain.categories import Category
from interlink.network.model import NodeKind, Relation, TypedGraph, kind_code, relation_code
from interlink.network.pipeline import analyse
from interlink.network.ports import KnownInfo


@dataclass(frozen=True)
class Planted:
    accounts: npt.NDArray[np.int64]
    media: npt.NDArray[np.int64]
    truth: npt.NDArray[np.int64]


def generate(args: argparse.Namespace) -> Planted:
    """The planted account-media edges (distinct pairs) and each account's network."""
    rng = np.random.default_rng(args.seed)
    per_network = args.accounts // args.networks
    truth = rng.permutation(np.repeat(np.arange(args.networks), per_network))
    accounts = len(truth)
    media_per = args.media // args.networks
    source = np.repeat(np.arange(accounts, dtype=np.int64), args.degree)
    draw = rng.random(len(source))
    # A network's own media are not equally popular: a few are passed around much more.
    local = (media_per * rng.random(len(source)) ** 1.5).astype(np.int64)
    target = truth[source] * media_per + local
    noise = draw < args.mixing
    target[noise] = rng.integers(0, args.media, int(noise.sum()))
    viral = (draw >= args.mixing) & (draw < args.mixing + args.viral)
    target[viral] = args.media + rng.integers(0, args.viral_media, int(viral.sum()))
    total_media = args.media + args.viral_media
    keys = np.unique(source * total_media + target)
    return Planted(keys // total_media, keys % total_media, truth.astype(np.int64))


def known_media(args: argparse.Namespace, offset: int) -> dict[int, KnownInfo]:
    """A random ``--known`` share of the media, with random industry categories."""
    rng = np.random.default_rng(args.seed + 1)
    total = args.media + args.viral_media
    chosen = np.flatnonzero(rng.random(total) < args.known)
    codes = rng.integers(0, 4, len(chosen))
    infos = [KnownInfo(Category("industry", code)) for code in ("A1", "A2", "B1", "B2")]
    return {
        int(node) + offset: infos[int(code)]
        for node, code in zip(chosen.tolist(), codes.tolist(), strict=True)
    }


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(args: argparse.Namespace) -> dict[str, Any]:
    planted = generate(args)
    accounts = len(planted.truth)
    total_media = args.media + args.viral_media
    keys = [f"acct{index}" for index in range(accounts)]
    keys += [f"media{index}" for index in range(total_media)]
    kinds = np.concatenate(
        (
            np.full(accounts, kind_code(NodeKind.ACCOUNT)),
            np.full(total_media, kind_code(NodeKind.MEDIA)),
        )
    )
    known = known_media(args, accounts)

    start = time.perf_counter()
    graph = TypedGraph.from_arrays(
        kinds,
        keys,
        planted.accounts,
        planted.media + accounts,
        np.full(len(planted.accounts), relation_code(Relation.SHARED)),
    )
    built = time.perf_counter()
    analysis = analyse(graph, known)
    pipeline = time.perf_counter() - start
    memory = peak_mb()
    found = analysis.partition.membership[np.argsort(analysis.projection.accounts)]
    truth = planted.truth.tolist()
    ari = ig.compare_communities(truth, found.tolist(), method="adjusted_rand")
    nmi = ig.compare_communities(truth, found.tolist(), method="nmi")
    result: dict[str, Any] = {
        "accounts": accounts,
        "media": total_media,
        "edges": graph.edge_count,
        "planted_networks": args.networks,
        "networks_found": len(analysis.networks),
        "projection_links": len(analysis.projection.weight),
        "build_s": built - start,
        **{f"{name}_s": seconds for name, seconds in analysis.timings.items()},
        "betweenness": analysis.rankings.betweenness_method,
        "pipeline_s": pipeline,
        "ari": ari,
        "nmi": nmi,
        "peak_mb": memory,
    }
    del analysis, graph, keys, known

    bipartite = ig.Graph(n=accounts + total_media)
    bipartite.add_edges(
        list(zip(planted.accounts.tolist(), (planted.media + accounts).tolist(), strict=True))
    )
    start = time.perf_counter()
    bare = bipartite.community_leiden(objective_function="modularity")
    result["bare_leiden_s"] = time.perf_counter() - start
    bare_accounts = bare.membership[:accounts]
    result["bare_ari"] = ig.compare_communities(truth, bare_accounts, method="adjusted_rand")
    result["bare_nmi"] = ig.compare_communities(truth, bare_accounts, method="nmi")
    result["ratio"] = result["pipeline_s"] / result["bare_leiden_s"]
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--media", type=int, default=1_000_000)
    parser.add_argument("--networks", type=int, default=5_000)
    parser.add_argument("--degree", type=int, default=26, help="edges drawn per account")
    parser.add_argument("--mixing", type=float, default=0.15, help="share of edges to any media")
    parser.add_argument("--viral", type=float, default=0.02, help="share of edges to viral media")
    parser.add_argument("--viral-media", type=int, default=500)
    parser.add_argument("--known", type=float, default=0.3, help="share of media known")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args(argv)
    result = run(args)
    if args.json:
        print(json.dumps(result, sort_keys=True))
        return
    print(
        f"planted: {result['accounts']:,} accounts, {result['media']:,} media, "
        f"{result['edges']:,} edges, {result['planted_networks']:,} networks"
    )
    stages = ("build", "projection", "igraph", "detection", "tables", "ranking", "summaries")
    spent = ", ".join(f"{name} {result[name + '_s']:.1f}" for name in (*stages, "removal"))
    print(f"pipeline: {result['pipeline_s']:.1f} s ({spent})")
    print(
        f"found {result['networks_found']:,} networks; ARI {result['ari']:.4f}, "
        f"NMI {result['nmi']:.4f}; betweenness {result['betweenness']}; "
        f"peak {result['peak_mb']:.0f} MiB"
    )
    print(
        f"bare Leiden (modularity, bipartite): {result['bare_leiden_s']:.1f} s; "
        f"ARI {result['bare_ari']:.4f}, NMI {result['bare_nmi']:.4f}"
    )
    print(f"ratio pipeline / bare Leiden: {result['ratio']:.2f} (target <= 2)")


if __name__ == "__main__":
    main()
