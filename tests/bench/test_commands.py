"""Every benchmark's command line builds and answers ``--help`` (a benchmark that cannot start
is a figure nobody can re-run), and each documents ``--json``. A benchmark that needs a
package of the ``bench`` extra only (``scripts/setup dev,bench``) is skipped where that extra
is not installed, as in CI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = sorted(
    p.stem
    for p in (ROOT / "bench").glob("*.py")
    if not p.stem.startswith("_")
    and p.stem not in {"__init__", "server_client", "server_data", "server_phases", "server_procs"}
)


#: Import names of the ``bench`` extra's packages (``faiss-cpu==1.15.1`` -> ``faiss``).
BENCH_EXTRA = {
    re.split(r"[<>=\[ ;]", spec)[0].removesuffix("-cpu").replace("-", "_")
    for spec in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]["bench"]
}


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
    missing = re.search(r"No module named '([^'.]+)", done.stderr)
    if done.returncode and missing and missing.group(1) in BENCH_EXTRA:
        pytest.skip(f"needs the bench extra ({missing.group(1)})")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "--json" in done.stdout
