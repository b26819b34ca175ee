"""Benchmark: private overlap of a seizure against a partner's list, against the bare
``openmined-psi`` library on the same sets and against a plain pull of the hashed list.

Two nodes live in this process, each with its own SQLite store in a temporary folder (or
``--db-partner URL``): the partner holds a list of ``--list`` entries (one MD5 each, as NCMEC
lists carry), the querying node a seizure of ``--seizure`` media of which ``--shared`` are on
the list. The requests cross a loopback transport that counts every byte. Measured, CPU seconds
(``time.process_time``) split between the querying side and the partner, and bytes each way:

- ``ours_cold``: ``services.federation_overlap.query_overlap`` (open, query, reveal with
  contacts) on a partner that has not built its PSI setup yet (it reads its holdings from the
  store, blinds them and builds the setup);
- ``ours_warm``: the same query again: the partner's setup is reused (cached per held set and
  client-size bucket), which is the per-query cost once a list version is set up;
- ``library``: the bare library on the same item strings: server setup, client request,
  server response, client intersection (``library_warm``: without the setup's CPU);
- ``pull``: the partner exports the whole list as signed sync batches, the querying node
  verifies them and intersects locally (the anchor for what federation avoids: the whole list
  crosses).

With ``--near`` every media and list entry also has a PDQ and half of the shared media are
near-duplicates (6 bits apart): PDQ band tokens go through PSI too (the bare library is then
run on the same two sets: MD5 values and band tokens), and candidates are verified.

``ratio_vs_library`` is ours (cold) over the library's CPU on the same sets; the target is
1.5 or less.

    python -m bench.federation [--small] [--near] [--seizure 100000] [--list 1000000] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import private_set_intersection.python as psi

from interlink.adapters.memory.federation import LoopbackTransport
from interlink.adapters.sql.holdings import SeizedItem
from interlink.adapters.sql.store import SqlStore
from interlink.domain.lists import HashList, ListEntry
from interlink.domain.signals import Signal
from interlink.federation.bands import band_tokens_many, design
from interlink.federation.psi import FPR, bucket
from interlink.federation.signing import verify_document
from interlink.services.federation_node import PeerClient
from interlink.services.overlap_query import query_overlap
from interlink.services.peers import add_peer, get_peer, local_node

POLICY = """format = "interlink-federation-policy/1"
[[lists]]
name = "known"
disclosure = "hashes"
[overlap]
mode = "intersection"
per_day = 100
lists = ["known"]
contact = true
"""


@dataclass
class Meter:
    """CPU and bytes of one method, per side."""

    querying_cpu: float = 0.0
    partner_cpu: float = 0.0
    bytes_sent: int = 0
    bytes_received: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def document(self) -> dict[str, Any]:
        return {
            "cpu_s": round(self.querying_cpu + self.partner_cpu, 3),
            "querying_cpu_s": round(self.querying_cpu, 3),
            "partner_cpu_s": round(self.partner_cpu, 3),
            "bytes_sent": self.bytes_sent,
            "bytes_received": self.bytes_received,
            **self.extra,
        }


class MeteredTransport(LoopbackTransport):
    """A loopback transport that charges the partner's CPU to the partner."""

    partner_cpu = 0.0

    def send(self, method: str, path: str, headers: dict[str, str], body: bytes) -> bytes:
        start = time.process_time()
        try:
            return super().send(method, path, headers, body)
        finally:
            self.partner_cpu += time.process_time() - start


def _hex(rng: random.Random, digits: int) -> str:
    return f"{rng.getrandbits(digits * 4):0{digits}x}"


def _near(pdq: str, rng: random.Random) -> str:
    value = int(pdq, 16)
    for bit in rng.sample(range(256), 6):
        value ^= 1 << bit
    return f"{value:064x}"


def _world(args: argparse.Namespace, folder: Path) -> tuple[Any, Any, list[SeizedItem]]:
    rng = random.Random(15)
    querying_store = SqlStore.open(f"sqlite:///{folder / 'querying.db'}")
    partner_store = SqlStore.open(args.db_partner or f"sqlite:///{folder / 'partner.db'}")
    querying = local_node(folder / "q", "querying", "NCA")
    partner = local_node(folder / "p", "partner", "BKA")
    seizure = [
        SeizedItem(
            _hex(rng, 64), _hex(rng, 32), _hex(rng, 40), _hex(rng, 64) if args.near else None
        )
        for _ in range(args.seizure)
    ]
    exact = args.shared // 2 if args.near else args.shared
    held = [(s.md5, s.pdq) for s in seizure[:exact]]
    held += [(_hex(rng, 32), _near(str(s.pdq), rng)) for s in seizure[exact : args.shared]]
    held += [
        (_hex(rng, 32), _hex(rng, 64) if args.near else None) for _ in range(args.list - len(held))
    ]
    rng.shuffle(held)
    with partner_store.transaction() as tx:
        list_id = partner_store.lists.create(
            tx, HashList("known", "bench", "v1", datetime.now(UTC)), fmt="csv", pdq_threshold=31
        )
        partner_store.lists.add_entries(
            tx,
            list_id,
            (
                ListEntry(
                    signals=(Signal("md5", md5),) + ((Signal("pdq", pdq, 100),) if pdq else ())
                )
                for md5, pdq in held
            ),
        )
    policy = POLICY + ("near_duplicates = true\n" if args.near else "")
    add_peer(partner_store, "https://q.example", querying.fingerprint, policy, name="q", actor="b")
    add_peer(
        querying_store,
        "https://p.example",
        partner.fingerprint,
        'format = "interlink-federation-policy/1"\n',
        name="p",
        actor="b",
    )
    return (querying_store, querying), (partner_store, partner), seizure


def _ours(querying: Any, partner: Any, seizure: list[SeizedItem]) -> tuple[Meter, int]:
    transport = MeteredTransport(partner[0], partner[1])
    start = time.process_time()
    result = query_overlap(
        querying[0], querying[1], get_peer(querying[0], "p"), transport, seizure, actor="bench"
    )
    total = time.process_time() - start
    meter = Meter(
        total - transport.partner_cpu,
        transport.partner_cpu,
        transport.bytes_sent,
        transport.bytes_received,
    )
    return meter, result.shared


def _library(sets: dict[str, tuple[list[str], list[str]]]) -> tuple[Meter, Meter, int]:
    """The bare library on ``{kind: (client items, server items)}``: one PSI per kind."""
    cold, warm, found_total = Meter(), Meter(), 0
    for client_items, server_items in sets.values():
        start = time.process_time()
        server = psi.server.CreateWithNewKey(True)
        setup = server.CreateSetupMessage(FPR, bucket(len(client_items)), server_items)
        setup_bytes = setup.SerializeToString()
        setup_cpu = time.process_time() - start
        start = time.process_time()
        client = psi.client.CreateWithNewKey(True)
        request = client.CreateRequest(client_items)
        client_cpu = time.process_time() - start
        start = time.process_time()
        response = server.ProcessRequest(request)
        server_cpu = time.process_time() - start
        start = time.process_time()
        parsed_setup = psi.ServerSetup()
        parsed_setup.ParseFromString(setup_bytes)
        found = client.GetIntersection(parsed_setup, response)
        client_cpu += time.process_time() - start
        sent = len(request.SerializeToString())
        received = len(setup_bytes) + len(response.SerializeToString())
        for meter, partner_cpu in ((cold, setup_cpu + server_cpu), (warm, server_cpu)):
            meter.querying_cpu += client_cpu
            meter.partner_cpu += partner_cpu
            meter.bytes_sent += sent
            meter.bytes_received += received
        found_total += len(found)
    return cold, warm, found_total


def _library_sets(partner_store: SqlStore, seizure: list[SeizedItem]) -> dict[str, Any]:
    """The item strings our overlap puts through PSI, for the bare library."""
    holdings = partner_store.holdings
    list_ids = holdings.list_ids(["known"])
    sets = {
        "md5": (
            [f"md5:{s.md5}" for s in seizure],
            sorted(f"md5:{v}" for v in holdings.values(list_ids, False, "md5")),
        )
    }
    pdqs = sorted(holdings.values(list_ids, False, "pdq"))
    if pdqs:
        bands = design(len(pdqs))
        sets["pdq"] = (
            [t for row in band_tokens_many([str(s.pdq) for s in seizure], bands) for t in row],
            sorted({t for row in band_tokens_many(pdqs, bands) for t in row}),
        )
    return sets


def _pull(querying: Any, partner: Any, seizure: list[SeizedItem]) -> tuple[Meter, int]:
    transport = MeteredTransport(partner[0], partner[1])
    client = PeerClient(querying[1], get_peer(querying[0], "p"), transport)
    start = time.process_time()
    held: set[str] = set()
    since, more = 0, True
    while more:
        payload = verify_document(client.batch("known", since, 5000), partner[1].fingerprint)
        for change in payload["changes"]:
            for kind, value, _ in change.get("entry", {}).get("signals", []):
                held.add(f"{kind}:{value}")
        since, more = int(payload["until"]), bool(payload["more"])
    shared = sum(1 for s in seizure if f"md5:{s.md5}" in held)
    total = time.process_time() - start
    meter = Meter(
        total - transport.partner_cpu,
        transport.partner_cpu,
        transport.bytes_sent,
        transport.bytes_received,
    )
    return meter, shared


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--seizure", type=int, default=100_000)
    parser.add_argument("--list", type=int, default=1_000_000)
    parser.add_argument("--shared", type=int, default=1_000)
    parser.add_argument("--small", action="store_true", help="10,000 against 100,000")
    parser.add_argument(
        "--near", action="store_true", help="PDQs too: half the shared media are near-duplicates"
    )
    parser.add_argument("--db-partner", help="the partner's store URL (default: SQLite)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.small:
        args.seizure, args.list, args.shared = 10_000, 100_000, 100
    with tempfile.TemporaryDirectory(prefix="bench-federation-") as tmp:
        fill_start = time.perf_counter()
        querying, partner, seizure = _world(args, Path(tmp))
        fill_s = time.perf_counter() - fill_start
        library_cold, library_warm, library_found = _library(_library_sets(partner[0], seizure))
        ours_cold, shared_cold = _ours(querying, partner, seizure)
        ours_warm, shared_warm = _ours(querying, partner, seizure)
        pull, shared_pull = _pull(querying, partner, seizure)
    exact = args.shared // 2 if args.near else args.shared
    if not (
        shared_cold == shared_warm == args.shared
        and shared_pull == exact
        and library_found >= args.shared
    ):
        print(
            f"results differ: {shared_cold} {shared_warm} {shared_pull} {library_found}",
            file=sys.stderr,
        )
        return 1
    cold = ours_cold.querying_cpu + ours_cold.partner_cpu
    warm = ours_warm.querying_cpu + ours_warm.partner_cpu
    library = library_cold.querying_cpu + library_cold.partner_cpu
    library_reused = library_warm.querying_cpu + library_warm.partner_cpu
    report = {
        "seizure": args.seizure,
        "near": args.near,
        "list": args.list,
        "shared": args.shared,
        "ratio_vs_library": round(cold / library, 3),
        "ratio_vs_library_warm": round(warm / library_reused, 3),
        "cpu_s": round(cold, 3),
        "bytes_sent": ours_cold.bytes_sent,
        "bytes_received": ours_cold.bytes_received,
        "ours_cold": ours_cold.document(),
        "ours_warm": ours_warm.document(),
        "library": library_cold.document(),
        "library_warm": library_warm.document(),
        "pull": pull.document(),
        "fill_s": round(fill_s, 1),
    }
    if args.json:
        print(json.dumps(report))
        return 0
    print(
        f"overlap of {args.seizure:,} media against a {args.list:,}-entry list "
        f"({args.shared:,} shared)"
    )
    print(f"{'method':<14}{'query CPU s':>12}{'partner CPU s':>15}{'sent':>14}{'received':>14}")
    for name in ("ours_cold", "ours_warm", "library", "library_warm", "pull"):
        row = report[name]
        print(
            f"{name:<14}{row['querying_cpu_s']:>12.2f}{row['partner_cpu_s']:>15.2f}"
            f"{row['bytes_sent']:>14,}{row['bytes_received']:>14,}"
        )
    print(
        f"ratio vs library: {report['ratio_vs_library']} (warm {report['ratio_vs_library_warm']})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
