"""How ``interlink serve`` runs the API: uvicorn's options, and the application factory its
worker processes call (settings from the environment).

Each worker process runs the synchronous routes in a thread pool of ``THREADS`` threads and
keeps a pool of as many database connections (plus a few for the audit's group commit and the
lookup index's refresh), opened once and reused: a request never opens a connection, and
connections are not pinged on every checkout (a report checks out dozens); after a database
restart the requests in flight fail once and SQLAlchemy discards the whole pool. The lists'
indexes and the token cache live in the process (``api/deps.py``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Engine

from interlink.adapters.sql.engine import make_engine
from interlink.adapters.sql.store import SqlStore
from interlink.api import timing, warm
from interlink.api.app import create_app
from interlink.api.deps import ServerOptions
from interlink.bootstrap import secret_box
from interlink.settings import Settings

_log = logging.getLogger(__name__)

#: Threads per worker process running synchronous routes (anyio's default is 40: more threads
#: than that only contend for the interpreter lock on a small machine).
THREADS = 16
#: Database connections per worker process beyond one per thread.
SPARE_CONNECTIONS = 4
#: Seconds a worker may take to answer the supervisor's ping before it is killed, restarted.
WORKER_HEALTHCHECK_SECONDS = 60
#: Seconds a thread waiting for the interpreter lock lets the running thread keep it before
#: asking it to let go (Python's default is 0.005). A worker's event loop, the audit's group
#: commit writer and the threads of heavy requests share one lock: every database round trip
#: releases it and must take it back, and with the default each could wait 5 ms behind a
#: thread building a report, several times per audit commit, under the head's row lock.
SWITCH_INTERVAL_SECONDS = 0.0005


class _ThreadLimit:
    """Pure ASGI middleware: sets the worker's thread pool size on its event loop, once."""

    def __init__(self, app: Any, threads: int = THREADS) -> None:
        self.app = app
        self._threads = threads
        self._done = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if not self._done:
            import anyio.to_thread

            anyio.to_thread.current_default_thread_limiter().total_tokens = self._threads
            self._done = True
        await self.app(scope, receive, send)


def app_from_environment() -> FastAPI:
    """The API on the store ``INTERLINK_DB`` names (``interlink serve`` sets it, and has
    migrated it before starting the workers)."""
    options = ServerOptions(
        cookie_secure=os.environ.get("INTERLINK_INSECURE_COOKIES") != "1", shared_limits=True
    )
    settings = Settings.load()
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    engine = make_engine(
        settings.database_url, pool_size=THREADS + SPARE_CONNECTIONS, pre_ping=False
    )
    app = create_app(settings, store=SqlStore(engine, secret_box(settings)), options=options)
    warm.build_routes(app)
    app.add_middleware(_ThreadLimit, threads=THREADS)
    timing.install(app)
    app.router.on_startup.append(lambda: warm.start_threads(THREADS))
    app.router.on_startup.append(lambda: open_lookup_indexes(app, then=lambda: _prepare(engine)))
    lag_file = os.environ.get(timing.ENVIRONMENT)
    if lag_file:
        out = Path(f"{lag_file}-lag.{os.getpid()}")
        app.router.on_startup.append(lambda: _start_lag_probe(app, out))
    return app


#: Seconds between two samples of the event loop's lag (``--phases`` runs only).
LAG_INTERVAL_SECONDS = 0.005


async def sample_loop_lag(out: Path, interval: float = LAG_INTERVAL_SECONDS) -> None:
    """Until cancelled: how late this process's event loop runs a timer of ``interval``
    seconds (ms), one JSON list of samples a second appended to ``out``. A request that
    arrives while the loop is late waits that long before the application sees it, which
    the request's own phase marks cannot show."""
    samples: list[float] = []
    flushed = time.monotonic()
    while True:
        started = time.perf_counter()
        await asyncio.sleep(interval)
        samples.append(round(max(0.0, time.perf_counter() - started - interval) * 1000.0, 2))
        if time.monotonic() - flushed >= 1.0:
            with out.open("a", encoding="utf-8") as stream:
                stream.write(json.dumps([time.time(), samples]) + "\n")
            samples, flushed = [], time.monotonic()


def _start_lag_probe(app: FastAPI, out: Path) -> None:
    probe = asyncio.get_running_loop().create_task(sample_loop_lag(out))
    app.router.on_shutdown.append(probe.cancel)


def _prepare(engine: Engine) -> None:
    """A worker's start-up after its indexes are open (``api/warm.py``): its pool's
    connections opened, the kernels loaded, the start-up objects frozen."""
    warm.open_connections(engine, THREADS + SPARE_CONNECTIONS)
    warm.prepare()


def open_lookup_indexes(
    app: FastAPI, *, then: Callable[[], None] | None = None
) -> threading.Thread:
    """Open (or build) the lists' lookup indexes in a background thread as a worker starts, so
    that its first lookups do not wait a second or two for them (the workers share the
    listening socket, and the first connections may all go to one: the other used to open its
    indexes in the middle of the traffic), then call ``then`` in that thread (a worker:
    ``_prepare``, its connections opened, the kernels loaded and the start-up objects frozen
    once the indexes' are made too). A failure is logged; the first lookup then tries
    again."""
    context = app.state.interlink

    def open_them() -> None:
        try:
            context.lookups.current(context.store)
        except Exception:  # a background thread: nobody else would hear of it
            _log.exception("opening the lookup indexes at start-up failed")
        if then is not None:
            try:
                then()
            except Exception:
                _log.exception("preparing the worker at start-up failed")

    thread = threading.Thread(target=open_them, name="lookup-index-open", daemon=True)
    thread.start()
    return thread


def run(host: str, port: int, workers: int, *, access_log: bool = False) -> None:
    """Serve the API with uvicorn: ``workers`` processes, the application factory above in
    each, on uvloop's event loop and the httptools parser (both in C, cheaper per request
    than asyncio's own loop and h11). ``access_log``: uvicorn's line per request (off by
    default: the audit log already records every authenticated access, and the line costs
    each request CPU in the worker)."""
    import uvicorn

    uvicorn.run(
        "interlink.api.server:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,
        server_header=False,
        loop="uvloop",
        # A busy worker's answer to the supervisor's ping waits for the interpreter lock;
        # uvicorn's 5 s killed healthy workers under load (and every request they held).
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        http="httptools",
        log_level="info",
        access_log=access_log,
    )
