"""Images per second on one core for decode + MD5 + SHA-1 + SHA-256 + PDQ (with its quality and
8 dihedral variants), ours (``analyse_image``) side by side with the path Meta's HMA uses (a full
Pillow decode, then ``pdqhash``), on JPEGs of about 1 MP and 12 MP.

The JPEGs are made from ``--photos DIR`` (each photo resized to the target size) or, by default,
from generated images; each is encoded once (quality 90, 4:2:0) and both paths hash the same
bytes from memory, one after the other, image by image. Also reported: how far our PDQ lands
from the reference (HMA's) over the images of quality >= 50.

    PYTHONPATH=src python -m bench.hashing [--photos DIR] [--limit N] [--json]
"""

from __future__ import annotations

import os

# Single-threaded numeric libraries, set before NumPy loads them: one core means one thread.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse  # noqa: E402
import hashlib  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator, Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from interlink.media.image import analyse_image  # noqa: E402
from interlink.media.synthetic import photo_like, shapes, text_like  # noqa: E402
from interlink.signals.pdq import MIN_QUALITY, PdqHash, compare, reference_hash  # noqa: E402

SIZES = {"1mp": 1_000_000, "12mp": 12_000_000}
JPEG_QUALITY = 90
AGREEMENT_BITS = 8
PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".gif"}


def crypto_hashes(data: bytes) -> tuple[str, str, str]:
    """MD5, SHA-1 and SHA-256 of ``data`` (the same for both paths)."""
    return (
        hashlib.md5(data).hexdigest(),
        hashlib.sha1(data).hexdigest(),
        hashlib.sha256(data).hexdigest(),
    )


def ours(data: bytes, thumbnail_size: int = 0) -> tuple[PdqHash, int]:
    """Our path: the crypto hashes, then ``analyse_image``; the hash and the decode's scale."""
    crypto_hashes(data)
    analysis = analyse_image(data, thumbnail_size=thumbnail_size)
    return analysis.pdq, analysis.scale


def ours_with_thumbnail(data: bytes) -> tuple[PdqHash, int]:
    """Our path as a scan runs it, the 256-pixel thumbnail included (HMA makes none)."""
    return ours(data, thumbnail_size=256)


def hma(data: bytes) -> tuple[PdqHash, int]:
    """HMA's path: the crypto hashes, a full Pillow decode, then ``pdqhash`` (with variants)."""
    crypto_hashes(data)
    with Image.open(io.BytesIO(data)) as image:
        pixels = image if image.mode == "RGB" else image.convert("RGB")
        return reference_hash(np.asarray(pixels)), 1


Hasher = Callable[[bytes], tuple[PdqHash, int]]
PATHS: dict[str, Hasher] = {"ours": ours, "hma": hma, "ours_thumbnail": ours_with_thumbnail}
Result = dict[str, float | int | str]


def source_images(photos: Path | None, limit: int) -> Iterator[tuple[str, Image.Image]]:
    """The photos in ``photos`` (sorted by name), or generated images of about 0.3 MP."""
    if photos is not None:
        files = sorted(p for p in photos.iterdir() if p.suffix.lower() in PHOTO_SUFFIXES)
        for file in files[:limit]:
            with Image.open(file) as image:
                yield file.name, image.convert("RGB")
        return
    generators = (photo_like, photo_like, shapes, text_like)
    for seed in range(limit):
        generate = generators[seed % len(generators)]
        yield f"generated-{seed}", Image.fromarray(generate(480, 640, seed))


def as_jpeg(image: Image.Image, pixels: int) -> bytes:
    """``image`` resized to about ``pixels`` pixels (same aspect), as a quality-90 JPEG."""
    factor = math.sqrt(pixels / (image.width * image.height))
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    buffer = io.BytesIO()
    image.resize(size, Image.Resampling.LANCZOS).save(buffer, "JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


@dataclass
class Tally:
    """Times and hashes of one path over the images of one size."""

    wall: float = 0.0
    cpu: float = 0.0
    hashes: list[PdqHash] = field(default_factory=list)
    scales: list[int] = field(default_factory=list)

    def run(self, path: Hasher, data: bytes) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        hashed, scale = path(data)
        self.cpu += time.process_time() - cpu
        self.wall += time.perf_counter() - wall
        self.hashes.append(hashed)
        self.scales.append(scale)

    def rate(self, cpu: bool = False) -> float:
        """Images per second (of wall-clock time, or of this process's CPU time)."""
        spent = self.cpu if cpu else self.wall
        return len(self.hashes) / spent if spent else 0.0


def measure(jpegs: Iterator[bytes]) -> dict[str, Tally]:
    """Run every path on every JPEG, alternating which goes first to cancel drift."""
    tallies = {name: Tally() for name in PATHS}
    for count, data in enumerate(jpegs):
        order = list(PATHS) if count % 2 == 0 else list(reversed(PATHS))
        for name in order:
            tallies[name].run(PATHS[name], data)
    return tallies


def agreement(tallies: dict[str, Tally]) -> list[int]:
    """Bits between our PDQ and the reference's, over the images of reference quality >= 50."""
    pairs = zip(tallies["ours"].hashes, tallies["hma"].hashes, strict=True)
    return [compare(a.value, b.value) for a, b in pairs if b.quality >= MIN_QUALITY]


def summary(distances: Sequence[int]) -> dict[str, float]:
    if not distances:
        return {"p99_bits": float("nan"), "within_8_bits": float("nan"), "max_bits": float("nan")}
    values = np.asarray(distances)
    return {
        "p99_bits": float(np.percentile(values, 99)),
        "within_8_bits": float(np.mean(values <= AGREEMENT_BITS)),
        "max_bits": float(values.max()),
    }


def run(photos: Path | None, limit: int, cpu: int) -> Result:
    os.sched_setaffinity(0, {cpu})
    images = list(source_images(photos, limit))
    warm = as_jpeg(images[0][1], SIZES["1mp"])
    for path in PATHS.values():
        path(warm)
    result: Result = {
        "source": str(photos) if photos else "generated",
        "images": len(images),
        "cpu": cpu,
        "load_average_before": os.getloadavg()[0],
    }
    all_distances: list[int] = []
    for label, pixels in SIZES.items():
        tallies = measure(as_jpeg(image, pixels) for _, image in images)
        distances = agreement(tallies)
        all_distances += distances
        pairs = zip(tallies["ours"].hashes, tallies["hma"].hashes, strict=True)
        identical = sum(1 for a, b in pairs if a == b)
        result |= {
            f"ours_{label}": tallies["ours"].rate(),
            f"hma_{label}": tallies["hma"].rate(),
            f"ratio_{label}": tallies["ours"].rate() / tallies["hma"].rate(),
            f"ours_cpu_{label}": tallies["ours"].rate(cpu=True),
            f"hma_cpu_{label}": tallies["hma"].rate(cpu=True),
            f"ratio_cpu_{label}": tallies["ours"].rate(cpu=True) / tallies["hma"].rate(cpu=True),
            f"ours_with_thumbnail_{label}": tallies["ours_thumbnail"].rate(),
            f"identical_share_{label}": identical / len(images),
            f"full_decode_share_{label}": tallies["ours"].scales.count(1) / len(images),
            f"quality_50_images_{label}": len(distances),
            **{f"{key}_{label}": value for key, value in summary(distances).items()},
        }
    overall = summary(all_distances)
    result |= {
        "p99_bits_vs_reference": overall["p99_bits"],
        "share_within_8_bits": overall["within_8_bits"],
        "max_bits_vs_reference": overall["max_bits"],
        "load_average_after": os.getloadavg()[0],
    }
    return result


def report(result: Result) -> str:
    def number(key: str) -> float:
        return float(result[key])

    lines = [f"{result['images']} images from {result['source']}, pinned to CPU {result['cpu']}"]
    for label in SIZES:
        lines.append(
            f"{label:>5}: ours {number(f'ours_{label}'):7.1f} img/s, HMA "
            f"{number(f'hma_{label}'):6.1f} img/s, ratio {number(f'ratio_{label}'):5.2f}x "
            f"(CPU time: {number(f'ratio_cpu_{label}'):5.2f}x); with thumbnails "
            f"{number(f'ours_with_thumbnail_{label}'):7.1f} img/s\n"
            f"       PDQ vs reference (quality >= 50): p99 {number(f'p99_bits_{label}'):.1f} "
            f"bits, {100 * number(f'within_8_bits_{label}'):.1f}% within 8 bits, max "
            f"{number(f'max_bits_{label}'):.0f}; identical hashes "
            f"{100 * number(f'identical_share_{label}'):.0f}%; decoded whole "
            f"{100 * number(f'full_decode_share_{label}'):.0f}%"
        )
    lines.append(
        f"overall: p99 {number('p99_bits_vs_reference'):.1f} bits vs reference, "
        f"{100 * number('share_within_8_bits'):.1f}% within 8 bits; load average "
        f"{number('load_average_before'):.1f} -> {number('load_average_after'):.1f}"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--photos", type=Path, help="folder of photos (default: generated)")
    parser.add_argument("--limit", type=int, default=10**9, help="use at most this many images")
    parser.add_argument("--generated", type=int, default=60, help="generated images (default)")
    parser.add_argument("--cpu", type=int, default=max(os.sched_getaffinity(0)))
    parser.add_argument("--json", action="store_true", help="print one JSON object only")
    args = parser.parse_args(argv)
    limit = args.limit if args.photos else min(args.limit, args.generated)
    result = run(args.photos, limit, args.cpu)
    print(json.dumps(result) if args.json else report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
