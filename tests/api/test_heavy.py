"""Heavy requests are admitted a few at a time per server process; light ones never wait."""

from __future__ import annotations

import asyncio
import importlib
import os
import pkgutil
import sys
import threading

import pytest
from fastapi.routing import APIRoute

from interlink.api import routes
from interlink.api.heavy import HEAVY_AT_ONCE, heavy_slot


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


def test_heavy_work_runs_on_a_heavy_thread_with_the_callers_context() -> None:
    from contextvars import ContextVar

    from interlink.api.heavy import run_heavy

    request: ContextVar[str] = ContextVar("request", default="none")

    def work(factor: int, *, plus: int) -> tuple[str, str, int]:
        return threading.current_thread().name, request.get(), factor * 2 + plus

    async def scenario() -> tuple[str, str, int]:
        request.set("r-1")
        return await run_heavy(work, 20, plus=2)

    name, seen, value = asyncio.run(scenario())
    assert name.startswith("heavy") and seen == "r-1" and value == 42


@pytest.mark.skipif(sys.platform != "linux", reason="a thread's own nice value is Linux's")
def test_heavy_threads_run_at_a_lower_cpu_priority_than_the_process() -> None:
    from interlink.api.heavy import HEAVY_NICE, run_heavy

    def priorities() -> tuple[int, int]:
        own = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        return own, os.getpriority(os.PRIO_PROCESS, os.getpid())

    thread, process = asyncio.run(run_heavy(priorities))
    assert thread == min(19, process + HEAVY_NICE) > process
    # the caller's own thread keeps the process's priority
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == process


def test_a_batch_lookup_runs_on_a_heavy_thread() -> None:
    import inspect

    from interlink.api.routes import lookups

    assert inspect.iscoroutinefunction(lookups.batch)
    assert "run_heavy(" in inspect.getsource(lookups.batch)
