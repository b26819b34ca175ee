"""Benchmark: where a chat import's memory goes, batch by batch.

Writes the export ``bench.chats`` writes (Telegram ``result.json`` or 100 WhatsApp ``.txt``
files) and imports it with ``services.chats.import_chats`` into a fresh SQLite store in this
process, sampling after each transaction: the resident set (RSS), the C heap in use
(glibc's ``mallinfo2``), the memory SQLite reports in use (``sqlite3_memory_used``: page
caches, prepared statements) and Python's allocated blocks. Memory flat in the export size
shows as samples that stop growing once the bounded caches are full. The figures include
writing the export (done first, in this process); ``bench.chats`` gives the peak of an import
alone.

    python -m bench.chats_memory [--format telegram|whatsapp] [--messages 1000000] [--json]
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.chats import write_telegram, write_whatsapp


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()
        )
    ]


def _probes() -> tuple[Any, Any]:
    """``(mallinfo2, sqlite3_memory_used)``, each ``None`` where the library lacks it."""
    heap = sqlite = None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        heap = libc.mallinfo2
        heap.restype = _MallInfo2
    except (OSError, AttributeError, TypeError):
        heap = None
    try:
        lib = ctypes.CDLL(ctypes.util.find_library("sqlite3"))
        sqlite = lib.sqlite3_memory_used
        sqlite.restype = ctypes.c_int64
    except (OSError, AttributeError, TypeError):
        sqlite = None
    return heap, sqlite


def _rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure(fmt: str, messages: int, folder: Path) -> dict[str, Any]:
    """The samples of one import of ``messages`` messages in ``fmt``, written under
    ``folder``."""
    from interlink.adapters.sql.store import SqlStore
    from interlink.services import chats

    if fmt == "telegram":
        path = folder / "result.json"
        write_telegram(path, messages)
    else:
        path = folder / "whatsapp"
        path.mkdir()
        write_whatsapp(path, messages)
    heap, sqlite = _probes()
    samples: list[dict[str, Any]] = []
    flush = chats._Importer.flush

    def sampled(importer: Any) -> None:
        flush(importer)
        sample = {"messages": importer.messages, "rss_mb": round(_rss_mb(), 1)}
        if heap is not None:
            sample["c_heap_mb"] = round(heap().uordblks / 2**20, 1)
        if sqlite is not None:
            sample["sqlite_mb"] = round(sqlite() / 2**20, 1)
        sample["python_blocks"] = sys.getallocatedblocks()
        samples.append(sample)

    chats._Importer.flush = sampled  # type: ignore[method-assign,assignment]
    store = SqlStore.open(f"sqlite:///{folder / 'bench.db'}")
    try:
        started = time.process_time()
        result = chats.import_chats(store, path, case="BENCH", match_attachments=False)
        seconds = time.process_time() - started
    finally:
        chats._Importer.flush = flush  # type: ignore[method-assign]
        store.close()
    step = max(1, len(samples) // 10)
    return {
        "format": fmt,
        "messages": result.messages,
        "counts": result.counts(),
        "messages_per_s": round(result.messages / seconds),
        "samples": samples[::step] + ([samples[-1]] if (len(samples) - 1) % step else []),
    }


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print it (one JSON object with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--format", choices=("telegram", "whatsapp"), default="whatsapp")
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="interlink-chats-memory-") as temp:
        result = measure(args.format, args.messages, Path(temp))
    if args.json:
        print(json.dumps(result))
        return
    print(f"{result['format']}: {result['messages']} messages, {result['messages_per_s']}/s")
    for sample in result["samples"]:
        print("  " + ", ".join(f"{key} {value}" for key, value in sample.items()))


if __name__ == "__main__":
    main()
