"""A worker process keeps the memory it frees for the next file instead of faulting in fresh
pages for each (glibc's ``malloc``, Linux)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from interlink.services.worker_memory import TRIM_THRESHOLD

#: Frees, file after file, what an analysis frees: several buffers of a few MiB at once, more
#: than twice the largest (glibc's own trim threshold once it has adapted), then counts the
#: page faults of the later rounds.
_PROGRAM = """
import resource, sys
from interlink.services.worker_memory import keep_freed_memory
if sys.argv[1] == "kept":
    assert keep_freed_memory()
def round_():
    buffers = [bytearray(3 << 20) for _ in range(6)]
    del buffers
round_(); round_()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    round_()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(mode: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", _PROGRAM, mode], capture_output=True, text=True, check=True
    )
    return int(done.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc only")
def test_freed_buffers_are_reused_not_faulted_in_again() -> None:
    pages = 20 * 6 * (3 << 20) // 4096  # every page of every round, faulted in afresh
    assert _faults("default") > pages // 2
    assert _faults("kept") < pages // 20
    assert TRIM_THRESHOLD > 6 * (3 << 20)


def test_the_fork_server_sets_it_before_any_worker_forks() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import interlink.services.worker_memory as m;"
            "calls = [];"
            "m.keep_freed_memory = lambda: calls.append(1) or True;"
            "import interlink.services.worker_boot;"
            "print(len(calls))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "1"
