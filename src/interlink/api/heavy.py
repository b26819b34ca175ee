"""Admission for heavy requests (batch lookups, case reports): at most ``HEAVY_AT_ONCE`` of them
run at once in a server process; the others wait on the event loop, holding no thread.

A worker process runs its requests on a pool of threads that share one interpreter lock. With
every thread busy on a batch of lookups or a report, a single lookup (about 2 ms of CPU) waits
for a free thread and then for its turns at the lock among a dozen others: in the load
benchmark its p99 was 0.77 s at 50 clients. Heavy requests admitted a few at a time keep the
process's CPU just as busy, while a light request finds a thread and little contention at
once; the heavy ones queue in order instead (the same CPU, spent in the same order).
Measured (``bench/server.py`` at 10^7 codes, quiet machine): single lookup p50 287 -> 22 ms,
p99 770 -> 145 ms, 2,177 lookups/s in all; with one slot, 1,736/s and no better p99.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends

#: Heavy requests a server process runs at once (enough to keep a core busy while another
#: waits on the database).
HEAVY_AT_ONCE = 2

_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def _semaphore() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    found = _slots.get(loop)
    if found is None:
        found = _slots[loop] = asyncio.Semaphore(HEAVY_AT_ONCE)
    return found


async def heavy_slot() -> AsyncIterator[None]:
    """Wait for one of the process's heavy slots; it is given back when the response is sent."""
    async with _semaphore():
        yield


#: Declared first among a heavy route's parameters, so the slot is taken before any of its
#: other dependencies use a thread.
Heavy = Annotated[None, Depends(heavy_slot)]
