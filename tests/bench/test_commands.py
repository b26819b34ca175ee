"""Every benchmark's command line builds and answers ``--help`` (a benchmark that cannot start
is a figure nobody can re-run), and each documents ``--json``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = sorted(
    p.stem
    for p in (ROOT / "bench").glob("*.py")
    if not p.stem.startswith("_") and p.stem not in {"__init__", "server_client", "server_data"}
)


@pytest.mark.parametrize("name", BENCHMARKS)
def test_a_benchmark_starts_and_takes_json(name: str) -> None:
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
    done = subprocess.run(
        [sys.executable, "-m", f"bench.{name}", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "--json" in done.stdout
