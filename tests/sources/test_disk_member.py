"""Files of a disk image opened by another process from their ``ImageMember``: the same bytes
as the walk's own streams, for every format, partition scheme, file system and data stream;
never for a file under an encrypted volume (images from ``disk_builders``)."""

from __future__ import annotations

import gc
import pickle
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from dfvfs.file_io.file_io import FileIO

from interlink.domain.errors import EvidenceReadError
from interlink.domain.problems import Problem
from interlink.sources import disk_member
from interlink.sources.base import DiskOptions, Entry, ImageMember
from interlink.sources.disk_member import open_member
from interlink.sources.exhibit import open_exhibit
from tests.sources import disk_builders as built
from tests.sources.disk_builders import DiskImages

_FORMATS = ["e01", "e01_deflate", "raw", "split", "qcow2", "vmdk", "vhd", "vhdx", "ntfs", "fat"]


def _entries(path: Path, options: DiskOptions | None = None) -> list[Entry]:
    return [
        item
        for item in open_exhibit(path, "E1", disk=options or DiskOptions(carve=True))
        if not isinstance(item, Problem) and item.ref.depth > 1
    ]


@pytest.mark.parametrize("name", _FORMATS)
def test_a_member_gives_the_bytes_of_the_walk_in_another_process(
    disk_images: DiskImages, name: str
) -> None:
    entries = _entries(getattr(disk_images, name))
    shared = [item for item in entries if item.member is not None]
    # Every allocated file (and data stream) is shared; deleted, carved and archive members
    # are read by the walk.
    assert {item.ref for item in shared} == {
        item.ref
        for item in entries
        if item.ref.layers[-1].kind == "fs" and item.ref.layers[-1].attr("state") is None
    }
    members = [item.member for item in shared if item.member is not None]
    expected = []
    for item, member in zip(shared, members, strict=True):
        with item.open() as stream:
            expected.append(stream.read())
        assert member.size == item.size == len(expected[-1])
    # A fresh process, as a worker is: nothing of the walk is open there.
    read = subprocess.run(
        [sys.executable, "-c", _READ_ALL],
        input=pickle.dumps(members),
        capture_output=True,
        check=True,
    )
    assert pickle.loads(read.stdout) == expected


_READ_ALL = """
import pickle, sys
from interlink.sources import disk_member
from interlink.sources.disk_member import open_member
members = pickle.load(sys.stdin.buffer)
out = []
for member in members:
    with open_member(member) as stream:
        out.append(stream.read())
sys.stdout.buffer.write(pickle.dumps(out))
"""


def test_the_multi_partition_e01_shares_every_file_system_and_the_ntfs_stream(
    disk_images: DiskImages,
) -> None:
    shared = [item for item in _entries(disk_images.e01) if item.member is not None]
    systems = {item.ref.layers[-1].attr("fs") for item in shared}
    assert systems == {"FAT16", "ext4", "NTFS"}
    ((name, data),) = built.NTFS_STREAMS.items()
    stream = name.split(":")[1]
    (hidden,) = [item for item in shared if item.ref.layers[-1].attr("stream") == stream]
    assert hidden.member is not None and hidden.member.stream == stream
    with open_member(hidden.member) as opened:
        assert opened.read() == data


def test_files_under_an_encrypted_volume_are_never_shared(luks_disk: Path) -> None:
    opened = DiskOptions(carve=False, credentials=(("password", built.LUKS_PASSWORD),))
    entries = _entries(luks_disk, opened)
    assert entries
    assert all(item.member is None for item in entries)


def test_a_member_that_cannot_be_opened_is_an_evidence_read_error(
    disk_images: DiskImages, tmp_path: Path
) -> None:
    (first, *_) = [item for item in _entries(disk_images.fat) if item.member is not None]
    assert first.member is not None
    gone = first.member.spec.replace(str(disk_images.fat), str(tmp_path / "gone.img"))
    with pytest.raises(EvidenceReadError) as raised:
        open_member(ImageMember(gone, "", first.size, first.member.location))
    assert raised.value.kind == "unreadable" and raised.value.location == first.member.location


def test_members_read_from_several_threads_at_once_give_their_own_bytes(
    disk_images: DiskImages,
) -> None:
    """One process's threads share its open file systems (a Dask worker may run tasks so)."""
    shared = [item for item in _entries(disk_images.e01_deflate) if item.member is not None]
    expected = []
    for item in shared:
        with item.open() as stream:
            expected.append(stream.read())

    def read(member: ImageMember | None) -> list[bytes]:
        assert member is not None
        out = []
        for _ in range(5):
            with open_member(member) as stream:
                out.append(stream.read())
        return out

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # threads change often: a race shows within the test's reads
    try:
        with ThreadPoolExecutor(8) as pool:
            got = list(pool.map(read, [item.member for item in shared] * 4 * 4))
    finally:
        sys.setswitchinterval(switch)
    assert got == [[data] * 5 for data in expected * 4 * 4]


@pytest.fixture
def finalised(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, bool]]]:
    """Each dfVFS file object closed by its finaliser: its class, and whether ``_LOCK`` was
    held by the thread that finalised it."""
    closed: list[tuple[str, bool]] = []
    finalise = FileIO.__del__

    def recording(self: Any) -> None:
        if getattr(self, "_is_open", False):
            closed.append((type(self).__name__, disk_member._LOCK._is_owned()))  # type: ignore[attr-defined]
        finalise(self)

    disk_member.forget()
    monkeypatch.setattr(FileIO, "__del__", recording)
    yield closed
    disk_member.forget()


@pytest.mark.parametrize("close", [True, False], ids=["closed", "collected"])
def test_a_members_file_object_is_let_go_of_under_the_lock(
    disk_images: DiskImages, finalised: list[tuple[str, bool]], close: bool
) -> None:
    """dfVFS closes an object before its weak cache forgets it: let go of outside the lock,
    another thread could look it up meanwhile and be handed it half-closed."""
    members = [item.member for item in _entries(disk_images.e01_deflate) if item.member]
    gc.collect()
    finalised.clear()  # the walk's own, in this thread alone
    for item in members:
        stream = open_member(item)
        assert stream.read(1)
        if close:
            stream.close()
        del stream
    assert finalised and all(locked for _, locked in finalised), finalised
    assert "EXTFile" in {name for name, _ in finalised}
