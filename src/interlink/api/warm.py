"""A server process made ready before it serves its first request.

**The index kernels loaded.** The lookup indexes' compiled kernels (Numba, cached on disk) load
on their first call, which takes a while and creates tens of thousands of Python objects; a
process loads them before it serves, by building and querying a small index of random codes
(large enough to be searched through its tables, as a list's index is).

**The start-up objects set aside from the garbage collector.** CPython's full collections walk
every tracked object: with the application, its libraries and the kernels loaded that is a
quarter of a million objects, 150-200 ms on this machine's cores, and the collection runs in
whichever thread allocates, holding the interpreter lock: the event loop and every request
stood still that long, several times a minute under load (the load benchmark's stalls).
``gc.freeze`` moves the objects alive at start-up to a generation the collector never walks;
they live as long as the process anyway. Collections then walk only what was made since.

**Its routes built.** FastAPI builds each included router's routes (their parameters' pydantic
adapters) when the first request reaches the router, in whichever thread serves it: a worker's
first requests waited for it, and the build silences a pydantic warning with
``warnings.catch_warnings``, which changes the process's filters for every thread at once (two
builds in two threads at a time could each restore the other's filters). ``build_routes``
builds them all as the process starts, in one thread.

**Its connections and threads started.** A worker starts its threads before it serves
(``start_threads``, a start-up handler) and opens its pool's database connections in its
start-up thread once its indexes are open (``open_connections``; on a restarted node that is
within a second or two, before most traffic): otherwise the first burst of requests opens
them (a PostgreSQL backend started per connection) and starts them, each thread start waiting
on the event loop for the new thread to get going.
"""

from __future__ import annotations

import asyncio
import gc
import os
import time
from collections.abc import Iterable
from contextlib import ExitStack
from typing import Any

import numpy as np
from fastapi import FastAPI
from sqlalchemy import Engine

from interlink.index.exact import ExactIndex
from interlink.index.hamming import HammingIndex
from interlink.index.planner import SCAN_BELOW
from interlink.signals.registry import registry


def load_kernels() -> None:
    """Call every kernel a lookup uses once (a Hamming index with tables, an exact index)."""
    rows = 2 * SCAN_BELOW
    codes = np.random.default_rng(0).integers(0, 1 << 63, size=(rows, 4), dtype=np.uint64)
    hamming = HammingIndex(flush_rows=rows)
    hamming.add_codes(codes, np.arange(rows))
    hamming.query_codes(codes[:4], 0)  # through the tables
    hamming.query_codes(codes[:4], 31)  # a scan, at this size
    exact = ExactIndex(flush_rows=8)
    values = [f"{i:064x}" for i in range(8)]
    exact.add(values, list(range(8)))
    exact.query_batch(values[:2])


def build_routes(app: FastAPI) -> int:
    """Build every route of ``app``'s included routers now (see the module docstring); how
    many routes there are. A FastAPI without lazily built routers has nothing to build."""
    return _build(app.router.routes)


def _build(routes: Iterable[Any]) -> int:
    count = 0
    for route in routes:
        candidates = getattr(route, "effective_candidates", None)
        if candidates is None:
            count += 1
            continue
        route.effective_low_priority_routes()
        count += _build(candidates())
    return count


def open_connections(engine: Engine, count: int) -> int:
    """Open up to ``count`` of ``engine``'s pooled connections at once and give them back to
    the pool, which keeps them; how many were opened (an SQLite engine keeps none)."""
    if engine.dialect.name != "postgresql":
        return 0
    with ExitStack() as held:
        opened = [held.enter_context(engine.connect()) for _ in range(count)]
        for connection in opened:
            connection.exec_driver_sql("SELECT 1")
    return len(opened)


async def start_threads(anyio_threads: int) -> None:
    """Start the event loop's default executor's threads and ``anyio_threads`` of anyio's
    worker threads (the synchronous routes' pool, its limit set to that many), each with a
    short wait so that every one of them is started rather than one reused."""
    import anyio.to_thread

    anyio.to_thread.current_default_thread_limiter().total_tokens = anyio_threads
    loop = asyncio.get_running_loop()
    default = min(32, (os.cpu_count() or 1) + 4)  # the default executor's size
    await asyncio.gather(
        *(loop.run_in_executor(None, time.sleep, 0.02) for _ in range(default)),
        *(anyio.to_thread.run_sync(time.sleep, 0.02) for _ in range(anyio_threads)),
    )


def settle() -> int:
    """Collect once, then freeze what is left out of later collections; how many objects
    were frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def prepare() -> None:
    """Everything a server process does before it serves: the kernels and the signal types'
    registry (built on first use, reading every installed package's entry points), then the
    freeze."""
    load_kernels()
    registry()
    settle()
