"""Benchmark: the API under load. ``--clients`` concurrent clients for ``--seconds`` against
``interlink serve --workers N`` (127.0.0.1 only) on PostgreSQL holding ``--codes`` stored PDQ
codes, mixing single PDQ lookups, batch lookups, case reads and case reports, while a scan
job runs in ``interlink worker`` and a second list is imported with ``interlink lists import``.

Reported: requests, errors, p50 and p99 per endpoint; PDQ hashes looked up per second through
the API (single and batch requests, each and together); the server's memory (RSS of its
process tree) at the 10th second and at the end, and the growth between them; the machine's
load average before and after; what the scan and the import did meanwhile; how late the
clients' event loop ran (a starved load generator counts responses late), and with
``--phases`` each server worker's. The anchor, timed
in this process on the same store and index, is the lookup service called directly (no
HTTP, no authentication, no audit), single and batch: the ratio shows what the API costs.

Each client loops: pick a request (single 45 %, batch of ``--batch`` 25 %, case 20 %, report
10 %), send it, wait for the answer, then wait ``--think-ms`` on average (exponentially
distributed; 0 for a closed loop that saturates the server).

    python -m bench.server [--codes 1e7] [--prepared-db NAME] [--clients 50] [--seconds 60]
        [--workers 2] [--batch 100] [--think-ms 0] [--no-background] [--json] [--prepare-only]

The database ``--prepared-db`` (default ``bench_server_<codes>``) is filled once by
``bench/server_data.py`` and reused by later runs; the indexes the server builds are kept
under ``--home`` (default ``bench/out/server-home``) and reused too.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]

from bench import server_data, server_phases
from bench import server_procs as procs
from bench.server_client import Connection, HttpError, LoopLag
from interlink.api import timing

SEED = 1
#: Shares of single lookups, batch lookups, case reads and reports among the requests.
MIX = (0.45, 0.25, 0.20, 0.10)
OUT = Path(__file__).parent / "out"


def anchor(url: str, home: Path, codes: list[str], batch: int, seconds: float) -> dict[str, float]:
    """The lookup service called in this process: single and batch lookups per second."""
    from interlink.adapters.sql.store import SqlStore
    from interlink.domain.principal import Principal
    from interlink.services import lookups

    store = SqlStore.open(url, migrate_schema=False)
    try:
        agency = store.cases.agency("bench")
        principal = Principal.local(agency.id, agency.name, "bench")
        index = lookups.LookupIndex(home=home)
        started = time.perf_counter()
        lookups.lookup(store, principal, index, [lookups.HashQuery("pdq", codes[0])])
        rates = {"open_seconds": time.perf_counter() - started}
        for size in (1, batch):
            done = 0
            started, cpu = time.perf_counter(), time.process_time()
            while time.perf_counter() - started < seconds:
                queries = [lookups.HashQuery("pdq", random.choice(codes)) for _ in range(size)]
                lookups.lookup(store, principal, index, queries)
                done += size
            kind = "single" if size == 1 else "batch"
            rates[kind] = done / (time.perf_counter() - started)
            # Per CPU second of this process: what the machine's other load does not change
            # much, to set against the server's lookups per CPU second.
            rates[f"{kind}_per_cpu_s"] = done / max(1e-9, time.process_time() - cpu)
        return rates
    finally:
        store.close()


class _Stats:
    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.looked: dict[str, int] = defaultdict(int)
        self.first_error: str | None = None


def _own_cpu() -> float:
    """This process's CPU seconds so far (user and system)."""
    times = psutil.Process().cpu_times()
    return float(times.user + times.system)


async def _client(
    port: int,
    token: str,
    codes: list[str],
    args: argparse.Namespace,
    until: float,
    stats: _Stats,
    counted_from: float = 0.0,
) -> None:
    """One closed-loop client until ``until``; its requests begun before ``counted_from``
    (``time.monotonic``: the ramp before the clock) count only if they fail."""
    http = Connection("127.0.0.1", port, {"Authorization": f"Bearer {token}"}, timeout=60)
    think = args.think_ms / 1000.0
    mix = list(itertools.accumulate(args.mix))
    try:
        while time.monotonic() < until:
            pick = random.random()
            body = None
            count = 0
            if pick < mix[0]:
                name, method = "GET /lookups/pdq/{value}", "GET"
                path, count = f"/api/v1/lookups/pdq/{random.choice(codes)}", 1
            elif pick < mix[1]:
                name, method = f"POST /lookups (batch of {args.batch})", "POST"
                path, count = "/api/v1/lookups", args.batch
                body = {
                    "queries": [
                        {"type": "pdq", "value": random.choice(codes)} for _ in range(args.batch)
                    ]
                }
            elif pick < mix[2]:
                name, method, path = "GET /cases/{case}", "GET", "/api/v1/cases/BENCH-1"
            else:
                name, method, path = (
                    "GET /cases/{case}/report",
                    "GET",
                    "/api/v1/cases/BENCH-1/report",
                )
            counted = time.monotonic() >= counted_from
            started = time.perf_counter()
            try:
                status, content = await http.request(method, path, body)
                ok = status < 400
                problem = f"{status} {content[:200]!r}"
            except HttpError as exc:
                ok, problem = False, str(exc)
            if counted:
                stats.samples[name].append(time.perf_counter() - started)
            if ok:
                if counted:
                    stats.looked["single" if count == 1 else "batch"] += count
            else:
                stats.errors[name] += 1
                stats.first_error = stats.first_error or f"{name}: {problem}"
            if think:
                await asyncio.sleep(random.expovariate(1.0 / think))
    finally:
        await http.close()


def _wait_ready(port: int, server: subprocess.Popen[bytes], token: str, codes: list[str]) -> None:
    async def probe() -> None:
        http = Connection("127.0.0.1", port, {"Authorization": f"Bearer {token}"}, timeout=300)
        deadline = time.monotonic() + 600
        while True:
            try:
                status, _ = await http.request("GET", "/readyz")
                if status == 200:
                    break
            except HttpError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the server did not start")
            await asyncio.sleep(0.5)
        # Every worker opens the lists' indexes on its first lookup and counts the lists'
        # entries for its first report (once per import), and makes some of its objects on the
        # first request of each kind (FastAPI's routes, pydantic's validators): warm every kind
        # the clients send, as a server that has been up for a while (32 connections, so that
        # every worker gets some: with 8, one worker sometimes got none and opened its indexes
        # during the measured minute).
        clients = [
            Connection("127.0.0.1", port, {"Authorization": f"Bearer {token}"}, timeout=600)
            for _ in range(32)
        ]
        batch = {"queries": [{"type": "pdq", "value": code} for code in codes[:100]]}
        warm: list[tuple[str, str, Any]] = [
            ("GET", f"/api/v1/lookups/pdq/{codes[0]}", None),
            ("GET", "/api/v1/cases/BENCH-1/report", None),
            ("POST", "/api/v1/lookups", batch),
            ("GET", "/api/v1/cases/BENCH-1", None),
        ]
        for method, path, body in warm * 3:
            await asyncio.gather(*(c.request(method, path, body) for c in clients))
        for each in [http, *clients]:
            await each.close()

    asyncio.run(probe())


async def _warm_tokens(port: int, tokens: list[str], rounds: int = 8) -> None:
    """Each client's token used once on each of ``rounds`` new connections just before the
    clock starts (``/auth/me``, not counted), so that the server processes hold the tokens as
    when its scripts have been running for a while, instead of all fifty reading theirs in the
    first second of the measured minute. Eight connections (four until the seventh session):
    with four, one token in eight never reached one of two workers, which read it from the
    database at the clock's start."""

    async def once(token: str) -> None:
        http = Connection("127.0.0.1", port, {"Authorization": f"Bearer {token}"}, timeout=60)
        try:
            await http.request("GET", "/api/v1/auth/me")
        finally:
            await http.close()

    await asyncio.gather(*(once(token) for token in tokens for _ in range(rounds)))


def load(url: str, tokens: list[str], codes: list[str], args: argparse.Namespace) -> dict[str, Any]:
    """Run the server, the background work and the clients; the figures."""
    port = procs.free_port()
    home = Path(args.home)
    env = {**os.environ, "INTERLINK_DB": url, "INTERLINK_HOME": str(home)}
    timings = Path(tempfile.mkdtemp(prefix="bench-server-timing-"))
    if args.phases:
        env[timing.ENVIRONMENT] = str(timings / "timing")
    background: dict[str, Any] = {}
    job_ids: list[str] = []
    logs = OUT / "server-logs"
    logs.mkdir(parents=True, exist_ok=True)
    server = procs.interlink(
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(args.workers),
        env=env,
        log=logs / "serve.log",
    )
    worker: subprocess.Popen[bytes] | None = None
    importer: subprocess.Popen[bytes] | None = None
    try:
        _wait_ready(port, server, tokens[0], codes)
        process = psutil.Process(server.pid)
        stats = _Stats()
        rss: dict[str, int] = {}
        folder = Path(tempfile.mkdtemp(prefix="bench-server-"))
        if not args.no_background:
            scans = procs.scan_folder(args.scan_files)
            job_env = {**env, "INTERLINK_EVIDENCE_ROOTS": str(scans.parent)}
            background["scan_index_warm_seconds"] = procs.warm_scan_index(env, folder)
            for number in range(args.scan_jobs):
                submit = subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "interlink",
                        "--agency",
                        "bench",
                        "jobs",
                        "scan",
                        str(scans),
                        "--case",
                        "BENCH-SCAN",
                        "--exhibit-name",
                        f"run-{time.time_ns()}-{number}",
                        "--list",
                        "known",
                        "--json",
                    ],
                    env=job_env,
                    capture_output=True,
                    timeout=300,
                    check=False,
                )
                if submit.returncode != 0:
                    raise RuntimeError(f"jobs scan failed: {submit.stderr.decode()[-500:]}")
                job_ids.append(str(json.loads(submit.stdout)["id"]))
            incoming = folder / "incoming.csv"
            extra = server_data.hex_rows(server_data.codes(args.import_codes, SEED + 7))
            incoming.write_text("pdq,category\n" + "".join(f"{c},uk:B\n" for c in extra))
            background["import_codes"] = args.import_codes
            background["scan_files_per_job"] = args.scan_files
            background["scan_jobs"] = args.scan_jobs

        async def run() -> None:
            nonlocal worker, importer
            if not args.cold_tokens:
                await _warm_tokens(port, tokens)
            # The clients run a ramp before the clock (not counted), so the minute measures
            # them running, not the first wave of fifty requests sent at the same instant.
            clock_at = time.monotonic() + args.ramp_seconds
            until = clock_at + args.seconds
            tasks = [
                asyncio.create_task(_client(port, token, codes, args, until, stats, clock_at))
                for token in tokens
            ]
            await asyncio.sleep(max(0.0, clock_at - time.monotonic()))
            # The clock starts: the figures count from here.
            started = time.monotonic()
            clock.update(perf=time.perf_counter(), wall=time.time())
            clock["clients_cpu"] = _own_cpu()
            cpu["server_start"] = procs.cpu([process])
            backends.update({b.pid: procs.cpu([b]) for b in procs.postgres_backends(url)})
            if not args.no_background:
                worker = procs.interlink("worker", env=job_env, log=logs / "worker.log")
            tasks.append(asyncio.create_task(lag.run(until)))
            if not args.no_background:
                await asyncio.sleep(min(5.0, args.seconds / 12))
                importer = procs.interlink(
                    "lists",
                    "import",
                    str(incoming),
                    "--name",
                    "incoming",
                    env=env,
                    log=logs / "import.log",
                )
                background["import_started_s"] = round(time.monotonic() - started, 1)
            await asyncio.sleep(max(0.0, started + min(10.0, args.seconds / 6) - time.monotonic()))
            rss["at_10s"] = procs.rss(process)
            while importer is not None and importer.poll() is None and time.monotonic() < until:
                await asyncio.sleep(0.2)
            if importer is not None and importer.returncode is not None:
                background["import_seconds"] = round(
                    time.monotonic() - started - background["import_started_s"], 1
                )
                background["import_ok"] = importer.returncode == 0
            await asyncio.gather(*tasks)
            rss["at_end"] = procs.rss(process)
            cpu["server_end"] = procs.cpu([process])
            for backend in procs.postgres_backends(url):
                cpu["postgres_end"] += procs.cpu([backend]) - backends.get(backend.pid, 0.0)

        # Database CPU: the connections' backends, from the clock's start (new ones: all of
        # theirs); the server's and the clients' CPU from then too.
        backends: dict[int, float] = {}
        cpu = {"server_start": 0.0, "postgres_start": 0.0, "postgres_end": 0.0}
        clock: dict[str, float] = {}
        # The clients' own process holds the anchor's index and kernels: frozen out of the
        # garbage collector's full collections, which would otherwise stop the clients' loop
        # for 0.1-0.2 s at a time and count that against the server.
        gc.collect()
        gc.freeze()
        before = procs.load_average()
        lag = LoopLag()
        asyncio.run(run())
        elapsed = time.perf_counter() - clock["perf"]
        since = clock["wall"]
        after = procs.load_average()
        cpu_seconds = {
            "server": round(cpu["server_end"] - cpu["server_start"], 1),
            "postgres_server_connections": round(cpu["postgres_end"] - cpu["postgres_start"], 1),
            "clients": round(_own_cpu() - clock["clients_cpu"], 1),
        }
    finally:
        for child in (importer, worker, server):
            if child is not None and child.poll() is None:
                child.terminate()
        for child in (importer, worker, server):
            if child is not None:
                try:
                    child.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
    if job_ids:
        background.update(procs.scan_progress(url, job_ids))
    endpoints = {
        name: {
            "requests": len(values),
            "errors": stats.errors.get(name, 0),
            "p50_ms": round(procs.percentile(values, 0.50) * 1000, 1),
            "p99_ms": round(procs.percentile(values, 0.99) * 1000, 1),
        }
        for name, values in sorted(stats.samples.items())
    }
    phases = server_phases.summary(timings, since) if args.phases else None
    return {
        "seconds": round(elapsed, 1),
        "phases": phases,
        "load_average_before": before,
        "load_average_after": after,
        "endpoints": endpoints,
        "errors": sum(stats.errors.values()),
        "first_error": stats.first_error,
        "pdq_lookups_per_s": {
            "single": round(stats.looked["single"] / elapsed, 1),
            "batch": round(stats.looked["batch"] / elapsed, 1),
            "total": round((stats.looked["single"] + stats.looked["batch"]) / elapsed, 1),
        },
        "rss_mib": {k: round(v / 2**20, 1) for k, v in rss.items()},
        "cpu_seconds": cpu_seconds,
        "pdq_lookups_per_server_cpu_s": round(
            (stats.looked["single"] + stats.looked["batch"])
            / max(1e-9, cpu_seconds["server"] + cpu_seconds["postgres_server_connections"]),
            1,
        ),
        "server_cpu_ms_per_request": round(
            1000.0
            * (cpu_seconds["server"] + cpu_seconds["postgres_server_connections"])
            / max(1, sum(len(v) for v in stats.samples.values())),
            2,
        ),
        "rss_growth_pct": round(100.0 * (rss["at_end"] - rss["at_10s"]) / rss["at_10s"], 2),
        "background": background,
        "client_loop_lag_ms": lag.summary(),
        "server_loop_lag_ms": server_phases.loop_lag(timings, since) if args.phases else None,
    }


def _mix(text: str) -> tuple[float, ...]:
    """``--mix``: four non-negative shares, scaled to sum to 1."""
    try:
        shares = [float(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError("four numbers, e.g. 45,25,20,10") from None
    if len(shares) != 4 or min(shares) < 0 or sum(shares) <= 0:
        raise argparse.ArgumentTypeError("four non-negative numbers, e.g. 45,25,20,10")
    return tuple(share / sum(shares) for share in shares)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print a report, or JSON only with ``--json``."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--codes", type=float, default=1e7, help="stored PDQ codes")
    parser.add_argument("--prepared-db", help="database to fill once and reuse")
    parser.add_argument("--home", default=str(OUT / "server-home"), help="server's data folder")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--batch", type=int, default=100, help="codes per batch lookup")
    parser.add_argument(
        "--mix",
        type=_mix,
        default=MIX,
        help="shares of single, batch, case and report requests (default 45,25,20,10)",
    )
    parser.add_argument("--think-ms", type=float, default=0.0, help="mean pause between requests")
    parser.add_argument("--scan-files", type=int, default=200, help="images per scan job")
    parser.add_argument("--scan-jobs", type=int, default=3)
    parser.add_argument("--import-codes", type=int, default=100_000, help="codes in the import")
    parser.add_argument("--no-background", action="store_true", help="no scan, no import")
    parser.add_argument("--anchor-seconds", type=float, default=5.0)
    parser.add_argument(
        "--ramp-seconds",
        type=float,
        default=5.0,
        help="seconds the clients run before the clock starts, not counted (0: all fifty "
        "start with the clock, as before 2026-12-08)",
    )
    parser.add_argument(
        "--cold-tokens",
        action="store_true",
        help="do not use the clients' tokens before the clock starts (as before 2026-12-07)",
    )
    parser.add_argument(
        "--phases",
        action="store_true",
        help="time each request's phases in the server (api/timing.py) and report them",
    )
    parser.add_argument("--json", action="store_true", help="print machine-readable output only")
    parser.add_argument(
        "--prepare-only", action="store_true", help="fill the database (if needed) and stop"
    )
    args = parser.parse_args(argv)
    count = int(args.codes)
    name = args.prepared_db or f"bench_server_{count:.0e}".replace("+0", "").replace("+", "")
    url, filled = server_data.prepared(name, count, SEED)
    if args.prepare_only:
        print(json.dumps({"codes": count, "database": name, "prepared": filled}))
        return 0
    procs.reset(url)
    tokens = server_data.tokens(url, args.clients)
    codes = server_data.sample(count, SEED, 100_000)
    direct = anchor(url, Path(args.home), codes, args.batch, args.anchor_seconds)
    result = load(url, tokens, codes, args)
    report = {
        "codes": count,
        "database": name,
        "prepared": filled,
        "clients": args.clients,
        "workers": args.workers,
        "batch": args.batch,
        "think_ms": args.think_ms,
        "mix": [round(share, 3) for share in args.mix],
        **result,
        "anchor_lookups_per_s": {k: round(v, 1) for k, v in direct.items()},
        "ratio_total_to_anchor_batch": round(
            result["pdq_lookups_per_s"]["total"] / direct["batch"], 3
        ),
        "ratio_per_cpu_s_to_anchor_batch": round(
            result["pdq_lookups_per_server_cpu_s"] / direct["batch_per_cpu_s"], 3
        ),
    }
    if args.json:
        print(json.dumps(report))
        return 0
    print(
        f"{count} stored PDQ codes, {args.clients} clients, {args.workers} workers, think "
        f"{args.think_ms} ms, {report['seconds']} s; load average {report['load_average_before']}"
        f" -> {report['load_average_after']}"
    )
    for endpoint, figures in report["endpoints"].items():
        print(
            f"  {endpoint:32} {figures['requests']:7} req  {figures['errors']:4} err  "
            f"p50 {figures['p50_ms']:8.1f} ms  p99 {figures['p99_ms']:8.1f} ms"
        )
    rates = report["pdq_lookups_per_s"]
    print(
        f"PDQ lookups/s through the API: single {rates['single']}, batch {rates['batch']}, "
        f"total {rates['total']}"
    )
    print(
        f"anchor (service, no HTTP): {report['anchor_lookups_per_s']}; "
        f"ratio {report['ratio_total_to_anchor_batch']}; per CPU second "
        f"{report['ratio_per_cpu_s_to_anchor_batch']}"
    )
    print(f"server RSS {report['rss_mib']} MiB, growth {report['rss_growth_pct']} %")
    print(
        f"CPU seconds {report['cpu_seconds']}; PDQ lookups per CPU second of the server and "
        f"its database connections: {report['pdq_lookups_per_server_cpu_s']}; "
        f"{report['server_cpu_ms_per_request']} CPU ms per request"
    )
    print(f"background: {report['background']}")
    print(f"the clients' event loop lag (ms): {report['client_loop_lag_ms']}")
    if report["server_loop_lag_ms"]:
        print(f"the server processes' event loop lag (ms): {report['server_loop_lag_ms']}")
    if report["phases"]:
        print("\n".join(server_phases.render(report["phases"])))
    if report["first_error"]:
        print(f"first error: {report['first_error']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
