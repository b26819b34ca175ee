"""A file inside a storage-media image, as another process opens it itself.

The scan's coordinator walks an image's file systems; reading each file's bytes there and
sending them to the workers made it inflate every chunk of a compressed E01 on its own core
while the workers waited or competed with it. A file whose whole path specification can be
opened again without anything the walk was given (every layer a plain container, volume
system or file system: no encrypted volume, whose credentials stay in the coordinator) is sent
as an ``ImageMember`` instead: its dfVFS path specification, serialised, and its data stream.
The worker opens it read-only through dfVFS (``open_member``). dfVFS's resolver caches the
file systems it opened only while something refers to them, which made a worker open the
image again (its segment table, the file system's metadata) for every file: the last few file
systems a process opened are kept here (``forget`` lets them go; the image walk calls it as it
starts and ends, so a scan in one process keeps nothing open after it).

dfVFS caches what it opened in weak dictionaries, and an object's finaliser (which closes it)
runs before its weak reference is cleared: a thread that looked an object up while another
thread dropped the last reference to it got the object half-closed (``'NoneType' object has no
attribute 'seek'``). So every reference this module takes is dropped under ``_LOCK``, as every
lookup runs: a member's file object when its stream closes, the file entry before the open
returns.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from typing import Any, BinaryIO

from dfvfs.lib import definitions, errors
from dfvfs.resolver import resolver
from dfvfs.serializer.json_serializer import JsonPathSpecSerializer

from interlink.domain.errors import EvidenceReadError
from interlink.sources.base import ImageMember
from interlink.sources.disk_streams import open_reader

#: Layers a worker may open by itself: images, volume systems, file systems. Encrypted volumes
#: (BitLocker, LUKS, FileVault, APFS whose volumes may be locked) and anything else are read
#: by the coordinator, which holds the credentials.
_SHAREABLE = frozenset(
    {
        definitions.TYPE_INDICATOR_OS,
        definitions.TYPE_INDICATOR_EWF,
        definitions.TYPE_INDICATOR_RAW,
        definitions.TYPE_INDICATOR_QCOW,
        definitions.TYPE_INDICATOR_VHDI,
        definitions.TYPE_INDICATOR_VMDK,
        definitions.TYPE_INDICATOR_TSK_PARTITION,
        definitions.TYPE_INDICATOR_GPT,
        definitions.TYPE_INDICATOR_APM,
        definitions.TYPE_INDICATOR_LVM,
        definitions.TYPE_INDICATOR_VSHADOW,
        definitions.TYPE_INDICATOR_EXT,
        definitions.TYPE_INDICATOR_FAT,
        definitions.TYPE_INDICATOR_HFS,
        definitions.TYPE_INDICATOR_NTFS,
        definitions.TYPE_INDICATOR_TSK,
        definitions.TYPE_INDICATOR_XFS,
    }
)
#: libsmraw reports a raw image that is gone as a ``MemoryError`` (from freeing its glob).
_BACK_END_ERRORS = (errors.Error, OSError, RuntimeError, ValueError, MemoryError)
#: How many file systems a process keeps open (a scan reads one at a time).
_KEPT = 4
_kept: OrderedDict[str, Any] = OrderedDict()
#: dfVFS's resolver and the back-ends under a file system (a seek, then a read, on the image's
#: file object) are not safe across threads: one thread at a time opens, reads or lets go (a
#: process whose tasks run in threads, such as a Dask worker with several, would interleave
#: them). Re-entrant: a stream the garbage collector closes lets go of its file object in
#: whatever thread it runs, which may be inside this lock.
_LOCK = threading.RLock()


def member(path_spec: Any, stream: str, size: int, location: str) -> ImageMember | None:
    """The file entry at ``path_spec`` (its data stream ``stream``) as a worker can open it,
    or ``None`` when a layer under it is not one a worker may open by itself."""
    layer = path_spec
    while layer is not None:
        if layer.type_indicator not in _SHAREABLE:
            return None
        layer = layer.parent
    spec = JsonPathSpecSerializer.WriteSerialized(path_spec)
    return ImageMember(spec=spec, stream=stream, size=size, location=location)


def open_member(item: ImageMember) -> BinaryIO:
    """A read-only stream of ``item``'s content; ``EvidenceReadError`` if it cannot be opened
    (reading it raises the same on damaged evidence, as the coordinator's streams do)."""
    try:
        with _LOCK:
            held = _Held(_open_file_object(item))
    except _BACK_END_ERRORS as exc:
        raise EvidenceReadError(item.location, "unreadable", f"cannot open: {exc}") from exc
    return open_reader(held.read_at, item.size, item.location, on_close=held.release)


def _open_file_object(item: ImageMember) -> Any:
    """``item``'s dfVFS file object; called under ``_LOCK``, so the file entry it looked up is
    let go of there too."""
    spec = JsonPathSpecSerializer.ReadSerialized(item.spec)
    entry = _file_system(spec).GetFileEntryByPathSpec(spec)
    if entry is None:
        raise OSError("no such file in the image")
    file_object = entry.GetFileObject(data_stream_name=item.stream)
    if file_object is None:
        raise OSError(f"no data stream {item.stream!r}")
    return file_object


class _Held:
    """A member's file object, read and let go of only under ``_LOCK``."""

    def __init__(self, file_object: Any) -> None:
        self._file_object = file_object

    def read_at(self, offset: int, size: int) -> bytes:
        with _LOCK:
            if self._file_object is None:
                raise ValueError("the stream is closed")
            self._file_object.seek(offset, io.SEEK_SET)
            return bytes(self._file_object.read(size))

    def release(self) -> None:
        with _LOCK:
            self._file_object = None


def _file_system(spec: Any) -> Any:
    """The file system ``spec`` is in, opened once and kept (see the module docstring)."""
    key = spec.type_indicator + (spec.parent.comparable if spec.parent is not None else "")
    file_system = _kept.get(key)
    if file_system is None:
        file_system = resolver.Resolver.OpenFileSystem(spec)
        _kept[key] = file_system
        while len(_kept) > _KEPT:
            _kept.popitem(last=False)
    else:
        _kept.move_to_end(key)
    return file_system


def forget() -> None:
    """Let go of the file systems kept open."""
    with _LOCK:
        _kept.clear()
