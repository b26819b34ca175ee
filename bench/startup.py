"""How long ``interlink`` takes to start: ``--help``, ``cases --json`` and a scan of one photo.

Each is run as its own process, ``--runs`` times, and reported as the median wall time next to
the anchor measured in the same run, ``python -c pass`` (starting the interpreter), with the
ratio of each to it, and the median CPU time of the process (which moves less with the load of
a shared machine; a scan's worker processes, if it starts any, are not counted in it). Two more
references run alongside: ``python -c "import sqlite3"`` (the driver) and ``python -c "import
sqlalchemy"`` (the floor of every command that opens the store). With ``--instructions`` each
is also run once under ``valgrind --tool=callgrind`` (with its child processes): the
instructions it executes do not depend on the machine's load at all. The
store (SQLite, in a scratch ``INTERLINK_HOME``) is created before the timed runs, and the photo
is scanned once untimed so that the disk cache is warm; each timed scan goes into a new case,
so it does the whole work of a first scan of that exhibit.

    PYTHONPATH=src python -m bench.startup [--runs N] [--photos DIR] [--workers N]
        [--instructions] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

#: Targets of issue 12 (seconds).
TARGETS = {"help": 0.3, "cases": 0.3, "scan_one_photo": 1.0}


def interlink_command() -> list[str]:
    """The ``interlink`` console script beside this interpreter, else ``python -m interlink``."""
    script = Path(sys.executable).parent / "interlink"
    return [str(script)] if script.exists() else [sys.executable, "-m", "interlink"]


def wall(argv: Sequence[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds one run of ``argv`` takes, and the CPU seconds of the process (and of the
    children it waited for); it must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return elapsed, cpu


def instructions(argv: Sequence[str], env: dict[str, str]) -> int:
    """Instructions one run of ``argv`` executes, its child processes included (callgrind)."""
    done = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--trace-children=yes",
            "--callgrind-out-file=/dev/null",
            *argv,
        ],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    return sum(int(n) for n in re.findall(r"Collected : (\d+)", done.stderr))


def one_photo(folder: Path, photos: Path | None) -> Path:
    """A folder holding one JPEG: the first of ``photos``, else a generated 1 MP photo."""
    folder.mkdir(parents=True, exist_ok=True)
    if photos is not None:
        first = min(p for p in photos.iterdir() if p.suffix.lower() in (".jpg", ".jpeg"))
        shutil.copy(first, folder / first.name)
        return folder
    from bench.hashing import as_jpeg, source_images

    [(_, image)] = list(source_images(None, 1))
    (folder / "photo.jpg").write_bytes(as_jpeg(image, 1_000_000))
    return folder


def run(
    runs: int, photos: Path | None, workers: int | None, count_instructions: bool = False
) -> dict[str, Any]:
    command = interlink_command()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="interlink-startup-") as scratch:
        home = Path(scratch) / "home"
        env = {**os.environ, "INTERLINK_HOME": str(home), "INTERLINK_ACTOR": "bench"}
        env.pop("INTERLINK_DB", None)
        if workers is not None:
            env["INTERLINK_WORKERS"] = str(workers)
        folder = one_photo(Path(scratch) / "exhibit", photos)
        scan = [*command, "scan", str(folder), "--json", "--case"]
        wall([*command, "cases", "--json"], env)  # creates the store
        wall([*scan, "warm-up"], env)  # warms the disk cache and any compiled-code cache
        runs_of: dict[str, Callable[[int], list[str]]] = {
            "anchor": lambda n: [sys.executable, "-c", "pass"],
            "import_sqlite3": lambda n: [sys.executable, "-c", "import sqlite3"],
            "import_sqlalchemy": lambda n: [sys.executable, "-c", "import sqlalchemy"],
            "help": lambda n: [*command, "--help"],
            "cases": lambda n: [*command, "cases", "--json"],
            "scan_one_photo": lambda n: [*scan, f"case-{n}"],
        }
        times: dict[str, list[float]] = {k: [] for k in runs_of}
        cpus: dict[str, list[float]] = {k: [] for k in runs_of}
        for n in range(runs):  # interleaved, so that load changes touch every figure alike
            for name, argv in runs_of.items():
                seconds, cpu = wall(argv(n), env)
                times[name].append(seconds)
                cpus[name].append(cpu)
        counted = (
            {name: instructions(argv(runs), env) for name, argv in runs_of.items()}
            if count_instructions
            else {}
        )
    median = {k: statistics.median(v) for k, v in times.items()}
    cpu_median = {k: statistics.median(v) for k, v in cpus.items()}
    references = ("import_sqlite3", "import_sqlalchemy", *TARGETS)
    result: dict[str, Any] = {
        "runs": runs,
        "command": " ".join(command),
        "workers": workers if workers is not None else os.cpu_count(),
        "photo": str(photos) if photos else "generated 1 MP",
        "seconds": {k: round(v, 4) for k, v in median.items()},
        "spread": {k: [round(min(v), 4), round(max(v), 4)] for k, v in times.items()},
        "ratio_to_anchor": {k: round(median[k] / median["anchor"], 2) for k in references},
        "cpu_seconds": {k: round(v, 4) for k, v in cpu_median.items()},
        "cpu_ratio_to_anchor": {
            k: round(cpu_median[k] / max(cpu_median["anchor"], 1e-3), 2) for k in references
        },
        "targets": TARGETS,
        "met": {k: median[k] < t for k, t in TARGETS.items()},
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
    }
    if counted:
        result["instructions"] = counted
        result["instructions_ratio_to_anchor"] = {
            k: round(counted[k] / counted["anchor"], 2) for k in references
        }
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each (median)")
    parser.add_argument("--photos", type=Path, help="folder of photos (default: generated)")
    parser.add_argument("--workers", type=int, help="INTERLINK_WORKERS (default: unset)")
    parser.add_argument(
        "--instructions", action="store_true", help="also count instructions (callgrind)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object only")
    args = parser.parse_args(argv)
    result = run(args.runs, args.photos, args.workers, args.instructions)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{result['command']}, median of {result['runs']} runs:")
    anchor = result["seconds"]["anchor"]
    cpu = result["cpu_seconds"]
    counted = result.get("instructions", {})

    def instructions_of(name: str) -> str:
        return f"  {counted[name] / 1e6:7.0f} M instr" if name in counted else ""

    print(
        f"  python -c pass (anchor)   {anchor:7.3f} s   CPU {cpu['anchor']:6.3f} s"
        + instructions_of("anchor")
    )
    targets: dict[str, float | None] = {"import_sqlite3": None, "import_sqlalchemy": None}
    for name, target in {**targets, **TARGETS}.items():
        seconds = result["seconds"][name]
        ratio = result["ratio_to_anchor"][name]
        print(
            f"  {name:25} {seconds:7.3f} s  {ratio:5.1f}x anchor  CPU {cpu[name]:6.3f} s"
            + instructions_of(name)
            + (f"  (target < {target} s)" if target is not None else "")
        )
    print(f"  load average {result['load_average_before']} -> {result['load_average_after']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
