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

A batch's index search runs on the process's own heavy threads (``on_heavy_thread``), which
the operating system schedules at a lower CPU priority than the rest of the server (Linux,
where a thread has its own nice value): the event loop, the audit writer and the light
requests' threads get a core first when they wake, and the search takes every cycle they
leave. On 2 cores shared with the database, the job worker and the clients, a single lookup
otherwise waits for a core behind the batches' index work. Only the search runs there (the
kernel, which lets go of the interpreter lock): a niced thread that held the lock for the
Python around it would, on a busy machine, keep the event loop waiting for the lock while it
waited for a core.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import weakref
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, TypeVar

from fastapi import Depends

#: Heavy requests a server process runs at once (enough to keep a core busy while another
#: waits on the database).
HEAVY_AT_ONCE = 2

#: How much lower the heavy threads' CPU priority is than the process's (nice levels).
HEAVY_NICE = 10

R = TypeVar("R")

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


def _lower_priority() -> None:
    """Lower the calling thread's CPU priority by ``HEAVY_NICE`` (Linux only: elsewhere a
    nice value is the whole process's, and the thread keeps the process's priority)."""
    if sys.platform != "linux":
        return
    thread = threading.get_native_id()
    try:
        current = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, min(19, current + HEAVY_NICE))
    except OSError:  # not allowed here (a sandbox): the thread runs at the process's priority
        pass


_pool_lock = threading.Lock()
_pools: dict[int, ThreadPoolExecutor] = {}


def _pool() -> ThreadPoolExecutor:
    """This process's heavy threads (one per slot), started when first needed."""
    with _pool_lock:
        pool = _pools.get(os.getpid())
        if pool is None:
            pool = _pools[os.getpid()] = ThreadPoolExecutor(
                HEAVY_AT_ONCE, thread_name_prefix="heavy", initializer=_lower_priority
            )
        return pool


def on_heavy_thread(call: Callable[[], R]) -> R:
    """``call()`` on one of the process's heavy threads (lower CPU priority); the calling
    thread waits for its result (or its exception)."""
    return _pool().submit(call).result()
