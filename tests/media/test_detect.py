import io
import tarfile
import zipfile

import pytest
from PIL import Image

from interlink.domain.media import MediaKind
from interlink.media.detect import HEAD_BYTES, sniff


def _image_bytes(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(buffer, fmt)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("fmt", "mime"),
    [
        ("JPEG", "image/jpeg"),
        ("PNG", "image/png"),
        ("GIF", "image/gif"),
        ("WEBP", "image/webp"),
        ("BMP", "image/bmp"),
        ("TIFF", "image/tiff"),
    ],
)
def test_images_are_known_by_content(fmt: str, mime: str) -> None:
    found = sniff(_image_bytes(fmt)[:HEAD_BYTES])
    assert (found.mime, found.kind) == (mime, MediaKind.IMAGE)


def test_archives_and_unknown() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "hello")
    assert sniff(buffer.getvalue()[:HEAD_BYTES]).mime == "application/zip"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo("a.txt")
        info.size = 5
        archive.addfile(info, io.BytesIO(b"hello"))
    assert sniff(buffer.getvalue()[:HEAD_BYTES]).kind is MediaKind.ARCHIVE
    assert sniff(b"just some text").kind is MediaKind.OTHER
    assert sniff(b"").kind is MediaKind.OTHER


def test_iso_media_brands() -> None:
    assert sniff(b"\x00\x00\x00\x18ftypheic" + b"\x00" * 16).mime == "image/heic"
    assert sniff(b"\x00\x00\x00\x18ftypisom" + b"\x00" * 16).kind is MediaKind.VIDEO
    assert sniff(b"\x00\x00\x00\x14ftypqt  " + b"\x00" * 16).mime == "video/quicktime"
