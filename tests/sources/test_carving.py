"""Carving by signature and structure, validated by decoding (generated media only)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from interlink.demo.videos import frames, write_video
from interlink.domain.errors import EvidenceReadError
from interlink.sources.carving import WINDOW, Carved, carve, validate
from tests.sources.builders import jpeg


def _image(fmt: str, seed: int, **params: object) -> bytes:
    image = Image.new("RGB", (24, 20), ((seed * 40) % 256, 90, 200))
    image.putpixel((seed % 24, 3), (255, 255, 0))
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def _video(tmp_path: Path, suffix: str, codec: str) -> bytes:
    path = tmp_path / f"clip.{suffix}"
    write_video(path, frames(0.5, 3, 64, 48, 10), fps=10, codec=codec, options={})
    return path.read_bytes()


def _carve_all(blob: bytes, regions: list[tuple[int, int]] | None = None) -> list[Carved]:
    def read_at(offset: int, size: int) -> bytes:
        return blob[offset : offset + size]

    found = list(carve(read_at, regions or [(0, len(blob))], len(blob), "test"))
    assert not any(isinstance(item, EvidenceReadError) for item in found)
    return [item for item in found if isinstance(item, Carved)]


def test_every_format_is_carved_with_its_byte_range(tmp_path: Path) -> None:
    media = {
        "image/jpeg": jpeg(3),
        "image/png": _image("PNG", 1),
        "image/gif": _image("GIF", 2),
        "image/webp": _image("WEBP", 3),
        "image/bmp": _image("BMP", 4),
        "video/mp4": _video(tmp_path, "mp4", "libx264"),
        "video/x-msvideo": _video(tmp_path, "avi", "mpeg4"),
    }
    noise = os.urandom(3000)
    blob = bytearray(noise)
    placed: dict[str, tuple[int, bytes]] = {}
    for mime, data in media.items():
        placed[mime] = (len(blob), data)
        blob += data + noise[: 777 + len(blob) % 512]
    found = {item.mime: item for item in _carve_all(bytes(blob))}
    assert set(found) == set(media)
    for mime, (start, data) in placed.items():
        assert (found[mime].start, found[mime].end, found[mime].data) == (
            start,
            start + len(data),
            data,
        )


def test_a_truncated_or_broken_candidate_is_not_carved() -> None:
    whole = jpeg(5, 64)
    header_only = whole[:2] + os.urandom(600)
    blob = b"\x00" * 1000 + whole[: len(whole) // 2] + b"\x00" * 4000 + header_only + b"\x00" * 9
    assert _carve_all(blob) == []
    assert not validate(whole[:-300], "image/jpeg")
    bad_png = bytearray(_image("PNG", 6))
    bad_png[40:60] = bytes(20)  # the pixel data no longer inflates
    assert not validate(bytes(bad_png), "image/png")


def test_a_thumbnail_inside_a_carved_photo_is_not_carved_again() -> None:
    thumbnail = jpeg(7, 16)
    exif = Image.Exif()
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 30)).save(buffer, "JPEG", exif=exif.tobytes())
    plain = buffer.getvalue()
    # An APP1 segment that holds a whole JPEG, as an EXIF thumbnail does.
    segment = b"\xff\xe1" + (len(thumbnail) + 2).to_bytes(2, "big") + thumbnail
    photo = plain[:2] + segment + plain[2:]
    found = _carve_all(b"\x00" * 100 + photo + b"\x00" * 100)
    assert [(item.start, item.data) for item in found] == [(100, photo)]


def test_signatures_across_a_window_seam_and_outside_regions(tmp_path: Path) -> None:
    photo = jpeg(9)
    start = WINDOW - 2
    blob = bytearray(WINDOW * 2)
    blob[start : start + len(photo)] = photo
    blob[100 : 100 + len(photo)] = photo
    found = _carve_all(bytes(blob), [(1000, len(blob))])
    assert [(item.start, item.end) for item in found] == [(start, start + len(photo))]


def test_a_read_failure_is_reported_and_the_rest_still_carved() -> None:
    photo = jpeg(4)
    blob = bytearray(WINDOW * 3)
    blob[2 * WINDOW + 10 : 2 * WINDOW + 10 + len(photo)] = photo

    def read_at(offset: int, size: int) -> bytes:
        if offset < WINDOW:
            raise OSError("bad sector")
        return bytes(blob[offset : offset + size])

    found = list(carve(read_at, [(0, len(blob))], len(blob), "img"))
    errors = [item for item in found if isinstance(item, EvidenceReadError)]
    assert len(errors) == 1 and "offset 0" in errors[0].reason
    assert [item.data for item in found if isinstance(item, Carved)] == [photo]


@pytest.mark.parametrize("mime", ["image/png", "video/mp4"])
def test_garbage_does_not_validate(mime: str) -> None:
    assert not validate(os.urandom(2000), mime)


def test_aligned_carving_looks_only_at_sector_starts() -> None:
    photo, picture = jpeg(8), _image("PNG", 9)
    blob = bytearray(3 * WINDOW)
    blob[5 * 512 : 5 * 512 + len(photo)] = photo
    blob[WINDOW + 700 : WINDOW + 700 + len(picture)] = picture  # not on a sector start
    blob[2 * WINDOW - 512 : 2 * WINDOW - 512 + len(picture)] = picture  # across two windows

    def read_at(offset: int, size: int) -> bytes:
        return bytes(blob[offset : offset + size])

    found = list(carve(read_at, [(0, len(blob))], len(blob), "img", align=512))
    assert [(item.start, item.mime) for item in found if isinstance(item, Carved)] == [
        (5 * 512, "image/jpeg"),
        (2 * WINDOW - 512, "image/png"),
    ]
