"""A server process loads the index kernels and freezes its start-up objects out of the
garbage collector's full collections before it serves."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

SCRIPT = """
import gc, json, time
import interlink.api.app
from interlink.api import warm
from interlink.index import _build_kernels, _exact_kernels, _hamming_kernels

kernels = [
    _hamming_kernels._query_tables, _hamming_kernels._scan_codes, _hamming_kernels._best_per_id,
    _exact_kernels._lookup, _exact_kernels._value_keys, _exact_kernels._bucket_offsets,
    _build_kernels._build_table, _build_kernels._chunk_keys, _build_kernels._pair_histograms,
]
before = [len(k.signatures) for k in kernels]
warm.prepare()
after = [len(k.signatures) for k in kernels]
started = time.perf_counter()
gc.collect()
print(json.dumps({"before": before, "after": after, "frozen": gc.get_freeze_count(),
                  "tracked": len(gc.get_objects()),
                  "collect_ms": (time.perf_counter() - started) * 1000}))
"""


def test_prepare_loads_every_lookup_kernel_and_freezes_the_start_up_objects() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=True,
    )
    found = json.loads(done.stdout)
    assert found["before"] == [0] * 9 and all(n >= 1 for n in found["after"])
    # The application, its libraries and the kernels are frozen; a full collection then
    # walks only what was made after (a few objects here, against ~10^5 frozen).
    assert found["frozen"] > 100_000
    assert found["tracked"] < found["frozen"] / 100


def test_a_worker_opens_its_pool_connections_before_it_serves(store_url: str) -> None:
    from interlink.adapters.sql.engine import make_engine
    from interlink.api import warm

    engine = make_engine(store_url, pool_size=6)
    try:
        opened = warm.open_connections(engine, 6)
        if engine.dialect.name == "postgresql":
            assert opened == 6 and engine.pool.checkedin() == 6  # type: ignore[attr-defined]
        else:
            assert opened == 0  # SQLite: nothing to open ahead
    finally:
        engine.dispose()


def test_a_worker_starts_its_threads_before_it_serves() -> None:
    import asyncio
    import threading

    import anyio.to_thread

    from interlink.api import warm

    async def scenario() -> tuple[int, float]:
        await warm.start_threads(5)
        limiter = anyio.to_thread.current_default_thread_limiter()
        return sum(t.name == "AnyIO worker thread" for t in threading.enumerate()), float(
            limiter.total_tokens
        )

    started, limit = asyncio.run(scenario())
    assert started >= 5 and limit == 5


@pytest.mark.parametrize("built", [True, False], ids=["built", "lazy"])
def test_a_worker_builds_its_routes_before_it_serves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, built: bool
) -> None:
    """Built at start-up, no request builds a route, so none changes the process's warning
    filters (``warnings.catch_warnings``, which FastAPI's build uses) while others serve."""
    from interlink.adapters.sql.store import SqlStore
    from interlink.api import warm
    from interlink.api.app import create_app
    from interlink.settings import Settings

    url = f"sqlite:///{tmp_path / 'node.db'}"
    store = SqlStore.open(url)
    app = create_app(Settings.load({}, home=tmp_path, database_url=url), store=store)
    if built:
        assert warm.build_routes(app) > 100
    entered: list[bool] = []
    catch = warnings.catch_warnings

    def counting(*args: Any, **kwargs: Any) -> Any:
        entered.append(True)
        return catch(*args, **kwargs)

    monkeypatch.setattr(warnings, "catch_warnings", counting)
    try:
        client = TestClient(app)
        for path in ("/healthz", "/api/v1/cases", "/api/v1/lookups/pdq/00", "/cases"):
            assert client.get(path).status_code < 500
    finally:
        store.close()
    assert (entered == []) is built
