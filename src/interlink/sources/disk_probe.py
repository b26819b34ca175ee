"""Is this file a storage-media image? Decided by content, never by name.

A cheap first look at a file's head (and, for a fixed VHD, its last sector) that says which
kind of image it may be. Only a file that passes it is handed to dfVFS, which decides for good
(``sources.disk_image``): a raw image is recognised by the partition table or file system it
starts with, so a photo or document never costs more than this look.
"""

from __future__ import annotations

import struct
from typing import BinaryIO

#: How much of the head the probe needs: an ISO 9660 volume descriptor sits at 32 KiB.
PROBE_BYTES = 1 << 16
#: The smallest image worth probing (a FAT12 floppy is 160 KiB; anything smaller is a file).
MIN_IMAGE_BYTES = 64 << 10

_EWF1 = b"EVF\x09\x0d\x0a\xff\x00"
_EWF2 = b"EVF2\x0d\x0a\x81\x00"
_CONTAINERS: tuple[tuple[int, bytes, str], ...] = (
    (0, b"QFI\xfb", "qcow"),
    (0, b"KDMV", "vmdk"),
    (0, b"# Disk DescriptorFile", "vmdk"),
    (0, b"vhdxfile", "vhdx"),
    (0, b"conectix", "vhd"),
)
#: Signatures of what a raw image starts with: a volume system or a file system.
_RAW: tuple[tuple[int, bytes, str], ...] = (
    (512, b"EFI PART", "gpt"),
    (4096, b"EFI PART", "gpt"),
    (3, b"NTFS    ", "ntfs"),
    (3, b"EXFAT   ", "exfat"),
    (3, b"-FVE-FS-", "bitlocker"),
    (54, b"FAT12   ", "fat"),
    (54, b"FAT16   ", "fat"),
    (82, b"FAT32   ", "fat"),
    (1080, b"\x53\xef", "ext"),
    (1024, b"H+", "hfs"),
    (1024, b"HX", "hfs"),
    (32, b"NXSB", "apfs"),
    (0, b"XFSB", "xfs"),
    (0, b"LUKS\xba\xbe", "luks"),
    (512, b"LABELONE", "lvm"),
    (32769, b"CD001", "iso9660"),
    (0, b"ER\x02\x00", "apm"),
)


def probe_image(stream: BinaryIO, size: int) -> str | None:
    """The storage-media image kind ``stream`` (of ``size`` bytes) seems to hold, if any.

    Container formats: ``ewf`` (first segment only: a later segment is opened through its
    first), ``qcow``, ``vmdk``, ``vhd``, ``vhdx``. Otherwise ``raw`` when the head holds a
    partition table or a file system signature (``mbr`` alone needs a plausible partition
    entry). ``None`` for anything else. Reads at most ``PROBE_BYTES`` and the last sector.
    """
    if size < MIN_IMAGE_BYTES:
        return None
    stream.seek(0)
    head = stream.read(PROBE_BYTES)
    if head.startswith(_EWF1) or head.startswith(_EWF2):
        return "ewf" if _first_segment(head) else None
    for offset, magic, kind in _CONTAINERS:
        if head[offset : offset + len(magic)] == magic:
            return kind
    stream.seek(size - 512)
    if stream.read(512).startswith(b"conectix"):
        return "vhd"
    return "raw" if raw_signature(head) else None


def raw_signature(head: bytes) -> str | None:
    """What a raw image starting with ``head`` starts with: a partition table or file system."""
    for offset, magic, kind in _RAW:
        if head[offset : offset + len(magic)] == magic:
            return kind
    if head[510:512] == b"\x55\xaa" and _has_partition(head):
        return "mbr"
    return None


def _first_segment(head: bytes) -> bool:
    """Whether an EWF head is segment 1 (EWF1: uint16 at 9; EWF2: uint32 at 12)."""
    if head.startswith(_EWF1):
        (number,) = struct.unpack_from("<H", head, 9)
    else:
        (number,) = struct.unpack_from("<I", head, 12)
    return int(number) == 1


def _has_partition(head: bytes) -> bool:
    """Whether an MBR sector has at least one well-formed, non-empty primary entry."""
    found = False
    for index in range(4):
        entry = head[446 + 16 * index : 462 + 16 * index]
        status, kind = entry[0], entry[4]
        start, count = struct.unpack_from("<II", entry, 8)
        if status not in (0x00, 0x80):
            return False
        if kind and count:
            found = found or start > 0
    return found
