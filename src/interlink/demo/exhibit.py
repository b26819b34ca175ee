"""The demo's synthetic exhibit: new images, exact and transformed copies of images that a
generated list marks known, duplicates, nested archives, and a few broken files.
"""

from __future__ import annotations

import csv
import hashlib
import io
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import ExifTags, Image

from interlink.demo.images import TRANSFORMS, encode, scene
from interlink.demo.videos import make_video
from interlink.formats.vpdq import write_vpdq
from interlink.media.video import analyse_video
from interlink.signals.pdq import MIN_QUALITY, reference_hash

FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF")
EXTENSIONS = {
    "JPEG": "jpg",
    "PNG": "png",
    "WEBP": "webp",
    "GIF": "gif",
    "BMP": "bmp",
    "TIFF": "tif",
}


@dataclass(frozen=True, slots=True)
class DemoExhibit:
    """Where the generated exhibit and list are, and what a scan of it should find."""

    exhibit: Path
    known_list: Path
    known_video_list: Path
    known_originals: int
    exact_copies: int
    transformed_copies: int
    new_images: int


def _good_seeds(start: int, count: int) -> list[int]:
    seeds: list[int] = []
    seed = start
    while len(seeds) < count:
        if reference_hash(np.asarray(scene(seed))).quality >= MIN_QUALITY:
            seeds.append(seed)
        seed += 1
    return seeds


def build_demo_exhibit(root: Path, *, new: int = 24, known: int = 8) -> DemoExhibit:
    """Write the exhibit under ``root / "exhibit"`` and its list as ``root / "known.csv"``."""
    exhibit = root / "exhibit"
    (exhibit / "camera").mkdir(parents=True)
    (exhibit / "downloads").mkdir()
    (exhibit / "misc").mkdir()
    new_seeds = _good_seeds(1000, new)
    known_seeds = _good_seeds(5000, known)

    for i, seed in enumerate(new_seeds):
        fmt = FORMATS[i % len(FORMATS)]
        data = encode(scene(seed), fmt)
        (exhibit / "camera" / f"IMG_{i:04d}.{EXTENSIONS[fmt]}").write_bytes(data)
    # Binary duplicates in another folder, and a visual duplicate (smaller re-encode).
    for i in (0, 1):
        src = exhibit / "camera" / f"IMG_{i:04d}.{EXTENSIONS[FORMATS[i]]}"
        (exhibit / "downloads" / f"copy_of_{src.name}").write_bytes(src.read_bytes())
    small = TRANSFORMS["half_size"](scene(new_seeds[2]))
    (exhibit / "downloads" / "resized.jpg").write_bytes(encode(small, "JPEG", quality=75))

    rows: list[dict[str, str]] = []
    originals = [scene(seed) for seed in known_seeds]
    for i, image in enumerate(originals):
        data = encode(image, "JPEG")
        pdq = reference_hash(np.asarray(Image.open(io.BytesIO(data)).convert("RGB")))
        rows.append(
            {
                "md5": hashlib.md5(data, usedforsecurity=False).hexdigest(),
                "sha256": hashlib.sha256(data).hexdigest(),
                "pdq": pdq.value,
                "category": "projectvic-us:1",
                "series": "Demo series A" if i % 2 == 0 else "Demo series B",
                "victim_identified": "yes" if i % 2 == 0 else "no",
            }
        )
        if i < 3:  # exact copies, one of them renamed to hide its type
            name = f"known_{i}.jpg" if i else "holiday.dat"
            (exhibit / "downloads" / name).write_bytes(data)
    transformed = list(TRANSFORMS.items())
    for i, image in enumerate(originals[3:], start=3):
        label, edit = transformed[i % len(transformed)]
        (exhibit / "downloads" / f"edited_{label}.jpg").write_bytes(
            encode(edit(image), "JPEG", quality=80)
        )

    _write_archives(exhibit, originals, new_seeds)
    # Photos from one camera at one place, as a phone would write them: the clues section.
    for i, seed in enumerate(_good_seeds(7000, 3)):
        (exhibit / "camera" / f"DSC_{i:04d}.jpg").write_bytes(
            _with_camera_exif(scene(seed), serial="4403152", minute=i)
        )
    make_video(exhibit / "camera" / "VID_0001.mp4", seconds=6, seed=11, size=(320, 180))
    # A known video, listed by its vPDQ features; the exhibit holds a smaller re-encode of it.
    with tempfile.TemporaryDirectory() as scratch:
        original = make_video(Path(scratch) / "known.mp4", seconds=6, seed=12, size=(320, 180))
        known_video_list = root / "known-video.vpdq"
        known_video_list.write_bytes(write_vpdq(analyse_video(original).frames))
    make_video(
        exhibit / "downloads" / "clip.mkv",
        seconds=6,
        seed=12,
        size=(256, 144),
        options={"preset": "ultrafast", "crf": "32", "g": "15"},
    )
    (exhibit / "misc" / "broken.jpg").write_bytes(encode(scene(7), "JPEG")[:2000])
    (exhibit / "misc" / "random.png").write_bytes(np.random.default_rng(3).bytes(4096))
    (exhibit / "misc" / "empty.jpg").write_bytes(b"")
    (exhibit / "misc" / "notes.txt").write_text("meeting at the usual place\n", encoding="utf-8")

    known_list = root / "known.csv"
    with known_list.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return DemoExhibit(
        exhibit=exhibit,
        known_list=known_list,
        known_video_list=known_video_list,
        known_originals=len(originals),
        exact_copies=3,
        transformed_copies=len(originals) - 3,
        new_images=new,
    )


def _write_archives(exhibit: Path, originals: list[Image.Image], new_seeds: list[int]) -> None:
    inner = io.BytesIO()
    with tarfile.open(fileobj=inner, mode="w:gz") as tar:
        for i, seed in enumerate(_good_seeds(9000, 3)):
            data = encode(scene(seed), "PNG")
            info = tarfile.TarInfo(f"chat/received_{i}.png")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    with zipfile.ZipFile(exhibit / "transfer.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("shared/photo_a.jpg", encode(TRANSFORMS["mirror"](originals[0]), "JPEG"))
        archive.writestr("shared/photo_b.jpg", encode(scene(new_seeds[3]), "JPEG"))
        archive.writestr("shared/inner.tar.gz", inner.getvalue())


def _with_camera_exif(image: Image.Image, *, serial: str, minute: int) -> bytes:
    """A JPEG carrying the EXIF a camera writes: make, model, body serial, capture time with
    its offset, and a GPS position (a public square; the photo itself is generated)."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Canon"
    exif[ExifTags.Base.Model] = "Canon EOS 80D"
    detail = exif.get_ifd(ExifTags.IFD.Exif)
    detail[ExifTags.Base.BodySerialNumber] = serial
    detail[ExifTags.Base.DateTimeOriginal] = f"2024:06:01 14:{minute:02d}:00"
    detail[ExifTags.Base.OffsetTimeOriginal] = "+02:00"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (Fraction(48), Fraction(51), Fraction(2400 + minute, 100))
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (Fraction(2), Fraction(21), Fraction(700, 100))
    return encode(image, "JPEG", exif=exif.tobytes())
