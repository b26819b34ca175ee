"""Media type from content (magic bytes), never from the file name."""

from __future__ import annotations

from dataclasses import dataclass

from interlink.domain.media import MediaKind

#: How many leading bytes ``sniff`` needs to decide.
HEAD_BYTES = 512
UNKNOWN = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class Sniffed:
    """A MIME type and the broad kind it belongs to."""

    mime: str
    kind: MediaKind


_IMAGE_PREFIXES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)
_ARCHIVE_PREFIXES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "application/zip"),
    (b"PK\x05\x06", "application/zip"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"\x1f\x8b", "application/gzip"),
    (b"BZh", "application/x-bzip2"),
    (b"\xfd7zXZ\x00", "application/x-xz"),
    (b"Rar!\x1a\x07", "application/vnd.rar"),
)
_VIDEO_PREFIXES: tuple[tuple[bytes, str], ...] = (
    (b"\x1a\x45\xdf\xa3", "video/x-matroska"),  # also WebM; told apart below
    (b"FLV\x01", "video/x-flv"),
    (b"\x00\x00\x01\xba", "video/mpeg"),
    (b"\x00\x00\x01\xb3", "video/mpeg"),
    (b"\x30\x26\xb2\x75\x8e\x66\xcf\x11", "video/x-ms-asf"),
)
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"})
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
_QUICKTIME_BRANDS = frozenset({b"qt  "})
_3GP_PREFIX = b"3g"


def sniff(head: bytes) -> Sniffed:
    """The type of content that starts with ``head`` (pass at least ``HEAD_BYTES`` bytes)."""
    for prefix, mime in _IMAGE_PREFIXES:
        if head.startswith(prefix):
            return Sniffed(mime, MediaKind.IMAGE)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed("image/webp", MediaKind.IMAGE)
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return Sniffed("video/x-msvideo", MediaKind.VIDEO)
    if head[4:8] == b"ftyp":
        return _sniff_iso_bmff(head)
    for prefix, mime in _VIDEO_PREFIXES:
        if head.startswith(prefix):
            if mime == "video/x-matroska" and b"webm" in head[:HEAD_BYTES]:
                return Sniffed("video/webm", MediaKind.VIDEO)
            return Sniffed(mime, MediaKind.VIDEO)
    for prefix, mime in _ARCHIVE_PREFIXES:
        if head.startswith(prefix):
            return Sniffed(mime, MediaKind.ARCHIVE)
    if len(head) >= 262 and head[257:262] == b"ustar":
        return Sniffed("application/x-tar", MediaKind.ARCHIVE)
    return Sniffed(UNKNOWN, MediaKind.OTHER)


def _sniff_iso_bmff(head: bytes) -> Sniffed:
    brand = head[8:12]
    if brand in _HEIF_BRANDS:
        return Sniffed("image/heic", MediaKind.IMAGE)
    if brand in _AVIF_BRANDS:
        return Sniffed("image/avif", MediaKind.IMAGE)
    if brand in _QUICKTIME_BRANDS:
        return Sniffed("video/quicktime", MediaKind.VIDEO)
    if brand.startswith(_3GP_PREFIX):
        return Sniffed("video/3gpp", MediaKind.VIDEO)
    return Sniffed("video/mp4", MediaKind.VIDEO)
