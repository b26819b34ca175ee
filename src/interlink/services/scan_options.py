"""How to scan an exhibit (``ScanOptions``) and what a scan did (``ScanResult``)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from interlink.media.analyse import AnalysisOptions
from interlink.services.worker import WorkItem, WorkResult, run
from interlink.sources.base import DiskOptions, Limits
from interlink.triage.report import Summary


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """How to scan. ``workers`` 0 analyses in this process (no pool); ``lists`` names the
    lists to match against (``None``: every enabled list). An exhibit of fewer than
    ``inline_below`` files holding at most ``inline_bytes`` in all is analysed in this process
    whatever ``workers`` says: starting workers would cost it more time than they save."""

    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    inline_below: int = 16
    inline_bytes: int = 64 << 20
    lists: tuple[str, ...] | None = None
    limits: Limits = field(default_factory=Limits)
    analysis: AnalysisOptions = field(default_factory=AnalysisOptions)
    batch_size: int = 256
    batch_seconds: float = 2.0
    #: Where the known lists' indexes are cached between scans (``None``: built each scan).
    index_cache: Path | None = None
    #: The Dask scheduler to run the work on (``tcp://HOST:8786``); ``None``: local processes.
    cluster: str | None = None
    #: The function workers run on each item (a seam for tests of worker crashes).
    runner: Callable[[WorkItem], WorkResult] = run
    #: How storage-media images are read (carving, snapshots, credentials, verification).
    disk: DiskOptions = field(default_factory=DiskOptions)

    def to_json(self) -> dict[str, Any]:
        """The options as stored with the scan (credentials by kind only, never their value)."""
        data = asdict(self)
        data["disk"]["credentials"] = [kind for kind, _ in self.disk.credentials]
        data["lists"] = list(self.lists) if self.lists is not None else None
        data["runner"] = f"{self.runner.__module__}.{self.runner.__qualname__}"
        data["index_cache"] = str(self.index_cache) if self.index_cache else None
        return data


@dataclass(frozen=True, slots=True)
class ScanResult:
    """What a scan did: the exhibit's summary, and what this run added or skipped."""

    case: str
    exhibit: str
    scan_id: str
    resumed: bool
    ingested: int
    skipped: int
    seconds: float
    summary: Summary
    #: Storage-media images read: provenance display -> their facts (``ImageFacts.to_json``).
    images: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The result as JSON (what ``interlink scan --json`` and a finished job show)."""
        return {
            "case": self.case,
            "exhibit": self.exhibit,
            "scan": self.scan_id,
            "resumed": self.resumed,
            "ingested": self.ingested,
            "skipped": self.skipped,
            "seconds": round(self.seconds, 3),
            "summary": self.summary.to_json(),
            "images": self.images,
        }
