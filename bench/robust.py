"""Recognising known images after crops, borders, rotations and captions: the ORB signal
(``signals.orb``) against PDQ, on the same edits, in the same run.

The originals (the photos in the folder given, or generated scenes by default:
``media.synthetic.scene``; each made about 1 MP) are the known list. Queries are their edits:
crops of 10/20/30% of the area, borders and pads of 10/20%, rotations of +-5/10/15 degrees,
a caption bar; each alone and combined with JPEG re-encoding at quality 50 and halving the
size. Recall is the share of edits whose original is found; PDQ's recall (within
``pdq.THRESHOLD`` over its 8 dihedral variants) is the anchor.

False matches, brute force: every edit of image ``a`` is scored (pairs, then RANSAC) against
every *other* original, and every original against every other; the count over those pairs
at the chosen threshold is the false-match rate per pair. Also measured: the extraction rate
at 1 MP (CPU time of one process, decode included), stored bytes per image, and the query
rate of ``index.orb.OrbIndex`` holding ``--stored`` images, of which all but the real
originals are synthesised descriptor sets (random bits at random points: the index and the
verifier do the same work for them as for real ones), with the index's own recall and false
matches. ``--candidates`` also measures the alternatives (SIFT in the same 2 KB, ORB with 48
query features, ORB with 32 stored) on the same edits.

    PYTHONPATH=src python -m bench.robust [PHOTOS] [--limit N] [--stored N] [--candidates]
        [--json]
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from interlink.index.orb import OrbIndex  # noqa: E402
from interlink.media.image import analyse_image  # noqa: E402
from interlink.media.synthetic import scene  # noqa: E402
from interlink.signals import orb, pdq  # noqa: E402

PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}
MEGAPIXEL = 1_000_000

Edit = Callable[[Image.Image], Image.Image]


def _crop(area: float) -> Edit:
    def edit(image: Image.Image) -> Image.Image:
        keep = (1 - area) ** 0.5
        width, height = image.size
        w, h = round(width * keep), round(height * keep)
        left, top = (width - w) // 3, (height - h) * 2 // 3  # off-centre
        return image.crop((left, top, left + w, top + h))

    return edit


def _border(share: float, *, pad_sides: bool = False) -> Edit:
    def edit(image: Image.Image) -> Image.Image:
        width, height = image.size
        if pad_sides:  # letterbox to a square-ish frame, dark grey
            extra = round(width * share)
            out = Image.new("RGB", (width + 2 * extra, height), (24, 24, 24))
            out.paste(image, (extra, 0))
            return out
        edge = round(max(width, height) * share / 2)
        out = Image.new("RGB", (width + 2 * edge, height + 2 * edge), (250, 250, 250))
        out.paste(image, (edge, edge))
        return out

    return edit


def _rotate(degrees: float) -> Edit:
    def edit(image: Image.Image) -> Image.Image:
        return image.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True)

    return edit


def _caption(image: Image.Image) -> Image.Image:
    width, height = image.size
    bar = max(24, height // 8)
    out = Image.new("RGB", (width, height + bar), (0, 0, 0))
    out.paste(image, (0, 0))
    draw = ImageDraw.Draw(out)
    for i in range(8):  # blocky "text"
        x = 10 + i * (width // 9)
        draw.rectangle((x, height + bar // 4, x + width // 14, height + 3 * bar // 4), (230,) * 3)
    return out


EDITS: dict[str, Edit] = {
    "crop10": _crop(0.10),
    "crop20": _crop(0.20),
    "crop30": _crop(0.30),
    "border10": _border(0.10),
    "border20": _border(0.20),
    "pad20": _border(0.20, pad_sides=True),
    "rot5": _rotate(5),
    "rot-10": _rotate(-10),
    "rot15": _rotate(15),
    "rot-15": _rotate(-15),
    "caption": _caption,
}


def degrade(image: Image.Image) -> Image.Image:
    """JPEG at quality 50 and half the size."""
    small = image.resize((image.width // 2, image.height // 2), Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    small.save(buffer, "JPEG", quality=50)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def jpeg(image: Image.Image, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def originals(photos: Path | None, limit: int) -> list[Image.Image]:
    """Originals of about 1 MP: the photos (resized), or generated photo-like images."""
    images: list[Image.Image] = []
    if photos is not None:
        for path in sorted(photos.iterdir())[: limit * 2]:
            if path.suffix.lower() in PHOTO_SUFFIXES and len(images) < limit:
                with Image.open(path) as opened:
                    images.append(_to_megapixel(opened.convert("RGB")))
        return images
    for seed in range(limit):
        images.append(_to_megapixel(Image.fromarray(scene(1024, 1024, seed))))
    return images


def _to_megapixel(image: Image.Image) -> Image.Image:
    factor = (MEGAPIXEL / (image.width * image.height)) ** 0.5
    size = (round(image.width * factor), round(image.height * factor))
    return image.resize(size, Image.Resampling.LANCZOS)


def luma(image: Image.Image) -> npt.NDArray[np.uint8]:
    return np.asarray(image.convert("L"))


Extractor = Callable[[npt.NDArray[np.uint8]], orb.Features]


def _orb_stored(plane: npt.NDArray[np.uint8]) -> orb.Features:
    return orb.extract(plane)


def _orb_query(plane: npt.NDArray[np.uint8]) -> orb.Features:
    return orb.extract(plane, orb.QUERY_FEATURES)


# Candidates measured against each other: stored extractor, query extractor, scorer, bytes.
def _sift(limit: int) -> Extractor:
    """SIFT features, descriptors rounded to 8 bits (128 bytes each)."""

    def extract(plane: npt.NDArray[np.uint8]) -> orb.Features:
        keypoints, descriptors = cv2.SIFT.create(nfeatures=limit).detectAndCompute(
            orb.frame(plane), None
        )
        if not keypoints:
            return orb.EMPTY
        keep = sorted(range(len(keypoints)), key=lambda i: -keypoints[i].response)[:limit]
        points = np.array([keypoints[i].pt for i in keep], np.float32).reshape(-1, 2)
        quantised = np.clip(np.rint(descriptors[keep]), 0, 255).astype(np.uint8)
        return orb.Features(quantised, points)

    return extract


def _sift_score(query: orb.Features, known: orb.Features) -> int:
    if not len(query) or not len(known):
        return 0
    matcher = cv2.BFMatcher(cv2.NORM_L2, crossCheck=True)
    found = matcher.match(
        query.descriptors.astype(np.float32), known.descriptors.astype(np.float32)
    )
    i = np.array([m.queryIdx for m in found], np.intp)
    j = np.array([m.trainIdx for m in found], np.intp)
    return orb.agreeing(query.points[i], known.points[j])


def _orb_fewer(count: int) -> Extractor:
    def extract(plane: npt.NDArray[np.uint8]) -> orb.Features:
        return orb.extract(plane, count)

    return extract


Scorer = Callable[[orb.Features, orb.Features], int]
CANDIDATES: dict[str, tuple[Extractor, Extractor, Scorer, int]] = {
    "sift-14-query-60": (_sift(14), _sift(60), _sift_score, 1 + 14 * (128 + 4)),
    "orb-48-query-48": (_orb_stored, _orb_stored, orb.score, 1 + 48 * orb.RECORD),
    "orb-32-query-160": (_orb_fewer(32), _orb_query, orb.score, 1 + 32 * orb.RECORD),
}


class Edited:
    """Every edit of every original, made once: the frame-sized luma (``orb.frame``) each
    method extracts from, and the PDQ verdict against the original."""

    def __init__(self, known: list[Image.Image]) -> None:
        self.originals = [orb.frame(luma(image)) for image in known]
        self.queries: list[tuple[int, str, npt.NDArray[np.uint8]]] = []
        self.pdq_hits: dict[str, list[bool]] = {}
        for a, image in enumerate(known):
            original = pdq.hash_rgb(np.asarray(image)).value
            for name, edit in EDITS.items():
                edited = edit(image)
                for label, query in ((name, edited), (name + "+jpeg50-half", degrade(edited))):
                    self.queries.append((a, label, orb.frame(luma(query))))
                    variants = pdq.hash_rgb(np.asarray(query)).dihedral
                    hit = min(pdq.compare(v, original) for v in variants) <= pdq.THRESHOLD
                    self.pdq_hits.setdefault(label, []).append(hit)


def recall_run(
    edited: Edited, extractor: Extractor, querier: Extractor, scorer: Scorer = orb.score
) -> dict[str, Any]:
    """Recall and false matches of one method (brute force: every query against every
    original, scores kept so any threshold can be read off)."""
    known_features = [extractor(plane) for plane in edited.originals]
    true_scores: dict[str, list[int]] = {}
    false_pairs = 0
    false_hist = np.zeros(orb.MAX_FEATURES + 1, np.int64)
    for a, label, plane in edited.queries:
        query = querier(plane)
        true_scores.setdefault(label, []).append(scorer(query, known_features[a]))
        others = [scorer(query, known) for b, known in enumerate(known_features) if b != a]
        false_pairs += len(others)
        np.add.at(false_hist, np.minimum(others, orb.MAX_FEATURES), 1)
    for a, plane in enumerate(edited.originals):
        query = querier(plane)
        for b in range(a + 1, len(known_features)):
            false_hist[min(scorer(query, known_features[b]), orb.MAX_FEATURES)] += 1
            false_pairs += 1
    return {"true": true_scores, "false_hist": false_hist, "false_pairs": false_pairs}


def summarise(run: dict[str, Any], threshold: int) -> dict[str, Any]:
    scores = [s for values in run["true"].values() for s in values]
    found = sum(s >= threshold for s in scores)
    false = int(run["false_hist"][threshold:].sum())
    per_edit = {
        k: round(sum(s >= threshold for s in v) / len(v), 3) for k, v in run["true"].items()
    }
    return {
        "threshold_inliers": threshold,
        "recall": round(found / len(scores), 4),
        "queries": len(scores),
        "false_matches": false,
        "false_pairs": run["false_pairs"],
        "false_rate_per_pair": false / run["false_pairs"],
        "largest_false_score": int(np.nonzero(run["false_hist"])[0].max()),
        "recall_per_edit": per_edit,
    }


def pdq_recall(edited: Edited) -> dict[str, Any]:
    """PDQ's recall on the same edits (the anchor): within ``pdq.THRESHOLD`` of the original
    over the query's 8 dihedral variants."""
    hits = [hit for values in edited.pdq_hits.values() for hit in values]
    return {
        "recall": round(sum(hits) / len(hits), 4),
        "recall_per_edit": {k: round(sum(v) / len(v), 3) for k, v in edited.pdq_hits.items()},
    }


def extraction_rate(known: list[Image.Image]) -> dict[str, float]:
    """Images per second on one core at 1 MP, decode included: ``analyse_image`` with and
    without the ORB signal."""
    blobs = [jpeg(image) for image in known]
    rates: dict[str, float] = {}
    for label, robust in (("pdq_only", False), ("pdq_and_orb", True)):
        start = time.process_time()
        for blob in blobs:
            analyse_image(blob, thumbnail_size=0, robust=robust)
        rates[label] = len(blobs) / (time.process_time() - start)
    planes = [luma(image) for image in known]
    start = time.process_time()
    for plane in planes:
        _orb_query(plane)
    rates["orb_alone_from_luma"] = len(planes) / (time.process_time() - start)
    return {k: round(v, 1) for k, v in rates.items()}


def synthetic_values(count: int, seed: int) -> list[orb.Features]:
    """``count`` descriptor sets of random bits at random points (``MAX_FEATURES`` each)."""
    rng = np.random.default_rng(seed)
    return [
        orb.Features(
            rng.integers(0, 256, (orb.MAX_FEATURES, 32), dtype=np.uint8),
            rng.uniform(0, orb.FRAME, (orb.MAX_FEATURES, 2)).astype(np.float32),
        )
        for _ in range(count)
    ]


def _timed(
    search: Callable[[orb.Features, int], list[tuple[int, int]]],
    queries: list[tuple[int, orb.Features]],
    threshold: int,
) -> tuple[list[list[tuple[int, int]]], float, float]:
    """Every query's hits, and queries per CPU second of this process and per wall second."""
    cpu, wall = time.process_time(), time.perf_counter()
    hits = [search(query, threshold) for _, query in queries]
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return hits, len(queries) / cpu, len(queries) / wall


def query_rate(edited: Edited, stored: int, threshold: int) -> dict[str, Any]:
    """Queries per second on one core against an index of ``stored`` images (the real
    originals plus synthesised sets), and the index's recall on the degraded edits; the
    reference search (``OrbIndex.query_features_reference``, the first implementation) runs
    on the same queries in the same run as the anchor, and must give the same hits."""
    index = OrbIndex()
    features = [orb.extract(plane) for plane in edited.originals]
    index.add_features(features, list(range(len(features))))
    start = time.perf_counter()
    rng = np.random.default_rng(7)
    count = max(0, stored - len(features))
    descriptors = np.empty((count, orb.MAX_FEATURES, 32), np.uint8)
    points = np.empty((count, orb.MAX_FEATURES, 2), np.float32)
    for low in range(0, count, 50_000):  # in slices: the generator's temporaries stay small
        high = min(count, low + 50_000)
        descriptors[low:high] = rng.integers(0, 256, (high - low, orb.MAX_FEATURES, 32), np.uint8)
        points[low:high] = rng.uniform(0, orb.FRAME, (high - low, orb.MAX_FEATURES, 2))
    index.add_arrays(descriptors, points, np.arange(len(features), stored, dtype=np.int64))
    del descriptors, points
    index.freeze()
    build = time.perf_counter() - start
    queries = [(a, _orb_query(plane)) for a, _, plane in edited.queries]
    reference, reference_cpu, reference_wall = _timed(
        index.query_features_reference, queries, threshold
    )
    fast, fast_cpu, fast_wall = _timed(index.query_features, queries, threshold)
    found = sum(any(h == a for h, _ in hits) for (a, _), hits in zip(queries, fast, strict=True))
    false = sum(h != a for (a, _), hits in zip(queries, fast, strict=True) for h, _ in hits)
    return {
        "stored_images": len(index),
        "synthesised_images": len(index) - len(features),
        "build_seconds": round(build, 1),
        "queries": len(queries),
        "queries_per_cpu_second": round(fast_cpu, 1),
        "queries_per_wall_second": round(fast_wall, 1),
        "reference_queries_per_cpu_second": round(reference_cpu, 1),
        "reference_queries_per_wall_second": round(reference_wall, 1),
        "speedup_cpu": round(fast_cpu / reference_cpu, 2),
        "same_hits_as_reference": fast == reference,
        "recall_through_index": round(found / len(queries), 4),
        "false_matches_through_index": false,
        "index_bytes_per_image": round(index.nbytes / len(index), 1),
    }


def run(
    photos: Path | None, limit: int, stored: int, candidates: bool, threshold: int
) -> dict[str, Any]:
    known = originals(photos, limit)
    edited = Edited(known)
    chosen = recall_run(edited, _orb_stored, _orb_query)
    result: dict[str, Any] = {
        "originals": len(known),
        "source": str(photos) if photos else "generated",
        "settings": {
            "frame": orb.FRAME,
            "levels": orb._LEVELS,
            "step": orb._SCALE_STEP,
            "fast": orb._FAST,
            "candidates": orb._CANDIDATES,
            "score": "fast" if orb._FAST_SCORE else "harris",
        },
        "orb": summarise(chosen, threshold),
        "pdq_anchor": pdq_recall(edited),
        "stored_bytes_per_image_max": 1 + orb.MAX_FEATURES * orb.RECORD,
        "stored_bytes_per_image_mean": round(
            float(np.mean([1 + len(orb.extract(p)) * orb.RECORD for p in edited.originals])), 1
        ),
        "extraction_per_second_1mp": extraction_rate(known),
    }
    result["orb"]["thresholds"] = {
        str(t): {k: v for k, v in summarise(chosen, t).items() if k != "recall_per_edit"}
        for t in range(max(3, threshold - 4), threshold + 5)
    }
    anchor = result["pdq_anchor"]["recall"]
    result["recall_ratio_to_pdq"] = round(result["orb"]["recall"] / anchor, 2) if anchor else None
    if candidates:
        result["candidates"] = {}
        for name, (extractor, querier, scorer, size) in CANDIDATES.items():
            measured = recall_run(edited, extractor, querier, scorer)
            best = next(
                (t for t in range(3, orb.MAX_FEATURES) if measured["false_hist"][t:].sum() == 0),
                orb.MAX_FEATURES,
            )
            planes = [luma(image) for image in known]  # at 1 MP
            start = time.process_time()
            for plane in planes:
                extractor(plane)
            rate = len(planes) / (time.process_time() - start)
            entry = {k: v for k, v in summarise(measured, best).items() if k != "recall_per_edit"}
            entry.update(stored_bytes_max=size, extraction_per_second=round(rate, 1))
            result["candidates"][name] = entry
    if stored:
        result["index"] = query_rate(edited, stored, threshold)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    cv2.setNumThreads(1)  # one core
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "photos", nargs="?", type=Path, help="folder of photos (default: generated)"
    )
    parser.add_argument("--limit", type=int, default=100, help="how many originals")
    parser.add_argument("--stored", type=int, default=1_000_000, help="images in the index")
    parser.add_argument("--threshold", type=int, default=orb.MIN_INLIERS, help="inliers to match")
    parser.add_argument("--candidates", action="store_true", help="also measure alternatives")
    parser.add_argument(
        "--settings",
        metavar="FRAME,LEVELS,STEP,FAST[,CANDIDATES[,SCORE]]",
        help="measure other ORB settings (frame, pyramid levels and step, FAST threshold,"
        " candidates, and 'fast' or 'harris' for how candidates are ranked)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object only")
    args = parser.parse_args(argv)
    if args.settings:
        try:
            frame, levels, step, fast, *rest = args.settings.split(",")
            orb.FRAME, orb._LEVELS = int(frame), int(levels)
            orb._SCALE_STEP, orb._FAST = float(step), int(fast)
            if rest:
                orb._CANDIDATES = int(rest.pop(0))
            if rest:
                score = rest.pop(0)
                if score not in ("fast", "harris") or rest:
                    raise ValueError(score)
                orb._FAST_SCORE = score == "fast"
        except ValueError:
            parser.error(
                "--settings takes FRAME,LEVELS,STEP,FAST[,CANDIDATES[,SCORE]],"
                " e.g. 464,5,1.25,22,200,fast"
            )
    result = run(args.photos, args.limit, args.stored, args.candidates, args.threshold)
    if args.json:
        print(json.dumps(result))
        return 0
    json.dump(result, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
