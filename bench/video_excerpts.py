"""Benchmark: the excerpt rule on generated videos (and, with ``--photos``, videos of real photos):
recall over clips cut from known videos, and false matches between unrelated videos.

Known videos (30 fps, H.264 ``veryfast`` CRF 23): ``--generated`` videos of the demo's
generator (smooth random colour fields morphing every 4 s under a moving square, 320x180, one
seed each), and with ``--photos DIR`` videos of 8 photos each (4 s a photo, slow 10% zoom,
480x270; consecutive photos of the sorted folder, so no photo is in two videos). Each is decoded
again and clips are cut from the decoded frames and re-encoded as a seized copy would be: 3/4
of the size, 25 fps, CRF 30, at lengths ``--lengths`` and at a start on a whole second
(``aligned``, the same sampling phase as the known video) and half a second later
(``half``: every sample falls between two of the known video's).

Measured, with the scan's sampling (one frame a second) and matcher rules:

- recall: clips found as an excerpt of their known video with both time ranges right within a
  second; clips known at all (full match by Meta's rule, or excerpt); and Meta's rule alone
  (the anchor: what the scan found before the excerpt rule);
- false matches (target 0): every known video against every other, every clip against every
  other known video, and two controls per known video that must not be excerpts: its opening
  3 s followed by 9 s of unrelated footage (a shared title sequence), and one of its frames
  held for 10 s (a still);
- margins: among unrelated pairs, the closest two frames came (PDQ bits) and the largest share
  of a query's frames within the match distance of any frame of the other video.

    python -m bench.video_excerpts [--generated 8] [--photos DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt
from PIL import Image

from interlink.demo.videos import frames as demo_frames
from interlink.demo.videos import write_video
from interlink.media.video import analyse_video
from interlink.signals.vpdq import (
    DISTANCE,
    VpdqFeature,
    feature_words,
    match_videos,
    pairs_within,
    usable,
)
from interlink.signals.vpdq_excerpt import find_excerpt

OUT = Path(__file__).resolve().parent / "out" / "excerpts"
FPS = 30
CLIP_FPS = 25
LENGTHS = (2, 3, 4, 6, 10, 15, 20)
PHASES = {"aligned": 0.0, "half": 0.5}
Frames = list[npt.NDArray[np.uint8]]


@dataclass
class Known:
    """One known video: its label, corpus, decoded frames and features."""

    label: str
    corpus: str
    pictures: Frames
    features: tuple[VpdqFeature, ...]

    @property
    def seconds(self) -> float:
        return len(self.pictures) / FPS


def encode(path: Path, pictures: Iterator[npt.NDArray[np.uint8]], fps: int, crf: int) -> Path:
    """Write ``pictures`` as H.264 (``veryfast``, keyframe every 2 s) into ``path``."""
    options = {"preset": "veryfast", "crf": str(crf), "g": str(2 * fps)}
    return write_video(path, pictures, fps=fps, options=options)


def decode(path: Path) -> Frames:
    """Every frame of ``path`` as RGB."""
    with av.open(str(path)) as container:
        return [
            np.asarray(frame.to_ndarray(format="rgb24"), dtype=np.uint8)
            for frame in container.decode(video=0)
        ]


def photo_pictures(photos: Sequence[Image.Image], width: int, height: int) -> Iterator[Any]:
    """Each photo for 4 s, zooming in slowly (10%) to its centre."""
    for k in range(len(photos) * 4 * FPS):
        t = k / FPS
        photo = photos[int(t // 4)]
        zoom = 1 - 0.1 * ((t % 4) / 4)
        w, h = photo.width * zoom, photo.height * zoom
        box = (
            (photo.width - w) / 2,
            (photo.height - h) / 2,
            (photo.width + w) / 2,
            (photo.height + h) / 2,
        )
        yield np.asarray(photo.resize((width, height), Image.Resampling.BILINEAR, box=box))


def make_known(label: str, corpus: str, pictures: Iterator[Any]) -> Known:
    path = encode(OUT / f"{label}.mp4", pictures, FPS, 23)
    return Known(label, corpus, decode(path), analyse_video(path).frames)


def clip_of(known: Known, start: float, seconds: float, path: Path) -> tuple[VpdqFeature, ...]:
    """Seconds ``start`` to ``start + seconds`` of the known video, transcoded (3/4 size, 25
    fps, CRF 30), as the scan hashes it."""
    height, width = known.pictures[0].shape[:2]
    size = (width * 3 // 8 * 2, height * 3 // 8 * 2)
    last = len(known.pictures) - 1

    def pictures() -> Iterator[npt.NDArray[np.uint8]]:
        for k in range(round(seconds * CLIP_FPS)):
            source = known.pictures[min(last, round((start + k / CLIP_FPS) * FPS))]
            yield np.asarray(Image.fromarray(source).resize(size, Image.Resampling.BILINEAR))

    return analyse_video(encode(path, pictures(), CLIP_FPS, 30)).frames


def control_videos(known: Known, index: int) -> dict[str, tuple[VpdqFeature, ...]]:
    """The two queries that share something with ``known`` and must not be excerpts of it."""
    height, width = known.pictures[0].shape[:2]
    opening = known.pictures[: 3 * FPS]
    other = demo_frames(9.0, 900 + index, width, height, FPS)
    titled = encode(OUT / f"{known.label}-titled.mp4", iter([*opening, *other]), FPS, 23)
    held = known.pictures[5 * FPS]
    still = encode(OUT / f"{known.label}-still.mp4", iter([held] * (10 * FPS)), FPS, 23)
    return {"titled": analyse_video(titled).frames, "still": analyse_video(still).frames}


def margins(query: Sequence[VpdqFeature], known: Sequence[VpdqFeature]) -> tuple[int, float]:
    """The smallest PDQ distance between a usable frame of each, and the share of the query's
    usable frames within the match distance of some known frame."""
    q, k = usable(query), usable(known)
    if not q or not k:
        return 256, 0.0
    qa, ka = feature_words(q), feature_words(k)
    closest = int(np.bitwise_count(qa[:, None, :] ^ ka[None, :, :]).sum(axis=2).min())
    ii, _, _ = pairs_within(qa, ka, DISTANCE)
    return closest, len(np.unique(ii)) / len(q)


def run(generated: int, photos: Path | None, lengths: Sequence[int]) -> dict[str, Any]:
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    knowns = [
        make_known(f"gen-{seed}", "generated", demo_frames(30.0, 100 + seed, 320, 180, FPS))
        for seed in range(generated)
    ]
    if photos is not None:
        files = sorted(p for p in photos.iterdir() if p.suffix.lower() in {".jpg", ".jpeg", ".png"})
        for index in range(min(8, len(files) // 8)):
            loaded = []
            for path in files[index * 8 : index * 8 + 8]:
                with Image.open(path) as image:
                    picture = image.convert("RGB")
                picture.thumbnail((640, 640))
                loaded.append(picture)
            knowns.append(make_known(f"photos-{index}", "photos", photo_pictures(loaded, 480, 270)))
    made = time.perf_counter() - started
    rng = np.random.default_rng(12)
    clips: list[dict[str, Any]] = []
    for index, known in enumerate(knowns):
        for length in lengths:
            for phase_name, phase in PHASES.items():
                if length + phase > known.seconds - 1:
                    continue
                start = float(rng.integers(0, int(known.seconds - length - phase))) + phase
                path = OUT / f"{known.label}-{length}s-{phase_name}.mp4"
                clips.append(
                    {
                        "known": index,
                        "length": length,
                        "phase": phase_name,
                        "start": start,
                        "features": clip_of(known, start, length, path),
                    }
                )
    controls = {index: control_videos(k, index) for index, k in enumerate(knowns)}
    encoded = time.perf_counter() - started - made

    rule_time = 0.0
    rule_calls = 0

    def excerpt(query: Sequence[VpdqFeature], known: Sequence[VpdqFeature]) -> Any:
        nonlocal rule_time, rule_calls
        begin = time.perf_counter()
        found = find_excerpt(query, known)
        rule_time += time.perf_counter() - begin
        rule_calls += 1
        return found

    recall: dict[str, dict[str, Any]] = {}
    misses: list[dict[str, Any]] = []
    for clip in clips:
        known = knowns[clip["known"]]
        found = excerpt(clip["features"], known.features)
        right = (
            found is not None
            and abs(found.known_start - clip["start"]) <= 1.0
            and abs(found.known_end - (clip["start"] + clip["length"])) <= 1.0
        )
        meta = match_videos(clip["features"], known.features).matched
        key = f"{known.corpus}/{clip['phase']}/{clip['length']}s"
        row = recall.setdefault(key, {"clips": 0, "excerpt": 0, "known": 0, "meta": 0})
        row["clips"] += 1
        row["excerpt"] += right
        row["meta"] += meta
        row["known"] += meta or found is not None
        if not right and not meta:
            misses.append(
                {
                    "clip": key,
                    "video": known.label,
                    "start": clip["start"],
                    "found": None if found is None else [found.known_start, found.known_end],
                }
            )

    false: list[dict[str, Any]] = []
    closest, widest = 256, 0.0
    pairs = 0

    def unrelated(kind: str, query: Sequence[VpdqFeature], other: Known, label: str) -> None:
        nonlocal closest, widest, pairs
        pairs += 1
        near, share = margins(query, other.features)
        closest, widest = min(closest, near), max(widest, share)
        found = excerpt(query, other.features)
        if found is not None or match_videos(query, other.features).matched:
            false.append({"kind": kind, "query": label, "known": other.label})

    for a, first in enumerate(knowns):
        for b, second in enumerate(knowns):
            if a != b:
                unrelated("video", first.features, second, first.label)
    for clip in clips:
        for b, other in enumerate(knowns):
            if b != clip["known"]:
                label = f"{knowns[clip['known']].label}-{clip['length']}s-{clip['phase']}"
                unrelated("clip", clip["features"], other, label)
    control_false = []
    for index, pair in controls.items():
        for name, features in pair.items():
            if find_excerpt(features, knowns[index].features) is not None:
                control_false.append({"control": name, "known": knowns[index].label})
    lengths_done = sorted({clip["length"] for clip in clips})
    table = {
        key: {**row, "excerpt_recall": round(row["excerpt"] / row["clips"], 3)}
        for key, row in sorted(recall.items())
    }
    total = len(clips)
    return {
        "known_videos": {c: sum(k.corpus == c for k in knowns) for c in ("generated", "photos")},
        "clips": total,
        "lengths": lengths_done,
        "excerpt_recall": round(sum(r["excerpt"] for r in recall.values()) / total, 3),
        "known_recall": round(sum(r["known"] for r in recall.values()) / total, 3),
        "meta_recall": round(sum(r["meta"] for r in recall.values()) / total, 3),
        "recall": table,
        "misses": misses,
        "unrelated_pairs": pairs,
        "false_matches": len(false),
        "false": false,
        "controls": sum(len(pair) for pair in controls.values()),
        "control_false_excerpts": len(control_false),
        "control_false": control_false,
        "closest_unrelated_bits": closest,
        "widest_unrelated_share": round(widest, 3),
        "rule_ms_per_pair": round(1000 * rule_time / max(rule_calls, 1), 3),
        "make_s": round(made, 1),
        "encode_s": round(encoded, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generated", type=int, default=8, help="generated known videos")
    parser.add_argument("--photos", type=Path, help="a folder of photos for up to 8 more")
    parser.add_argument("--lengths", type=int, nargs="+", default=list(LENGTHS))
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args(argv)
    result = run(args.generated, args.photos, args.lengths)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"known videos {result['known_videos']}, clips {result['clips']}")
    print(f"{'corpus/phase/length':28s} clips excerpt  known  Meta's rule")
    for key, row in result["recall"].items():
        print(f"{key:28s} {row['clips']:5d} {row['excerpt']:7d} {row['known']:6d} {row['meta']:6d}")
    print(
        f"recall: excerpt {result['excerpt_recall']}, known {result['known_recall']},"
        f" Meta's rule {result['meta_recall']}"
    )
    print(
        f"unrelated pairs {result['unrelated_pairs']}: false matches {result['false_matches']};"
        f" controls {result['controls']}: false excerpts {result['control_false_excerpts']}"
    )
    print(
        f"margins: closest unrelated frames {result['closest_unrelated_bits']} bits,"
        f" widest unrelated share within {DISTANCE} bits {result['widest_unrelated_share']}"
    )
    print(f"excerpt rule {result['rule_ms_per_pair']} ms per pair")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    sys.exit(main())
