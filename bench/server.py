"""Benchmark: the API under load. ``--clients`` concurrent clients for ``--seconds`` against
``interlink serve`` (on 127.0.0.1 only), mixing single PDQ lookups, batch PDQ lookups, case
reads and report pages, on a store holding a known list of ``--codes`` random PDQ codes.

Reported: requests and errors per endpoint with p50/p99 latency; PDQ hashes looked up per
second through the API (single and batch requests, each and together); the server's memory
(RSS of its process tree) at the 10th second and at the end, and the growth between them.
The anchor, timed in this process on the same store, is the lookup service called directly
(no HTTP, no authentication, no audit), batch and single: the ratio shows what the API costs.

    python -m bench.server [--db URL] [--codes 100000] [--clients 50] [--seconds 60]
        [--workers 2] [--batch 100] [--json]

Without ``--db`` the store is a fresh schema in the PostgreSQL test database (127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
import psutil  # type: ignore[import-untyped]
import sqlalchemy
from sqlalchemy.engine import make_url

from interlink.adapters.sql.store import SqlStore
from interlink.domain.principal import Principal, Role
from interlink.services import accounts, authentication, casefile, lookups
from interlink.services.cases import acting_agency
from interlink.services.lists import import_list

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _fresh_schema() -> tuple[str, str]:
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    engine = sqlalchemy.create_engine(PG)
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    url = make_url(PG).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), schema


def _drop_schema(schema: str) -> None:
    engine = sqlalchemy.create_engine(PG)
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def _codes(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [f"{rng.getrandbits(256):064x}" for _ in range(count)]


def prepare(url: str, codes: list[str], folder: Path) -> dict[str, Any]:
    """Fill the store: a list of ``codes``, one investigator with a token, a case."""
    store = SqlStore.open(url)
    try:
        agency = acting_agency(store, "bench", actor="bench")
        root = Principal.local(agency.id, agency.name, "bench")
        accounts.add_user(
            store,
            root,
            "loader",
            agency="bench",
            roles=frozenset({Role.INVESTIGATOR}),
            password=None,
        )
        _, token = authentication.create_token(store, root, user="loader", days=1)
        casefile.open_case(store, root, "BENCH-1")
        listing = folder / "known.csv"
        with listing.open("w") as out:
            out.write("pdq,category\n")
            for code in codes:
                out.write(f"{code},uk:A\n")
        started = time.perf_counter()
        import_list(store, listing, name="known", actor="bench")
        loaded = time.perf_counter() - started
        return {"token": token, "case": "BENCH-1", "load_seconds": loaded}
    finally:
        store.close()


def anchor(url: str, codes: list[str], batch: int, seconds: float = 5.0) -> dict[str, float]:
    """The lookup service called in this process: single and batch lookups per second."""
    store = SqlStore.open(url, migrate_schema=False)
    try:
        agency = store.cases.agency("bench")
        principal = Principal.local(agency.id, agency.name, "bench")
        index = lookups.LookupIndex()
        lookups.lookup(store, principal, index, [lookups.HashQuery("pdq", codes[0])])
        rates = {}
        for size in (1, batch):
            done = 0
            started = time.perf_counter()
            while time.perf_counter() - started < seconds:
                queries = [lookups.HashQuery("pdq", random.choice(codes)) for _ in range(size)]
                lookups.lookup(store, principal, index, queries)
                done += size
            rates["single" if size == 1 else "batch"] = done / (time.perf_counter() - started)
        return rates
    finally:
        store.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _rss(process: psutil.Process) -> int:
    total = 0
    for each in [process, *process.children(recursive=True)]:
        try:
            total += each.memory_info().rss
        except psutil.Error:
            pass
    return total


async def _client(
    base: str,
    token: str,
    case: str,
    codes: list[str],
    batch: int,
    until: float,
    samples: dict[str, list[float]],
    errors: dict[str, int],
    looked: dict[str, int],
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as http:
        while time.monotonic() < until:
            pick = random.random()
            if pick < 0.45:
                name = "GET /lookups/pdq/{value}"
                request = http.get(f"/api/v1/lookups/pdq/{random.choice(codes)}")
                count = 1
            elif pick < 0.70:
                name = "POST /lookups (batch)"
                queries = [{"type": "pdq", "value": random.choice(codes)} for _ in range(batch)]
                request = http.post("/api/v1/lookups", json={"queries": queries})
                count = batch
            elif pick < 0.90:
                name = "GET /cases/{case}"
                request = http.get(f"/api/v1/cases/{case}")
                count = 0
            else:
                name = "GET /cases/{case}/report"
                request = http.get(f"/api/v1/cases/{case}/report")
                count = 0
            started = time.perf_counter()
            try:
                response = await request
                ok = response.status_code < 400
            except httpx.HTTPError:
                ok = False
            samples[name].append(time.perf_counter() - started)
            if ok:
                if count == 1:
                    looked["single"] += 1
                elif count:
                    looked["batch"] += count
            else:
                errors[name] += 1


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def load(
    url: str,
    token: str,
    case: str,
    codes: list[str],
    *,
    clients: int,
    seconds: float,
    workers: int,
    batch: int,
) -> dict[str, Any]:
    """Run the server and the clients; the figures."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "INTERLINK_DB": url}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "interlink",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the server did not start")
            time.sleep(0.5)
        # Warm every worker's lookup index before timing.
        for _ in range(4 * workers):
            httpx.get(
                f"{base}/api/v1/lookups/pdq/{codes[0]}",
                timeout=120,
                headers={"Authorization": f"Bearer {token}"},
            )
        process = psutil.Process(server.pid)
        samples: dict[str, list[float]] = defaultdict(list)
        errors: dict[str, int] = defaultdict(int)
        looked: dict[str, int] = defaultdict(int)
        rss: dict[str, int] = {}

        async def run() -> None:
            until = time.monotonic() + seconds
            tasks = [
                asyncio.create_task(
                    _client(base, token, case, codes, batch, until, samples, errors, looked)
                )
                for _ in range(clients)
            ]
            await asyncio.sleep(min(10.0, seconds / 6))
            rss["at_10s"] = _rss(process)
            await asyncio.gather(*tasks)
            rss["at_end"] = _rss(process)

        started = time.perf_counter()
        asyncio.run(run())
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=60)
    endpoints = {
        name: {
            "requests": len(values),
            "errors": errors.get(name, 0),
            "p50_ms": round(_percentile(values, 0.50) * 1000, 1),
            "p99_ms": round(_percentile(values, 0.99) * 1000, 1),
        }
        for name, values in sorted(samples.items())
    }
    return {
        "seconds": round(elapsed, 1),
        "endpoints": endpoints,
        "errors": sum(errors.values()),
        "pdq_lookups_per_s": {
            "single": round(looked["single"] / elapsed, 1),
            "batch": round(looked["batch"] / elapsed, 1),
            "total": round((looked["single"] + looked["batch"]) / elapsed, 1),
        },
        "rss_mib": {k: round(v / 2**20, 1) for k, v in rss.items()},
        "rss_growth_pct": round(100.0 * (rss["at_end"] - rss["at_10s"]) / rss["at_10s"], 2),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print a report, or JSON only with ``--json``."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", help="database URL (default: a fresh PostgreSQL schema)")
    parser.add_argument("--codes", type=float, default=1e5, help="stored PDQ codes")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--batch", type=int, default=100, help="codes per batch lookup")
    parser.add_argument("--json", action="store_true", help="print machine-readable output only")
    args = parser.parse_args(argv)
    schema = None
    url = args.db
    if url is None:
        url, schema = _fresh_schema()
    try:
        codes = _codes(int(args.codes), seed=1)
        with tempfile.TemporaryDirectory() as folder:
            prepared = prepare(url, codes, Path(folder))
        direct = anchor(url, codes, args.batch)
        result = load(
            url,
            prepared["token"],
            prepared["case"],
            codes,
            clients=args.clients,
            seconds=args.seconds,
            workers=args.workers,
            batch=args.batch,
        )
    finally:
        if schema is not None:
            _drop_schema(schema)
    report = {
        "codes": int(args.codes),
        "clients": args.clients,
        "workers": args.workers,
        "batch": args.batch,
        "load_seconds": round(prepared["load_seconds"], 1),
        **result,
        "anchor_lookups_per_s": {k: round(v, 1) for k, v in direct.items()},
        "ratio_total_to_anchor_batch": round(
            result["pdq_lookups_per_s"]["total"] / direct["batch"], 3
        ),
    }
    if args.json:
        print(json.dumps(report))
        return 0
    print(
        f"{report['codes']} stored PDQ codes, {args.clients} clients, {args.workers} workers, "
        f"{report['seconds']} s"
    )
    for name, figures in report["endpoints"].items():
        print(
            f"  {name:28} {figures['requests']:7} req  {figures['errors']:4} err  "
            f"p50 {figures['p50_ms']:8.1f} ms  p99 {figures['p99_ms']:8.1f} ms"
        )
    rates = report["pdq_lookups_per_s"]
    print(
        f"PDQ lookups/s through the API: single {rates['single']}, batch {rates['batch']}, "
        f"total {rates['total']}"
    )
    print(
        f"anchor (service, no HTTP): {report['anchor_lookups_per_s']}; "
        f"ratio {report['ratio_total_to_anchor_batch']}"
    )
    print(f"server RSS {report['rss_mib']} MiB, growth {report['rss_growth_pct']} %")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
