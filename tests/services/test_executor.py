"""Worker processes of a scan: they skip the caller's main module unless told otherwise."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = """
import os, sys
from pathlib import Path

Path(sys.argv[1], f"imported-in-{os.getpid()}").touch()  # each time this module is imported


def pid() -> int:
    return os.getpid()


if __name__ == "__main__":
    from interlink.services.executor import executor

    main = sys.argv[2] == "main"
    pool = executor(2, main=main)
    try:
        target = pid if main else os.getpid  # a lean worker cannot run what main defines
        print(sorted({pool.submit(target).result() for _ in range(8)}))
    finally:
        pool.shutdown()
"""


@pytest.mark.parametrize("main", [False, True])
def test_workers_import_the_main_module_only_when_asked(tmp_path: Path, main: bool) -> None:
    script = tmp_path / "caller.py"
    script.write_text(SCRIPT, encoding="utf-8")
    marks = tmp_path / "marks"
    marks.mkdir()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, str(script), str(marks), "main" if main else "lean"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    workers = {int(pid) for pid in done.stdout.strip().strip("[]").split(",")}
    imported = {int(mark.name.rsplit("-", 1)[1]) for mark in marks.iterdir()}
    assert len(workers) >= 1
    if main:
        assert workers <= imported
    else:
        assert not workers & imported


NICED = """
import os, sys

if __name__ == "__main__":
    from interlink.services.executor import executor, lower_worker_priority

    lower_worker_priority(int(sys.argv[1]))
    pool = executor(2)
    try:
        niced = {pool.submit(os.getpriority, os.PRIO_PROCESS, 0).result() for _ in range(8)}
        print(os.getpriority(os.PRIO_PROCESS, 0), sorted(niced))
    finally:
        pool.shutdown()
"""


@pytest.mark.skipif(sys.platform != "linux", reason="nice values as Linux keeps them")
def test_worker_processes_are_niced_and_the_caller_keeps_its_priority(tmp_path: Path) -> None:
    script = tmp_path / "niced.py"
    script.write_text(NICED, encoding="utf-8")
    own = os.getpriority(os.PRIO_PROCESS, 0)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    for by in (0, 5):
        done = subprocess.run(
            [sys.executable, str(script), str(by)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=True,
        )
        caller, workers = done.stdout.split(" ", 1)
        assert int(caller) == own
        assert workers.strip() == f"[{min(19, own + by)}]"
