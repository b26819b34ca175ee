"""How long ``interlink`` takes to start: ``--help``, ``cases --json`` and a scan of one photo.

Each is run as its own process, ``--runs`` times, and reported as the median wall time next to
the anchor measured in the same run, ``python -c pass`` (starting the interpreter), with the
ratio of each to it. The store (SQLite, in a scratch ``INTERLINK_HOME``) is created before the
timed runs, and the photo is scanned once untimed so that the disk cache is warm; each timed
scan goes into a new case, so it does the whole work of a first scan of that exhibit.

    PYTHONPATH=src python -m bench.startup [--runs N] [--photos DIR] [--workers N] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: Targets of issue 12 (seconds).
TARGETS = {"help": 0.3, "cases": 0.3, "scan_one_photo": 1.0}


def interlink_command() -> list[str]:
    """The ``interlink`` console script beside this interpreter, else ``python -m interlink``."""
    script = Path(sys.executable).parent / "interlink"
    return [str(script)] if script.exists() else [sys.executable, "-m", "interlink"]


def wall(argv: Sequence[str], env: dict[str, str]) -> float:
    """Seconds one run of ``argv`` takes; it must succeed."""
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


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


def run(runs: int, photos: Path | None, workers: int | None) -> dict[str, Any]:
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
        times: dict[str, list[float]] = {k: [] for k in ("anchor", *TARGETS)}
        for n in range(runs):  # interleaved, so that load changes touch every figure alike
            times["anchor"].append(wall([sys.executable, "-c", "pass"], env))
            times["help"].append(wall([*command, "--help"], env))
            times["cases"].append(wall([*command, "cases", "--json"], env))
            times["scan_one_photo"].append(wall([*scan, f"case-{n}"], env))
    median = {k: statistics.median(v) for k, v in times.items()}
    return {
        "runs": runs,
        "command": " ".join(command),
        "workers": workers if workers is not None else os.cpu_count(),
        "photo": str(photos) if photos else "generated 1 MP",
        "seconds": {k: round(v, 4) for k, v in median.items()},
        "spread": {k: [round(min(v), 4), round(max(v), 4)] for k, v in times.items()},
        "ratio_to_anchor": {k: round(median[k] / median["anchor"], 2) for k in TARGETS},
        "targets": TARGETS,
        "met": {k: median[k] < t for k, t in TARGETS.items()},
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each (median)")
    parser.add_argument("--photos", type=Path, help="folder of photos (default: generated)")
    parser.add_argument("--workers", type=int, help="INTERLINK_WORKERS (default: unset)")
    parser.add_argument("--json", action="store_true", help="print one JSON object only")
    args = parser.parse_args(argv)
    result = run(args.runs, args.photos, args.workers)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{result['command']}, median of {result['runs']} runs:")
    anchor = result["seconds"]["anchor"]
    print(f"  python -c pass (anchor)   {anchor:7.3f} s")
    for name, target in TARGETS.items():
        seconds = result["seconds"][name]
        ratio = result["ratio_to_anchor"][name]
        print(f"  {name:25} {seconds:7.3f} s  {ratio:5.1f}x anchor  (target < {target} s)")
    print(f"  load average {result['load_average_before']} -> {result['load_average_after']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
