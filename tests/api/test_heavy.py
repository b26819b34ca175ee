"""Heavy requests are admitted a few at a time per server process; light ones never wait."""

from __future__ import annotations

import asyncio
import importlib
import pkgutil

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
