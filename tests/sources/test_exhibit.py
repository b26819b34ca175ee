import hashlib
import os
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from interlink.domain.errors import SourceError
from interlink.sources.base import Entry, Limits
from interlink.sources.exhibit import container_kind, is_tar, open_exhibit
from tests.sources.builders import (
    MEMBERS,
    chunks,
    collect,
    jpeg,
    sevenzip_bytes,
    tar_bytes,
    zip_bytes,
)


def _nested() -> bytes:
    """zip ( tar ( zip ( photo ) ) ), with a 7z beside the tar."""
    deep = zip_bytes({"photo.jpg": jpeg(7)})
    middle = tar_bytes({"inner/deep.zip": deep, "note.txt": b"note"})
    return zip_bytes({"middle.tar": middle, "side.7z": sevenzip_bytes({"s.txt": b"side"})})


def test_archives_nested_in_archives_keep_their_chain(tmp_path: Path) -> None:
    (tmp_path / "outer.zip").write_bytes(_nested())
    found = collect(open_exhibit(tmp_path, "E1"))
    photo = "E1:outer.zip!middle.tar!inner/deep.zip!photo.jpg"
    assert found.contents[photo] == jpeg(7)
    assert found.kinds[photo] == ["folder", "zip", "tar", "zip"]
    assert found.contents["E1:outer.zip!side.7z!s.txt"] == b"side"
    assert list(found.contents) == [
        "E1:outer.zip",
        "E1:outer.zip!middle.tar",
        "E1:outer.zip!middle.tar!inner/deep.zip",
        photo,
        "E1:outer.zip!middle.tar!note.txt",
        "E1:outer.zip!side.7z",
        "E1:outer.zip!side.7z!s.txt",
    ]
    assert found.problems == []


def test_archives_deeper_than_the_limit_are_entries_and_problems(tmp_path: Path) -> None:
    (tmp_path / "outer.zip").write_bytes(_nested())
    found = collect(open_exhibit(tmp_path, "E1", Limits(max_depth=2)))
    assert "E1:outer.zip!middle.tar!inner/deep.zip" in found.contents
    assert not any(key.endswith("photo.jpg") for key in found.contents)
    assert found.problem_kinds() == [("E1:outer.zip!middle.tar!inner/deep.zip", "too_deep")]
    found = collect(open_exhibit(tmp_path, "E1", Limits(max_depth=0)))
    assert list(found.contents) == ["E1:outer.zip"]
    assert found.problem_kinds() == [("E1:outer.zip", "too_deep")]


def test_one_budget_covers_an_archive_and_what_is_nested_in_it(tmp_path: Path) -> None:
    inner = zip_bytes({"a.bin": bytes(3000)})
    outer = {"pad.bin": bytes(3000), "inner.zip": inner}
    (tmp_path / "outer.zip").write_bytes(zip_bytes(outer))
    (tmp_path / "other.zip").write_bytes(inner)
    found = collect(open_exhibit(tmp_path, "E1", Limits(max_archive_bytes=4000)))
    # The outer archive spent most of the budget expanding its padding, so the inner one
    # cannot expand; a separate archive in the exhibit has a budget of its own.
    assert found.problem_kinds() == [("E1:outer.zip!inner.zip", "archive_bomb")]
    assert "limit of 4000 bytes of expansion" in found.problems[0].message
    assert found.contents["E1:other.zip!a.bin"] == bytes(3000)


def test_stored_content_costs_no_budget(tmp_path: Path) -> None:
    # A plain tar or a stored zip holds its bytes: however large, it is not a bomb.
    data = {"a.bin": os.urandom(3000), "b.bin": os.urandom(3000)}
    (tmp_path / "plain.tar").write_bytes(tar_bytes(data))
    (tmp_path / "stored.zip").write_bytes(zip_bytes(data, compression=zipfile.ZIP_STORED))
    found = collect(open_exhibit(tmp_path, "E1", Limits(max_archive_bytes=1000)))
    assert found.problems == []
    assert len(found.contents) == 6


def test_containers_are_known_by_content_not_by_name(tmp_path: Path) -> None:
    (tmp_path / "holiday.jpg").write_bytes(zip_bytes({"hidden.txt": b"x"}))
    (tmp_path / "archive.zip").write_bytes(jpeg(2))
    (tmp_path / "BMW.jpg.tar").write_bytes(tar_bytes({"BM-first.txt": b"y"}))
    (tmp_path / "old.rar").write_bytes(b"Rar!\x1a\x07\x00" + bytes(100))
    found = collect(open_exhibit(tmp_path, "E1"))
    assert found.contents["E1:holiday.jpg!hidden.txt"] == b"x"
    assert found.contents["E1:BMW.jpg.tar!BM-first.txt"] == b"y"
    assert not any(key.startswith("E1:archive.zip!") for key in found.contents)
    assert found.problem_kinds() == [("E1:old.rar", "unsupported")]
    assert container_kind(tar_bytes({"BMx": b""})[:512]) == "tar"
    assert not is_tar(b"\x00" * 257 + b"ustar" + b"\x00" * 250)


def test_a_single_file_exhibit_and_a_missing_one(tmp_path: Path) -> None:
    (tmp_path / "photo.jpg").write_bytes(jpeg(1))
    found = collect(open_exhibit(tmp_path / "photo.jpg", "E1"))
    assert found.kinds == {"E1:photo.jpg": ["file"]}
    with pytest.raises(SourceError):
        open_exhibit(tmp_path / "missing", "E1")
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(SourceError, match="not a regular file"):
        open_exhibit(tmp_path / "fifo", "E1")


def test_scanning_never_changes_the_evidence(tmp_path: Path) -> None:
    (tmp_path / "outer.zip").write_bytes(_nested())
    (tmp_path / "t.tgz").write_bytes(tar_bytes(MEMBERS, "gz"))
    (tmp_path / "photo.jpg").write_bytes(jpeg(3))

    def snapshot() -> dict[str, tuple[str, int, int]]:
        state = {}
        for path in sorted(tmp_path.iterdir()):
            info = path.stat()
            state[path.name] = (
                hashlib.sha256(path.read_bytes()).hexdigest(),
                info.st_mtime_ns,
                info.st_mode,
            )
        return state

    before = snapshot()
    collect(open_exhibit(tmp_path, "E1"))
    assert snapshot() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outer.zip", "photo.jpg", "t.tgz"]


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_large_members_stream_with_bounded_memory_and_temp_files_are_released(
    tmp_path: Path,
) -> None:
    size = 48 << 20
    with zipfile.ZipFile(
        tmp_path / "big.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=1
    ) as archive:
        with archive.open("zeros.bin", "w", force_zip64=True) as member:
            for _ in range(size >> 20):
                member.write(bytes(1 << 20))
    (tmp_path / "big.tgz").write_bytes(tar_bytes({"ones.bin": b"\x01" * size}, "gz"))
    limits = Limits(max_ratio=10_000, spool_bytes=1 << 20)
    fds = _open_fds()
    digests = {}
    tracemalloc.start()
    try:
        for item in open_exhibit(tmp_path, "E1", limits):
            if isinstance(item, Entry) and item.ref.depth == 2:
                digest = hashlib.sha256()
                with item.open() as stream:
                    for data in chunks(stream):
                        digest.update(data)
                digests[item.ref.name] = digest.hexdigest()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert digests == {
        "zeros.bin": hashlib.sha256(bytes(size)).hexdigest(),
        "ones.bin": hashlib.sha256(b"\x01" * size).hexdigest(),
    }
    assert peak < 12 << 20
    assert _open_fds() == fds


def test_a_single_file_with_a_name_that_is_not_utf8(tmp_path: Path) -> None:
    path = os.fsencode(tmp_path) + b"/exhibit\xff.zip"
    with open(path, "wb") as out:
        out.write(zip_bytes({"a.txt": b"a"}))
    found = collect(open_exhibit(Path(os.fsdecode(path)), "E1"))
    assert found.contents["E1:exhibit\\xff.zip!a.txt"] == b"a"
    assert found.problem_kinds() == [("E1:exhibit\\xff.zip", "bad_name")]
