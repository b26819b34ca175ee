"""Benign disk images for the disk-image tests, built with the Debian tools the project's
``scripts/system-packages.txt`` lists (nothing is mounted, nothing needs root).

``build_disk_images(folder)`` writes, once per test session:

- ``fat.img``: a FAT16 file system (``mkfs.vfat`` + ``mtools``) with nested folders, a zip, a
  photo deleted after being written, and a photo written only into free clusters;
- ``ext.img``: ext4 from a folder (``mke2fs -d``), one file then deleted with ``debugfs``;
- ``ntfs.img``: NTFS (``mkntfs``) with two photos copied in (``ntfscp``), one of them with a
  third photo in an alternate data stream;
- ``disk.raw``: an MBR disk holding the three, then free space holding a PNG no file system
  describes; ``disk.E01`` ... (``ewfacquire``, small segments), ``deflate.E01`` (the same
  disk with fast deflate, as EnCase images usually are), split raw ``split.001`` ..., and a GPT
  disk as QCOW2, VMDK, VHD and VHDX (``qemu-img``);
- ``cd.iso``: ISO 9660 (``xorriso``) of the ext4 files, deleted one included;
- ``luks.raw`` (``build_luks_disk``): an MBR disk whose one partition is a LUKS1 volume
  (``cryptsetup luksFormat`` with a volume key the builder chose) holding ``ext.img``,
  encrypted here with AES-XTS-plain64 under that key, as dm-crypt would have written it.
Every picture is a generated gradient (``builders.jpeg``) or a generated PNG.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from PIL import Image

from tests.sources.builders import jpeg

SECTOR = 512
#: Partition starts (sectors) and sizes of the MBR disk.
FAT_START, FAT_SECTORS = 2048, 32768
EXT_START, EXT_SECTORS = 34816, 16384
NTFS_START, NTFS_SECTORS = 51200, 16384
DISK_SECTORS = 71680  # 35 MiB: the last 2 MiB are outside every partition
#: Where the photo no file system describes lies (bytes into the disk).
FREE_PNG_OFFSET = (NTFS_START + NTFS_SECTORS + 1024) * SECTOR
#: Where a copy of an allocated FAT photo lies in free space (carved, then known as a copy).
COPY_OFFSET = FREE_PNG_OFFSET + (64 << 10)
#: Where the photo written only into free FAT clusters lies (bytes into the FAT volume).
FREE_JPEG_IN_FAT = (FAT_SECTORS - 256) * SECTOR
TOOLS = (
    *("mkfs.vfat", "mcopy", "mke2fs", "debugfs", "mkntfs", "ntfscp", "sfdisk", "ewfacquire"),
    "qemu-img",
    "xorriso",
    "cryptsetup",
)


def png(seed: int, size: int = 40) -> bytes:
    """A small generated PNG, different for each ``seed``."""
    image = Image.new("RGB", (size, size))
    image.putdata(
        [
            ((x * 5 + seed) % 256, (y * 7) % 256, (seed * 31) % 256)
            for y in range(size)
            for x in range(size)
        ]
    )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


#: What the images hold (by role) so tests can check content and hashes.
FAT_FILES = {"/photos/2024/beach.jpg": jpeg(11), "/docs/notes.txt": b"benign notes\n" * 30}
FAT_DELETED = jpeg(12)  # written as /old.jpg, then deleted
FAT_FREE = jpeg(13)  # only in free clusters
ZIP_MEMBERS = {"inner/zipped.png": png(14)}
EXT_FILES = {"/home/user/pic.png": png(15), "/home/user/deep/er/pic2.jpg": jpeg(16)}
EXT_DELETED = jpeg(17)
NTFS_FILES = {"/pic.jpg": jpeg(18), "/copy.png": png(19)}
#: A photo in an alternate data stream of an NTFS file (``path:stream``), as hidden ones are.
NTFS_STREAMS = {"/copy.png:hidden": png(21)}
FREE_PNG = png(20, 48)


@dataclass(frozen=True, slots=True)
class DiskImages:
    """Paths of the built images."""

    folder: Path
    fat: Path
    ext: Path
    ntfs: Path
    raw: Path
    e01: Path
    e01_deflate: Path
    split: Path
    qcow2: Path
    vmdk: Path
    vhd: Path
    vhdx: Path
    iso: Path


def tools_missing() -> list[str]:
    """The image-building tools that are not installed (``scripts/system-deps`` installs them)."""
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def _run(*command: str | Path, stdin: bytes | None = None) -> None:
    subprocess.run([str(part) for part in command], input=stdin, check=True, capture_output=True)


def _write_at(path: Path, offset: int, data: bytes) -> None:
    with path.open("r+b") as handle:
        handle.seek(offset)
        handle.write(data)


def _fat(folder: Path) -> Path:
    image = folder / "fat.img"
    with image.open("wb") as handle:
        handle.truncate(FAT_SECTORS * SECTOR)
    _run("mkfs.vfat", "-F", "16", "-n", "EVIDENCE", image)
    staging = folder / "stage-fat"
    for name, data in {**FAT_FILES, "/old.jpg": FAT_DELETED}.items():
        target = staging / name.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as writer:
        for name, data in ZIP_MEMBERS.items():
            writer.writestr(name, data)
    (staging / "docs" / "bundle.zip").write_bytes(archive.getvalue())
    for item in ("photos", "docs", "old.jpg"):
        _run("mcopy", "-s", "-i", image, staging / item, "::/")
    _run("mdel", "-i", image, "::/old.jpg")
    _write_at(image, FREE_JPEG_IN_FAT, FAT_FREE)
    return image


def _ext(folder: Path) -> Path:
    staging = folder / "stage-ext"
    for name, data in {**EXT_FILES, "/gone.jpg": EXT_DELETED}.items():
        target = staging / name.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    image = folder / "ext.img"
    with image.open("wb") as handle:
        handle.truncate(EXT_SECTORS * SECTOR)
    _run("mke2fs", "-q", "-F", "-t", "ext4", "-d", staging, image)
    _run("debugfs", "-w", "-R", "rm /gone.jpg", image)
    return image


def _ntfs(folder: Path) -> Path:
    image = folder / "ntfs.img"
    with image.open("wb") as handle:
        handle.truncate(NTFS_SECTORS * SECTOR)
    _run(
        "mkntfs",
        "-F",
        "-Q",
        "-q",
        "-s",
        "512",
        "-p",
        str(NTFS_START),
        "-H",
        "16",
        "-S",
        "63",
        image,
    )
    stage = folder / "stage-ntfs"
    stage.mkdir()
    for name, data in NTFS_FILES.items():
        source = stage / Path(name).name
        source.write_bytes(data)
        _run("ntfscp", "-f", "-q", image, source, Path(name).name)
    for name, data in NTFS_STREAMS.items():
        path, stream = name.split(":")
        source = stage / stream
        source.write_bytes(data)
        _run("ntfscp", "-f", "-q", "-N", stream, image, source, Path(path).name)
    return image


def _disk(folder: Path, fat: Path, ext: Path, ntfs: Path) -> Path:
    disk = folder / "disk.raw"
    with disk.open("wb") as handle:
        handle.truncate(DISK_SECTORS * SECTOR)
    table = (
        "label: dos\n"
        f"start={FAT_START}, size={FAT_SECTORS}, type=6\n"
        f"start={EXT_START}, size={EXT_SECTORS}, type=83\n"
        f"start={NTFS_START}, size={NTFS_SECTORS}, type=7\n"
    )
    _run("sfdisk", "-q", disk, stdin=table.encode())
    for image, start in ((fat, FAT_START), (ext, EXT_START), (ntfs, NTFS_START)):
        _write_at(disk, start * SECTOR, image.read_bytes())
    _write_at(disk, FREE_PNG_OFFSET, FREE_PNG)
    _write_at(disk, COPY_OFFSET, FAT_FILES["/photos/2024/beach.jpg"])
    return disk


def _gpt(folder: Path, ext: Path) -> Path:
    disk = folder / "gpt.raw"
    with disk.open("wb") as handle:
        handle.truncate((EXT_SECTORS + 4096) * SECTOR)
    table = f"label: gpt\nstart=2048, size={EXT_SECTORS}, type=L\n"
    _run("sfdisk", "-q", disk, stdin=table.encode())
    _write_at(disk, 2048 * SECTOR, ext.read_bytes())
    return disk


def build_disk_images(folder: Path) -> DiskImages:
    """Build every image into ``folder`` (see the module docstring)."""
    fat, ext, ntfs = _fat(folder), _ext(folder), _ntfs(folder)
    raw = _disk(folder, fat, ext, ntfs)
    _run(
        "ewfacquire", "-u", "-q", "-t", folder / "disk", "-c", "none", "-S", "4MiB",
        "-C", "CASE-7", "-D", "suspect laptop", "-e", "Examiner X", "-E", "EV-1",
        "-N", "generated", raw,
    )  # fmt: skip
    _run("ewfacquire", "-u", "-q", "-t", folder / "deflate", "-c", "deflate:fast", raw)
    data = raw.read_bytes()
    chunk = 8 << 20
    for index in range(0, len(data), chunk):
        (folder / f"split.{index // chunk + 1:03d}").write_bytes(data[index : index + chunk])
    iso = folder / "cd.iso"
    _run("xorriso", "-as", "mkisofs", "-quiet", "-R", "-J", "-o", iso, folder / "stage-ext")
    gpt = _gpt(folder, ext)
    converted = {}
    for fmt, suffix in (("qcow2", "qcow2"), ("vmdk", "vmdk"), ("vpc", "vhd"), ("vhdx", "vhdx")):
        target = folder / f"gpt.{suffix}"
        _run("qemu-img", "convert", "-f", "raw", "-O", fmt, gpt, target)
        converted[suffix] = target
    return DiskImages(
        folder,
        fat,
        ext,
        ntfs,
        raw,
        folder / "disk.E01",
        folder / "deflate.E01",
        folder / "split.001",
        converted["qcow2"],
        converted["vmdk"],
        converted["vhd"],
        converted["vhdx"],
        iso,
    )


#: The password of the LUKS volume in ``luks.raw``, and where its partition starts (sectors).
LUKS_PASSWORD = "correct horse battery staple"
LUKS_START = 2048
#: LUKS1's default payload offset (sectors into the volume): the header and key slots come first.
_LUKS_PAYLOAD = 4096


def _xts_plain64(key: bytes, data: bytes) -> bytes:
    """``data`` encrypted as dm-crypt's ``aes-xts-plain64`` does: each 512-byte sector with
    its number (little-endian, from the payload's start) as the tweak."""
    out = bytearray()
    for sector in range(len(data) // SECTOR):
        tweak = sector.to_bytes(16, "little")
        encryptor = Cipher(algorithms.AES(key), modes.XTS(tweak)).encryptor()
        out += encryptor.update(data[sector * SECTOR : (sector + 1) * SECTOR])
        out += encryptor.finalize()
    return bytes(out)


def build_luks_disk(folder: Path, ext: Path) -> Path:
    """``luks.raw``: an MBR disk with one partition holding a LUKS1 volume around ``ext``."""
    key = bytes(range(64))  # the volume key (AES-256-XTS takes two 256-bit keys)
    (folder / "luks.key").write_bytes(key)
    plain = ext.read_bytes()
    volume = folder / "luks.vol"
    with volume.open("wb") as handle:
        handle.truncate(_LUKS_PAYLOAD * SECTOR + len(plain))
    _run(
        "cryptsetup", "luksFormat", "--type", "luks1", "--cipher", "aes-xts-plain64",
        "--key-size", "512", "--hash", "sha256", "--master-key-file", folder / "luks.key",
        "--pbkdf-force-iterations", "1000", "--disable-locks", "--batch-mode",
        "--key-file", "-", volume,
        stdin=LUKS_PASSWORD.encode(),
    )  # fmt: skip
    _write_at(volume, _LUKS_PAYLOAD * SECTOR, _xts_plain64(key, plain))
    sectors = volume.stat().st_size // SECTOR
    disk = folder / "luks.raw"
    with disk.open("wb") as handle:
        handle.truncate((LUKS_START + sectors) * SECTOR)
    table = f"label: dos\nstart={LUKS_START}, size={sectors}, type=83\n"
    _run("sfdisk", "-q", disk, stdin=table.encode())
    _write_at(disk, LUKS_START * SECTOR, volume.read_bytes())
    return disk
