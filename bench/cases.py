"""Benchmark: linking a new scan with the stored cases incrementally, against recomputing every
case's links from scratch (the anchor).

A store (SQLite in a temporary folder, or ``--db URL``) is filled with synthetic records: no
image is made; each media is a random SHA-256 with a random PDQ of quality 90. ``--cases``
cases of ``--per-case`` media each; in every case 2 % of the media are copies of another
case's, 2 % near-duplicates of another case's (PDQ 4-24 bits away) and 1 % carry the camera
of another case. A new exhibit of ``--new`` media with the same mix is then recorded, and:

- ``ours``: ``services.cases.scan_evidence`` for the new exhibit's media, what ``after_scan``
  runs: SQL lookups by SHA-256 and camera key, and a Hamming index built from the stored PDQs;
- ``anchor``: ``scan_evidence`` for every case's media in turn, i.e. recomputing every link
  (the stored-PDQ index built once for all cases).

Both are timed in the same process (the machine is shared, so read the ratio); the evidence
``ours`` finds must equal the anchor's evidence touching the new case.

    python -m bench.cases [--cases 100] [--per-case 500] [--new 500] [--db URL] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from interlink.adapters.sql.store import SqlStore
from interlink.domain.cases import Agency, Case
from interlink.domain.clues import MediaClues
from interlink.domain.media import Media, MediaKind, Sighting
from interlink.domain.provenance import SourceRef
from interlink.domain.scan import ScannedFile
from interlink.domain.signals import Signal
from interlink.linking.cases import Evidence
from interlink.services.cases import scan_evidence, stored_pdq_index


def _pdq(rng: random.Random) -> str:
    return f"{rng.getrandbits(256):064x}"


def _near(value: str, rng: random.Random) -> str:
    number = int(value, 16)
    for bit in rng.sample(range(256), rng.randint(4, 24)):
        number ^= 1 << bit
    return f"{number:064x}"


def _item(sha: str, pdq: str, seq: int, root: SourceRef, camera: str | None) -> ScannedFile:
    media = Media(
        sha,
        sha[:32],
        sha[:40],
        1000 + seq,
        "image/jpeg",
        MediaKind.IMAGE,
        640,
        480,
        (Signal("sha256", sha), Signal("pdq", pdq, 90)),
    )
    clues = MediaClues(make="Canon", serial=camera) if camera else None
    return ScannedFile(media, Sighting(sha, root.child("folder", f"{seq}.jpg"), 1000), clues=clues)


class Fill:
    """Synthetic cases written straight into the store, remembering what exists to share."""

    def __init__(self, store: SqlStore, seed: int, agencies: int) -> None:
        self.store = store
        self.rng = random.Random(seed)
        self.agencies = [Agency.create(f"agency-{i}", "ZZ") for i in range(agencies)]
        self.known: list[tuple[str, str]] = []  # (sha256, pdq) of stored media
        self.cameras: list[str] = []

    def case(self, name: str, count: int) -> tuple[Case, Any]:
        rng = self.rng
        with self.store.transaction() as tx:
            case, _ = self.store.cases.ensure_case(tx, name, rng.choice(self.agencies))
            exhibit, _ = self.store.cases.ensure_exhibit(tx, case.id, "E", f"/{name}")
            scan, _ = self.store.media.open_scan(tx, exhibit.id, {})
        root = SourceRef("E")
        items: list[tuple[int, ScannedFile]] = []
        camera = f"{rng.getrandbits(40):x}"
        for seq in range(count):
            roll = rng.random()
            shared_camera: str | None = None
            if roll < 0.02 and self.known:
                sha, pdq = rng.choice(self.known)
            elif roll < 0.04 and self.known:
                sha, pdq = f"{rng.getrandbits(256):064x}", _near(rng.choice(self.known)[1], rng)
            else:
                sha, pdq = f"{rng.getrandbits(256):064x}", _pdq(rng)
                if roll < 0.05 and self.cameras:
                    shared_camera = rng.choice(self.cameras)
            items.append((seq, _item(sha, pdq, seq, root, shared_camera or camera)))
        with self.store.transaction() as tx:
            self.store.media.record(tx, scan.id, exhibit.id, items, [])
        self.known += [(f.media.sha256, str(f.media.signals[1].value)) for _, f in items]
        self.cameras.append(camera)
        return case, exhibit


def _key(item: Evidence) -> tuple[str, str, str, str]:
    return (str(item.case_a), str(item.case_b), item.kind.value, item.key)


def run(cases: int, per_case: int, new: int, db: str | None, seed: int) -> dict[str, Any]:
    """Fill a store, time both paths, and check they agree."""
    with tempfile.TemporaryDirectory(prefix="interlink-bench-cases-") as folder:
        store = SqlStore.open(db or f"sqlite:///{Path(folder) / 'bench.db'}")
        fill = Fill(store, seed, agencies=max(2, cases // 5))
        started = time.perf_counter()
        stored = [fill.case(f"C{i:04d}", per_case)[0] for i in range(cases)]
        filled = time.perf_counter() - started
        case, exhibit = fill.case("NEW", new)
        media = store.links.exhibit_media(exhibit.id)
        started = time.perf_counter()
        ours = scan_evidence(store, case, media)
        ours_seconds = time.perf_counter() - started
        started = time.perf_counter()
        built = stored_pdq_index(store)  # once, as a full recompute would
        everything: list[Evidence] = []
        for each in [*stored, case]:
            every_media = []
            for one in store.cases.exhibits(each.id):
                every_media += store.links.exhibit_media(one.id)
            everything += scan_evidence(store, each, every_media, built=built)
        anchor_seconds = time.perf_counter() - started
        store.close()
    mine = {_key(e) for e in ours}
    theirs = {_key(e) for e in everything if case.id in (e.case_a, e.case_b)}
    kinds: dict[str, int] = {}
    for item in ours:
        kinds[item.kind.value] = kinds.get(item.kind.value, 0) + 1
    return {
        "stored_cases": cases,
        "stored_media": cases * per_case,
        "new_media": new,
        "fill_seconds": round(filled, 2),
        "ours_seconds": round(ours_seconds, 3),
        "anchor_seconds": round(anchor_seconds, 3),
        "ratio_ours_to_anchor": round(ours_seconds / anchor_seconds, 4),
        "new_evidence": kinds,
        "agree_with_anchor": mine == theirs,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print a report, or JSON only with ``--json``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100, help="stored cases")
    parser.add_argument("--per-case", type=int, default=500, help="media per stored case")
    parser.add_argument("--new", type=int, default=500, help="media of the new exhibit")
    parser.add_argument("--db", default=None, help="database URL (default: temporary SQLite)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print machine-readable output only")
    args = parser.parse_args(argv)
    result = run(args.cases, args.per_case, args.new, args.db, args.seed)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>22}: {value}")
    return 0 if result["agree_with_anchor"] else 1


if __name__ == "__main__":
    sys.exit(main())
