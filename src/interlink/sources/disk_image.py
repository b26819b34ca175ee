"""Storage-media images (E01/Ex01, raw and split raw, VMDK, QCOW2, VHD/VHDX), read through dfVFS.

``DiskImageSource`` walks the image the way dfVFS's source scanner does (storage media image,
then volume systems, then file systems), but one step at a time so that each volume that
fails is a problem and the others are still read. Nothing is mounted; every back-end opens the
image read-only. Provenance: the image file's reference, then a ``partition`` layer for each
volume system level (index, offset, type), then an ``fs`` layer whose path is the path inside
the file system and whose attributes name the file system, the inode or MFT entry, the data
stream, MACB times and, for a deleted file, ``state=deleted`` with ``overwritten``. Deleted
files and the map of claimed blocks come from The Sleuth Kit (``disk_tsk``); what no file
claims is carved (``carving``), as is any volume whose file system cannot be read.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dfvfs.helpers import source_scanner
from dfvfs.lib import definitions, errors
from dfvfs.path import factory as path_spec_factory
from dfvfs.resolver import resolver

from interlink.domain.errors import EvidenceReadError
from interlink.domain.problems import Problem, ProblemKind
from interlink.domain.provenance import SourceRef
from interlink.sources.base import DiskOptions, Entry, FactsSink
from interlink.sources.carving import carve
from interlink.sources.disk_facts import image_facts
from interlink.sources.disk_member import forget, member
from interlink.sources.disk_streams import ReadAt, open_reader, vfs_read_at
from interlink.sources.disk_times import as_datetime, iso, times
from interlink.sources.disk_tsk import TskFile, TskWalk, gaps, overlaps, walk

_ENCRYPTED = {
    definitions.TYPE_INDICATOR_BDE: "BitLocker",
    definitions.TYPE_INDICATOR_LUKSDE: "LUKS",
    definitions.TYPE_INDICATOR_CS: "FileVault (Core Storage)",
}
#: Carving looks for files starting on sector boundaries, where file systems put them.
SECTOR = 512
_VOLUME_LABEL = "(Volume Label Entry)"
_INODE_FIELDS = ("mft_entry", "inode", "identifier")
_BACK_END_ERRORS = (errors.Error, OSError, RuntimeError, ValueError)
#: dfVFS keeps the credentials it is given (``Resolver.key_chain``) and the volumes and file
#: systems it opened (its resolver context's caches) for the whole process: a volume one scan
#: unlocked would be open to the next scan of the image without its password. Both are
#: emptied as an image's walk starts and ends, under this lock, which also covers setting
#: credentials and unlocking with them.
_BACK_END = threading.RLock()


def _forget_credentials() -> None:
    with _BACK_END:
        resolver.Resolver.key_chain.Empty()
        # The resolver context's caches hold the unlocked volumes (no public way to them).
        resolver.Resolver._resolver_context.Empty()
        forget()  # and the file systems kept for reading the image's files


class DiskImageSource:
    """The files of the storage-media image at ``path`` (whose entry is ``ref``): allocated,
    deleted and carved, with problems for what cannot be read (see the module docstring)."""

    def __init__(
        self,
        path: Path,
        ref: SourceRef,
        options: DiskOptions,
        on_facts: FactsSink | None = None,
    ) -> None:
        self._path = path
        self._ref = ref
        self._options = options
        self._on_facts = on_facts
        self._scanner = source_scanner.SourceScanner()
        self._location = ref.display()

    def entries(self) -> Iterator[Entry | Problem]:
        """Every file of every readable volume, then problems (see the class docstring);
        credentials given for this image, and volumes they unlocked, are forgotten after."""
        _forget_credentials()
        try:
            yield from self._entries()
        finally:
            _forget_credentials()

    def _entries(self) -> Iterator[Entry | Problem]:
        os_spec = path_spec_factory.Factory.NewPathSpec(
            definitions.TYPE_INDICATOR_OS, location=str(self._path)
        )
        try:
            # A split raw image is RAW (its segments found by name); a single raw file is
            # read as it is, whatever its name.
            image = self._scanner.ScanForStorageMediaImage(os_spec) or os_spec
            file_object = resolver.Resolver.OpenFileObject(image)
            size = file_object.get_size()
        except _BACK_END_ERRORS as exc:
            yield Problem(self._ref, ProblemKind.CORRUPT, f"cannot open the disk image: {exc}")
            return
        kind = "RAW" if image is os_spec else image.type_indicator
        facts, problems = image_facts(
            self._path, kind, size, self._options.verify, vfs_read_at(file_object)
        )
        for message in problems:
            yield Problem(self._ref, ProblemKind.CORRUPT, message)
        if self._on_facts is not None:
            self._on_facts(self._ref, facts)
        yield from self._volume(image, self._ref, 0, size)

    def _volume(
        self, spec: Any, ref: SourceRef, offset: int, size: int
    ) -> Iterator[Entry | Problem]:
        try:
            system = self._scanner.ScanForVolumeSystem(spec)
        except _BACK_END_ERRORS as exc:
            yield Problem(ref, ProblemKind.CORRUPT, f"volume system at offset {offset}: {exc}")
            system = None
        if system is not None and system.type_indicator in _ENCRYPTED:
            yield from self._encrypted(system, ref, offset, size)
            return
        if system is not None and system.type_indicator == definitions.TYPE_INDICATOR_VSHADOW:
            yield from self._file_system(spec, ref, offset, size)
            if self._options.vss:
                yield from self._partitions(system, ref, offset, "vss")
            return
        if system is not None:
            yield from self._partitions(system, ref, offset, system.type_indicator.lower())
            return
        yield from self._file_system(spec, ref, offset, size)

    def _partitions(
        self, system: Any, ref: SourceRef, offset: int, scheme: str
    ) -> Iterator[Entry | Problem]:
        try:
            root = resolver.Resolver.OpenFileEntry(system)
            subs = list(root.sub_file_entries)
        except _BACK_END_ERRORS as exc:
            yield Problem(
                ref, ProblemKind.CORRUPT, f"{scheme} volume system at offset {offset}: {exc}"
            )
            return
        index = 0
        for sub in subs:
            facts = _partition(sub, offset)
            if facts is None:
                continue
            start, length, kind, allocated = facts
            if not allocated:
                if kind == "unallocated" and self._options.carve and length > 0:
                    where = ref.child("partition", f"unallocated@{start}", offset=str(start))
                    yield from self._carve(sub.path_spec, where, [(0, length)], length)
                continue
            index += 1
            if _locked(sub, self._options.credentials):
                yield Problem(
                    ref.child("partition", sub.name or f"p{index}", index=str(index)),
                    ProblemKind.ENCRYPTED,
                    f"encrypted {scheme} volume (FileVault) at offset {start}; not read",
                )
                continue
            name = sub.name or f"p{index}"
            child = ref.child(
                "partition",
                name,
                index=str(index),
                offset=str(start),
                scheme=scheme,
                size=str(length),
                type=kind,
            )
            yield from self._volume(sub.path_spec, child, start, length)

    def _encrypted(
        self, spec: Any, ref: SourceRef, offset: int, size: int
    ) -> Iterator[Entry | Problem]:
        kind = _ENCRYPTED[spec.type_indicator]
        with _BACK_END:
            for credential, value in self._options.credentials:
                resolver.Resolver.key_chain.SetCredential(spec, credential, value)
            try:
                entry = resolver.Resolver.OpenFileEntry(spec)
                unlocked = entry is not None and (not entry.IsLocked() or entry.Unlock())
            except _BACK_END_ERRORS:
                unlocked = False
        if not unlocked:
            yield Problem(
                ref,
                ProblemKind.ENCRYPTED,
                f"{kind} encrypted volume at offset {offset} ({size} bytes); "
                + (
                    "the credentials given do not open it"
                    if self._options.credentials
                    else "not read"
                ),
            )
            return
        yield from self._volume(spec, ref.child("partition", kind, encryption=kind), offset, size)

    def _file_system(
        self, spec: Any, ref: SourceRef, offset: int, size: int
    ) -> Iterator[Entry | Problem]:
        try:
            fs_spec = self._scanner.ScanForFileSystem(spec)
        except _BACK_END_ERRORS as exc:
            yield Problem(ref, ProblemKind.CORRUPT, f"file system at offset {offset}: {exc}")
            fs_spec = None
        if fs_spec is None:
            yield Problem(
                ref,
                ProblemKind.UNSUPPORTED,
                f"no readable file system in the volume at offset {offset} ({size} bytes)"
                + ("; carved instead" if self._options.carve else ""),
            )
            yield from self._carve(spec, ref, [(0, size)], size)
            return
        tsk = _tsk_walk(spec)
        fs_name = _fs_name(fs_spec, tsk)
        if fs_spec.type_indicator == definitions.TYPE_INDICATOR_FAT and tsk is not None:
            # libfsfat 20260826 reads FAT dates a month late; dfVFS's TSK back-end reads them
            # right (checked against mtools-written images in the tests).
            fs_spec = path_spec_factory.Factory.NewPathSpec(
                definitions.TYPE_INDICATOR_TSK, location="/", parent=spec
            )
        try:
            file_system = resolver.Resolver.OpenFileSystem(fs_spec)
            root = file_system.GetRootFileEntry()
        except _BACK_END_ERRORS as exc:
            yield Problem(
                ref, ProblemKind.CORRUPT, f"{fs_name} file system at offset {offset}: {exc}"
            )
            root = None
        if root is not None:
            yield from _allocated(root, ref, fs_name, system=fs_name == "NTFS")
        if tsk is None:
            return
        walked, fs_info = tsk
        for path, message in walked.problems:
            yield Problem(ref.child("fs", path, fs=fs_name), ProblemKind.CORRUPT, message)
        yield from _deleted(walked, fs_info, ref, fs_name)
        if self._options.carve:
            block = walked.block_size
            free = gaps(walked.claimed(), walked.block_count)
            regions = [(start * block, min(end * block, size)) for start, end in free]
            yield from self._carve(spec, ref, regions, size)

    def _carve(
        self, spec: Any, ref: SourceRef, regions: list[tuple[int, int]], size: int
    ) -> Iterator[Entry | Problem]:
        if not self._options.carve:
            return
        try:
            read_at = vfs_read_at(resolver.Resolver.OpenFileObject(spec))
        except _BACK_END_ERRORS as exc:
            yield Problem(ref, ProblemKind.UNREADABLE, f"cannot read the volume to carve it: {exc}")
            return
        found_all = carve(
            read_at, regions, size, ref.display(), self._options.max_carve_bytes, align=SECTOR
        )
        for found in found_all:
            if isinstance(found, EvidenceReadError):
                yield Problem(ref, ProblemKind(found.kind), found.reason)
                continue
            data = found.data
            yield Entry(
                ref=ref.child(
                    "carved",
                    f"{found.start}-{found.end}.{found.suffix}",
                    end=str(found.end),
                    start=str(found.start),
                    state="carved",
                ),
                size=len(data),
                open=lambda data=data: io.BytesIO(data),  # type: ignore[misc]
            )


def _locked(sub: Any, credentials: tuple[tuple[str, str], ...]) -> bool:
    """Whether a volume (an APFS volume with FileVault) stays locked with ``credentials``."""
    try:
        if not sub.IsLocked():
            return False
        with _BACK_END:
            for credential, value in credentials:
                resolver.Resolver.key_chain.SetCredential(sub.path_spec, credential, value)
            return not sub.Unlock()
    except _BACK_END_ERRORS:
        return True


def _partition(sub: Any, base: int) -> tuple[int, int, str, bool] | None:
    """``(offset in the image, size, type, allocated)`` of a volume system's sub-entry."""
    tsk_part = sub.GetTSKVsPart() if hasattr(sub, "GetTSKVsPart") else None
    if tsk_part is not None:
        sector = getattr(sub.path_spec, "sector_size", None) or 512
        flags = int(tsk_part.flags)
        desc = tsk_part.desc.decode("utf-8", "replace") if tsk_part.desc else "unknown"
        if flags & 4:  # TSK_VS_PART_FLAG_META: the partition table itself
            return None
        kind = "unallocated" if flags & 2 else desc
        return base + tsk_part.start * sector, tsk_part.len * sector, kind, bool(flags & 1)
    for getter in ("GetGPTPartition", "GetAPMPartition"):
        part = getattr(sub, getter, lambda: None)()
        if part is not None:
            kind = str(getattr(part, "type_identifier", None) or getattr(part, "type", "unknown"))
            return base + int(part.volume_offset), int(part.size), kind, True
    size = sub.size or 0
    if not size:
        return None
    return base, int(size), sub.type_indicator.lower(), True


def _tsk_walk(spec: Any) -> tuple[TskWalk, Any] | None:
    """The Sleuth Kit's walk of the file system on ``spec``, if TSK can read it."""
    tsk_spec = path_spec_factory.Factory.NewPathSpec(
        definitions.TYPE_INDICATOR_TSK, location="/", parent=spec
    )
    try:
        fs_info = resolver.Resolver.OpenFileSystem(tsk_spec).GetFsInfo()
        return walk(fs_info), fs_info
    except _BACK_END_ERRORS:
        return None


#: TSK's file-system types by value, as TSK names them (``FAT16``, ``EXT4``, ``ISO9660`` ...).
_TSK_TYPES = {
    0x1: "NTFS", 0x2: "FAT12", 0x4: "FAT16", 0x8: "FAT32", 0xA: "exFAT", 0x10: "FFS1",
    0x20: "FFS1B", 0x40: "FFS2", 0x80: "ext2", 0x100: "ext3", 0x2000: "ext4", 0x800: "ISO9660",
    0x1000: "HFS+", 0x10000: "APFS", 0x4000: "YAFFS2",
}  # fmt: skip


def _fs_name(fs_spec: Any, tsk: tuple[TskWalk, Any] | None) -> str:
    """The file system's name: TSK's precise one (FAT16, ext4, ...) where it reads it."""
    if tsk is not None:
        name = _TSK_TYPES.get(int(tsk[1].info.ftype))
        if name is not None:
            return name
    return str(fs_spec.type_indicator)


def _allocated(
    root: Any, ref: SourceRef, fs_name: str, *, system: bool
) -> Iterator[Entry | Problem]:
    """Every allocated file under ``root`` (dfVFS), folders in sorted order, every data stream.

    With ``system`` (NTFS) the metadata files at the root (``$MFT``, ``$LogFile``, ``$BadClus``
    whose ``$Bad`` stream spans the volume, ``$Extend`` ...) are passed over: they hold the file
    system, not files, and carving covers what they leave free.
    """
    stack: list[tuple[Any, str]] = [(root, "")]
    while stack:
        directory, path = stack.pop()
        try:
            subs = sorted(directory.sub_file_entries, key=lambda item: item.name or "")
        except _BACK_END_ERRORS as exc:
            yield Problem(
                ref.child("fs", path or "/", fs=fs_name),
                ProblemKind.CORRUPT,
                f"cannot list the folder: {exc}",
            )
            continue
        folders: list[tuple[Any, str]] = []
        for item in subs:
            if system and not path and (item.name or "").startswith("$"):
                continue
            if (item.name or "").endswith(_VOLUME_LABEL):
                continue  # TSK lists a FAT volume label as an empty file
            child = f"{path}/{item.name}"
            if item.IsDirectory():
                folders.append((item, child))
            elif item.IsFile():
                yield from _streams(item, child, ref, fs_name)
        stack.extend(reversed(folders))


def _streams(item: Any, path: str, ref: SourceRef, fs_name: str) -> Iterator[Entry | Problem]:
    found, modified = times(item)
    attrs = {"fs": fs_name, **found}
    for field in _INODE_FIELDS:
        value = getattr(item.path_spec, field, None)
        if value is not None:
            attrs["inode"] = str(value)
            break
    names = [stream.name for stream in item.data_streams] or [""]
    for stream in names:
        child = ref.child("fs", path, **attrs, **({"stream": stream} if stream else {}))
        try:
            file_object = item.GetFileObject(data_stream_name=stream)
            size = int(file_object.get_size())
        except _BACK_END_ERRORS as exc:
            yield Problem(child, ProblemKind.UNREADABLE, f"cannot open: {exc}")
            continue
        location = child.display()
        yield Entry(
            ref=child,
            size=size,
            open=_opener(item, stream, size, location, file_object),
            modified=as_datetime(modified),
            member=member(item.path_spec, stream, size, location),
        )


def _opener(
    item: Any, stream: str, size: int, location: str, opened: Any
) -> Callable[[], io.BufferedReader]:
    """Opens the stream; the first time with the file object the walk ``opened`` for its size
    (the scan opens each file once, to sniff its head), later ones with a new one."""
    unused = [opened]

    def open_stream() -> io.BufferedReader:
        if unused:
            file_object = unused.pop()
        else:
            try:
                file_object = item.GetFileObject(data_stream_name=stream)
            except _BACK_END_ERRORS as exc:
                raise EvidenceReadError(location, "unreadable", f"cannot open: {exc}") from exc
        return open_reader(vfs_read_at(file_object), size, location)  # type: ignore[return-value]

    return open_stream


def _deleted(
    walked: TskWalk, fs_info: Any, ref: SourceRef, fs_name: str
) -> Iterator[Entry | Problem]:
    """The deleted files TSK still describes, marked ``state=deleted`` and ``overwritten``."""
    allocated = walked.allocated()
    for item in sorted((f for f in walked.files if f.deleted), key=lambda f: (f.path, f.inode)):
        overwritten = "yes" if item.reused else "partly" if overlaps(allocated, item.runs) else "no"
        attrs = {
            "fs": fs_name,
            "inode": str(item.inode),
            "state": "deleted",
            "overwritten": overwritten,
        }
        attrs |= {key: iso(value) for key, value in item.times.items() if value}
        child = ref.child("fs", item.path, **attrs)
        if item.reused:
            yield Problem(
                child,
                ProblemKind.UNREADABLE,
                "deleted name whose metadata entry now belongs to another file; "
                "content not recovered",
            )
            continue
        if item.size == 0:
            continue
        if not item.runs and fs_name.startswith("ext"):
            yield Problem(
                child,
                ProblemKind.UNREADABLE,
                "deleted file whose block list was cleared; content not recoverable",
            )
            continue
        yield Entry(
            ref=child,
            size=item.size,
            open=_tsk_opener(fs_info, item, child.display()),
            modified=datetime.fromtimestamp(item.times["m"], UTC) if item.times.get("m") else None,
        )


def _tsk_opener(fs_info: Any, item: TskFile, location: str) -> Callable[[], io.BufferedReader]:
    def open_stream() -> io.BufferedReader:
        try:
            tsk_file = fs_info.open_meta(inode=item.inode)
        except OSError as exc:
            raise EvidenceReadError(location, "unreadable", f"cannot open: {exc}") from exc
        read_at: ReadAt = tsk_file.read_random
        return open_reader(read_at, item.size, location)  # type: ignore[return-value]

    return open_stream
