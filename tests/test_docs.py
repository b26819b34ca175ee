"""The documents name paths a reader can use on their own machine: commands in ``docs/`` give
repository-relative paths (``../shared/data/photos``), never one machine's absolute paths."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted((ROOT / "docs").rglob("*.md"))
#: An absolute path into a machine's own folders, at the start of a word, a quote or an option.
#: (``/mnt/...`` is left out: it is how the docs name an examiner's evidence mount, as an example.)
MACHINE_PATH = re.compile(
    r"(?:^|[\s`\"'=(:])(/(?:work|home|root|Users|tmp|srv|opt|var|data|scratch)/[^\s`\"')]*)"
)


def test_the_docs_are_there() -> None:
    assert ROOT / "docs" / "benchmarks.md" in DOCS
    assert ROOT / "docs" / "architecture.md" in DOCS


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_docs_name_no_machine_paths(doc: Path) -> None:
    found = [
        f"line {number}: {match.group(1)}"
        for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), start=1)
        for match in MACHINE_PATH.finditer(line)
    ]
    assert not found, f"{doc.name} names machine paths; use repository-relative ones: {found}"


def test_the_pattern_catches_what_it_is_for() -> None:
    line = "`PYTHONPATH=src .venv/bin/python -m bench.hashing --photos /work/shared/data/photos`"
    assert [m.group(1) for m in MACHINE_PATH.finditer(line)] == ["/work/shared/data/photos"]
    assert not MACHINE_PATH.search("--photos ../shared/data/photos, src/interlink/cli/app.py")
    assert MACHINE_PATH.search('{"source": "/home/ann/photos"}')
