"""Heavy requests are admitted a few at a time per server process; light ones never wait."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import os
import pkgutil
import sys
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.routing import APIRoute

from interlink.adapters.sql.store import SqlStore
from interlink.api import routes
from interlink.api.heavy import HEAVY_AT_ONCE, heavy_slot
from interlink.domain.principal import Principal
from interlink.index.base import CodeMatches
from interlink.services.lists import import_list
from interlink.services.lookup_index import LookupIndex


def test_at_most_the_slots_run_at_once_and_every_request_runs() -> None:
    async def scenario() -> tuple[int, int, int]:
        running = peak = done = 0
        light_waited = -1

        async def heavy() -> None:
            nonlocal running, peak, done
            async for _ in heavy_slot():
                running += 1
                peak = max(peak, running)
                await asyncio.sleep(0.01)
                running -= 1
                done += 1

        async def light() -> None:
            nonlocal light_waited
            await asyncio.sleep(0.001)  # the heavy ones hold every slot by now
            light_waited = running

        await asyncio.gather(*(heavy() for _ in range(10)), light())
        return peak, done, light_waited

    peak, done, light_waited = asyncio.run(scenario())
    assert (peak, done) == (HEAVY_AT_ONCE, 10)
    assert light_waited == HEAVY_AT_ONCE  # a light request ran while the slots were taken


def test_batch_lookups_and_reports_take_a_slot_and_single_lookups_do_not() -> None:
    heavy: set[str] = set()
    for module in pkgutil.iter_modules(routes.__path__):
        router = getattr(
            importlib.import_module(f"{routes.__name__}.{module.name}"), "router", None
        )
        for route in getattr(router, "routes", ()):
            if isinstance(route, APIRoute):
                if heavy_slot in {d.call for d in route.dependant.dependencies}:
                    heavy.update(f"{m} {route.path}" for m in route.methods or ())
    assert heavy == {"POST /lookups", "GET /cases/{case}/report", "GET /cases/{case}/report.html"}


def test_a_call_on_a_heavy_thread_returns_its_result_or_raises_its_error() -> None:
    from interlink.api.heavy import on_heavy_thread

    assert on_heavy_thread(lambda: threading.current_thread().name).startswith("heavy")

    def broken() -> None:
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        on_heavy_thread(broken)


@pytest.mark.skipif(sys.platform != "linux", reason="a thread's own nice value is Linux's")
def test_heavy_threads_run_at_a_lower_cpu_priority_than_the_process() -> None:
    from interlink.api.heavy import HEAVY_NICE, on_heavy_thread

    def priorities() -> tuple[int, int]:
        own = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        return own, os.getpriority(os.PRIO_PROCESS, os.getpid())

    thread, process = on_heavy_thread(priorities)
    assert thread == min(19, process + HEAVY_NICE) > process
    # the caller's own thread keeps the process's priority
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == process


def test_a_batch_lookup_searches_on_a_heavy_thread_and_the_rest_stays_in_its_own(
    tmp_path: Path,
) -> None:
    """Only the index search goes to the niced thread; the batch's Python (labels, answer)
    stays at the server's priority, so a niced thread never keeps the interpreter lock."""
    from interlink.api.heavy import on_heavy_thread
    from interlink.services import lookups as service

    store = SqlStore.open(f"sqlite:///{tmp_path / 'node.db'}")
    try:
        known = tmp_path / "known.csv"
        code = "f" * 64
        known.write_text(f"pdq,category\n{code},uk:A\n")
        import_list(store, known, name="known")
        principal = Principal.local(uuid.uuid4(), "node", "t")
        searched_on: list[str] = []

        def search(call: Callable[[], CodeMatches]) -> CodeMatches:
            def named() -> CodeMatches:
                searched_on.append(threading.current_thread().name)
                return call()

            return on_heavy_thread(named)

        found = service.lookup(
            store,
            principal,
            LookupIndex(1.0, home=tmp_path),
            [service.HashQuery("pdq", code, None)] * 3,
            search=search,
        )
        assert [len(r.matches) for r in found] == [1, 1, 1]
        assert len(searched_on) == 1 and searched_on[0].startswith("heavy")
    finally:
        store.close()
    from interlink.api.routes import lookups as route

    assert "search=on_heavy_thread" in inspect.getsource(route.batch)
