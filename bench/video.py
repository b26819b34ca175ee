"""Benchmark: video hashing throughput, our sampled path against decoding every frame.

For generated 480p and 1080p H.264 videos (30 fps, a keyframe every 2 s, libx264 ``veryfast``;
smooth random colour fields morphing under moving shapes and light noise), on one core:

- ``ours``: ``analyse_video`` as the scan runs it (one frame a second, PDQ at <= 512 px);
- ``ours_full``: the same with PDQ of the full frame (what Meta's vPDQ hashes);
- ``reference``: Meta's vPDQ procedure: decode every frame, PDQ of every 30th at full size;
- ``decode_only``: decode every frame, nothing else (the floor of any full-decode path);
- ``naive``: decode and PDQ every frame at full size (timed on the first ``--naive-seconds``).

It reports seconds of video processed per second of one core's time (process CPU time: every
path runs on one thread, and the shared machine makes wall time noisy; wall time is reported
too), frames hashed per second per core, the
ratio of ours to the naive path (the anchor) and to decoding only, and how far our reduced-size
frame hashes are from full-size ones (PDQ bits). With ``--photos DIR`` a third video is made
from those photos (slow zoom over each), to measure agreement on real pictures. Videos are
written to ``bench/out/`` (git-ignored) and reused.

    python bench/video.py [--seconds 60] [--naive-seconds 10] [--photos DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt
from av.video.stream import VideoStream
from PIL import Image

from interlink.media.video import analyse_video
from interlink.signals.pdq import hash_rgb

OUT = Path(__file__).resolve().parent / "out"
SIZES = {"480p": (854, 480), "1080p": (1920, 1080)}
FPS = 30


def generated_frames(width: int, height: int, seconds: int) -> Iterator[npt.NDArray[np.uint8]]:
    """Smooth 8 x 6 random fields morphing every 4 s, two moving squares, light noise."""
    rng = np.random.default_rng(7)
    fields = [rng.uniform(0, 255, (6, 8, 3)).astype(np.float32) for _ in range(seconds // 4 + 2)]
    noise = [rng.integers(0, 12, (height, width, 1), dtype=np.uint8) for _ in range(5)]
    side = height // 6
    for k in range(seconds * FPS):
        t = k / FPS
        n, alpha = int(t // 4), (t % 4) / 4
        small = ((1 - alpha) * fields[n] + alpha * fields[n + 1]).astype(np.uint8)
        big = Image.fromarray(small).resize((width, height), Image.Resampling.BILINEAR)
        rgb = np.asarray(big).copy()
        for speed, colour in ((0.07, (250, 250, 240)), (0.11, (20, 20, 30))):
            x = int((width - side) * (0.5 + 0.5 * np.sin(t * speed * 6)))
            y = int((height - side) * (0.5 + 0.5 * np.cos(t * speed * 4)))
            rgb[y : y + side, x : x + side] = colour
        yield np.minimum(rgb, 243) + noise[k % len(noise)]


def photo_frames(
    photos: list[Path], width: int, height: int, seconds: int
) -> Iterator[npt.NDArray[np.uint8]]:
    """Each photo for 4 s, zooming in slowly (10%) to its centre."""
    for k in range(seconds * FPS):
        t = k / FPS
        with Image.open(photos[int(t // 4) % len(photos)]) as source:
            photo = source.convert("RGB")
        zoom = 1 - 0.1 * ((t % 4) / 4)
        w, h = photo.width * zoom, photo.height * zoom
        box = (
            (photo.width - w) / 2,
            (photo.height - h) / 2,
            (photo.width + w) / 2,
            (photo.height + h) / 2,
        )
        yield np.asarray(photo.resize((width, height), Image.Resampling.BILINEAR, box=box))


def encode(path: Path, pictures: Iterator[npt.NDArray[np.uint8]], width: int, height: int) -> Path:
    """Write ``pictures`` as H.264 (keyframe every 2 s) into ``path`` unless it exists."""
    if path.exists():
        return path
    partial = path.with_suffix(".part.mp4")
    with av.open(str(partial), "w") as out:
        stream = out.add_stream("libx264", rate=Fraction(FPS))
        if not isinstance(stream, VideoStream):
            raise TypeError("libx264 is not a video codec")
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "veryfast", "g": str(2 * FPS), "crf": "23"}
        for rgb in pictures:
            for packet in stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    partial.rename(path)
    return path


def _decode_all(path: Path, seconds: float | None, on_frame: Callable[[int, Any], None]) -> int:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.codec_context.thread_count = 1
        limit = None if seconds is None else int(seconds * FPS)
        count = 0
        for frame in container.decode(stream):
            if limit is not None and count >= limit:
                break
            on_frame(count, frame)
            count += 1
    return count


def _rgb(frame: Any) -> npt.NDArray[np.uint8]:
    return np.asarray(frame.to_ndarray(format="rgb24"), dtype=np.uint8)


def _timed(action: Callable[[], int]) -> tuple[float, float, int]:
    wall, cpu = time.perf_counter(), time.process_time()
    count = action()
    return time.perf_counter() - wall, time.process_time() - cpu, count


def measure(path: Path, seconds: float, naive_seconds: float) -> dict[str, Any]:
    """Every path on one video; rates are seconds of video per wall-clock second."""
    results: dict[str, Any] = {}
    ours_frames: list[Any] = []
    full_frames: list[Any] = []

    def ours() -> int:
        ours_frames.extend(analyse_video(path).frames)
        return len(ours_frames)

    def ours_full() -> int:
        full_frames.extend(analyse_video(path, hash_size=None).frames)
        return len(full_frames)

    def reference() -> int:
        hashed = []
        _decode_all(
            path, None, lambda n, f: hashed.append(hash_rgb(_rgb(f))) if n % FPS == 0 else None
        )
        return len(hashed)

    def decode_only() -> int:
        return _decode_all(path, None, lambda n, f: None)

    def naive() -> int:
        hashed: list[object] = []
        return _decode_all(path, naive_seconds, lambda n, f: hashed.append(hash_rgb(_rgb(f))))

    for name, action, span in (
        ("ours", ours, seconds),
        ("ours_full", ours_full, seconds),
        ("reference", reference, seconds),
        ("decode_only", decode_only, seconds),
        ("naive", naive, min(seconds, naive_seconds)),
    ):
        wall, cpu, count = _timed(action)
        results[name] = {
            "wall_s": round(wall, 3),
            "cpu_s": round(cpu, 3),
            "video_s_per_s": round(span / cpu, 2),
            "video_s_per_wall_s": round(span / wall, 2),
            "frames_hashed_per_s": round(count / cpu, 1) if name != "decode_only" else None,
            "frames": count,
        }
    distances = [
        (int(a.pdq, 16) ^ int(b.pdq, 16)).bit_count()
        for a, b in zip(ours_frames, full_frames, strict=True)
    ]
    results["agreement"] = {
        "frames": len(distances),
        "mean_bits": round(statistics.fmean(distances), 2),
        "p95_bits": sorted(distances)[int(0.95 * (len(distances) - 1))],
        "max_bits": max(distances),
        "within_31_pct": round(100 * sum(d <= 31 for d in distances) / len(distances), 1),
    }
    rate = results["ours"]["video_s_per_s"]
    results["naive_ratio"] = round(rate / results["naive"]["video_s_per_s"], 2)
    results["decode_only_ratio"] = round(rate / results["decode_only"]["video_s_per_s"], 2)
    results["reference_ratio"] = round(rate / results["reference"]["video_s_per_s"], 2)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--naive-seconds", type=float, default=10.0)
    parser.add_argument("--photos", type=Path, help="a folder of photos for a third video")
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    videos: dict[str, Path] = {}
    for label, (width, height) in SIZES.items():
        target = OUT / f"video-{label}-{args.seconds}s.mp4"
        videos[label] = encode(target, generated_frames(width, height, args.seconds), width, height)
    if args.photos:
        photos = sorted(p for p in args.photos.iterdir() if p.suffix.lower() in {".jpg", ".png"})
        target = OUT / f"video-photos-1080p-{args.seconds}s.mp4"
        pictures = photo_frames(photos, 1920, 1080, args.seconds)
        videos["photos_1080p"] = encode(target, pictures, 1920, 1080)
    results = {
        label: measure(path, args.seconds, args.naive_seconds) for label, path in videos.items()
    }
    summary: dict[str, Any] = {
        "video_s_per_s_480p": results["480p"]["ours"]["video_s_per_s"],
        "video_s_per_s_1080p": results["1080p"]["ours"]["video_s_per_s"],
        "frames_per_s_480p": results["480p"]["ours"]["frames_hashed_per_s"],
        "frames_per_s_1080p": results["1080p"]["ours"]["frames_hashed_per_s"],
        "naive_ratio": min(results[label]["naive_ratio"] for label in SIZES),
        "naive_ratio_480p": results["480p"]["naive_ratio"],
        "naive_ratio_1080p": results["1080p"]["naive_ratio"],
        "decode_only_ratio_480p": results["480p"]["decode_only_ratio"],
        "decode_only_ratio_1080p": results["1080p"]["decode_only_ratio"],
        "seconds": args.seconds,
        "details": results,
    }
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    for label, result in results.items():
        print(f"== {label} ({args.seconds} s of video; naive on {args.naive_seconds:g} s)")
        for name in ("ours", "ours_full", "reference", "decode_only", "naive"):
            row = result[name]
            hashed = row["frames_hashed_per_s"]
            print(
                f"  {name:12s} {row['video_s_per_s']:8.2f} video s/s per core"
                f"  cpu {row['cpu_s']:7.2f} s  wall {row['wall_s']:7.2f} s"
                + (f"  {hashed:7.1f} frames hashed/s" if hashed else "")
            )
        print(
            f"  ratio to naive {result['naive_ratio']}x, to decode-only "
            f"{result['decode_only_ratio']}x, to reference {result['reference_ratio']}x"
        )
        print(f"  reduced-size vs full-size PDQ: {result['agreement']}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    sys.exit(main())
