"""How a scan's worker processes hand memory back to the system (glibc's ``malloc``).

Each file's analysis allocates and frees buffers of a few MiB (the file's bytes, the decoded
pixels, the reduced images). By default glibc serves blocks over 128 KiB with fresh ``mmap``
regions and returns the top of the heap to the system once 128 KiB of it is free; it raises
both limits only as it sees large blocks freed. A new worker process therefore faults in fresh,
zeroed pages for most files it analyses: about 0.8 ms of system CPU a 1 MP photo, measured, in
a process's first few hundred files, against 0.1-0.2 ms once warm. ``keep_freed_memory`` sets
from the start the limits glibc itself reaches after its first large blocks (the largest
``mmap`` threshold it adapts to, 32 MiB, and twice that for the heap's free top): freed buffers
are reused, a worker's memory stays what one file's analysis needs, and larger blocks (a 12 MP
decode) are still mapped and returned at once.

Called in the fork server before it forks any worker (``services.worker_boot``); the settings
are part of the process's memory and every worker inherits them.
"""

from __future__ import annotations

import ctypes
import sys

#: ``mallopt`` parameters (``malloc.h``).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
#: glibc's largest dynamic ``mmap`` threshold on 64-bit systems, and its trim threshold then.
MMAP_THRESHOLD = 32 << 20
TRIM_THRESHOLD = 2 * MMAP_THRESHOLD


def keep_freed_memory() -> bool:
    """Set this process's ``malloc`` limits as above; whether it could (glibc on Linux only:
    elsewhere nothing is changed)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
