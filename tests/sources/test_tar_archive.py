import io
import os
import tarfile
from collections.abc import Generator
from pathlib import Path

import pytest

from interlink.domain.errors import ClosedEntryError
from interlink.domain.problems import Problem
from interlink.sources.base import Entry, Limits
from interlink.sources.exhibit import DEFAULT_LIMITS
from tests.sources.builders import MEMBERS, Collected, collect, exhibit_of, tar_bytes

COMPRESSIONS = ["", "gz", "bz2", "xz"]


def _items(
    tmp_path: Path, data: bytes, limits: Limits = DEFAULT_LIMITS
) -> Generator[Entry | Problem, None, None]:
    return exhibit_of(tmp_path / "x.tar", data, limits)


def _collect(tmp_path: Path, data: bytes, limits: Limits = DEFAULT_LIMITS) -> Collected:
    return collect(_items(tmp_path, data, limits))


@pytest.mark.parametrize("compression", COMPRESSIONS)
def test_members_are_read_in_every_compression(tmp_path: Path, compression: str) -> None:
    data = tar_bytes(MEMBERS, compression)
    found = _collect(tmp_path, data)
    expected = {f"E1:x.tar!{name}": content for name, content in MEMBERS.items()}
    expected["E1:x.tar"] = data
    assert found.contents == expected
    assert found.kinds["E1:x.tar!deep/er/data.bin"] == ["file", "tar"]
    assert found.problems == []


@pytest.mark.parametrize("compression", COMPRESSIONS)
def test_a_member_is_valid_until_the_iteration_moves_on(tmp_path: Path, compression: str) -> None:
    items = _items(tmp_path, tar_bytes(MEMBERS, compression))
    members = [item for item in items if isinstance(item, Entry) and item.ref.depth == 2]
    assert len(members) == 3
    with pytest.raises(ClosedEntryError):
        members[0].open()


def test_members_read_in_place_are_reopenable_windows(tmp_path: Path) -> None:
    items = _items(tmp_path, tar_bytes(MEMBERS))
    member = next(i for i in items if isinstance(i, Entry) and i.ref.name == "one.jpg")
    with member.open() as one, member.open() as two:
        assert one.read(10) == two.read(10) == MEMBERS["photos/one.jpg"][:10]
        assert one.read() == MEMBERS["photos/one.jpg"][10:]
    assert member.modified is not None and member.modified.timestamp() == 1_700_000_000
    items.close()


def test_folders_links_and_devices_carry_no_content(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, kind in (
            ("dir", tarfile.DIRTYPE),
            ("link", tarfile.SYMTYPE),
            ("fifo", tarfile.FIFOTYPE),
        ):
            info = tarfile.TarInfo(name)
            info.type = kind
            info.linkname = "/etc/passwd" if kind == tarfile.SYMTYPE else ""
            archive.addfile(info)
        info = tarfile.TarInfo("dir/file.txt")
        info.size = 2
        archive.addfile(info, io.BytesIO(b"ok"))
    found = _collect(tmp_path, buffer.getvalue())
    assert [key for key in found.contents if "!" in key] == ["E1:x.tar!dir/file.txt"]
    assert found.problems == []


def test_traversal_duplicate_and_non_utf8_names(tmp_path: Path) -> None:
    members: dict[str | bytes, bytes] = {
        "../up.txt": b"1",
        "/abs/x.txt": b"2",
        b"bad\xff.txt": b"3",
        "same.txt": b"4",
    }
    data = tar_bytes(members) + b""
    buffer = io.BytesIO()
    with (
        tarfile.open(fileobj=io.BytesIO(data)) as source,
        tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT, encoding="utf-8") as copy,
    ):
        for info in source.getmembers():
            copy.addfile(info, source.extractfile(info))
        again = tarfile.TarInfo("same.txt")
        again.size = 1
        copy.addfile(again, io.BytesIO(b"5"))
    found = _collect(tmp_path, buffer.getvalue())
    assert {k: v for k, v in found.contents.items() if "!" in k} == {
        "E1:x.tar!up.txt": b"1",
        "E1:x.tar!abs/x.txt": b"2",
        "E1:x.tar!bad\\xff.txt": b"3",
        "E1:x.tar!same.txt": b"4",
        "E1:x.tar!same.txt#2": b"5",
    }
    assert found.problem_kinds() == [
        ("E1:x.tar!up.txt", "path_traversal"),
        ("E1:x.tar!abs/x.txt", "path_traversal"),
        ("E1:x.tar!bad\\xff.txt", "bad_name"),
    ]


@pytest.mark.parametrize("compression", ["", "gz", "xz"])
def test_a_truncated_tar_yields_what_it_can_then_a_problem(
    tmp_path: Path, compression: str
) -> None:
    members = {"a.bin": os.urandom(40_000), "b.bin": os.urandom(40_000)}
    data = tar_bytes(members, compression)
    found = _collect(tmp_path, data[: int(len(data) * 0.75)])
    assert found.contents["E1:x.tar!a.bin"] == members["a.bin"]
    assert "E1:x.tar!b.bin" not in found.contents
    assert found.problem_kinds() == [("E1:x.tar!b.bin", "truncated")]


def test_a_truncated_bzip2_block_holds_nothing_readable(tmp_path: Path) -> None:
    # bzip2 compresses in blocks of up to 900 kB: a cut block yields no data at all.
    data = tar_bytes({"a.bin": os.urandom(40_000)}, "bz2")
    found = _collect(tmp_path, data[: len(data) // 2])
    assert list(found.contents) == ["E1:x.tar"]
    assert [kind for _, kind in found.problem_kinds()] == ["truncated"]


def test_a_compressed_tar_over_the_ratio_limit_is_a_bomb(tmp_path: Path) -> None:
    data = tar_bytes({"ok.txt": b"fine", "zeros.bin": bytes(3 << 20)}, "gz")
    found = _collect(tmp_path, data, Limits(max_ratio=50, ratio_floor=1 << 20))
    assert found.contents["E1:x.tar!ok.txt"] == b"fine"
    assert found.problem_kinds() == [("E1:x.tar!zeros.bin", "archive_bomb")]
    assert "ratio limit of 50" in found.problems[0].message


def test_expansion_and_member_limits(tmp_path: Path) -> None:
    data = tar_bytes({"a": bytes(600), "b": bytes(600), "c": b"z"}, "gz")
    found = _collect(tmp_path, data, Limits(max_archive_bytes=1000))
    assert [k for k in found.contents if "!" in k] == ["E1:x.tar!a"]
    assert found.problem_kinds() == [("E1:x.tar!b", "archive_bomb")]
    plain = tar_bytes({"a": b"x" * 600, "b": b"y" * 600, "c": b"z"})
    found = _collect(tmp_path, plain, Limits(max_members=2))
    assert [k for k in found.contents if "!" in k] == ["E1:x.tar!a", "E1:x.tar!b"]
    assert found.problem_kinds() == [("E1:x.tar", "archive_bomb")]


def test_a_corrupt_compressed_stream_is_a_problem(tmp_path: Path) -> None:
    data = bytearray(tar_bytes({"a.bin": os.urandom(200_000)}, "gz"))
    data[len(data) // 2 : len(data) // 2 + 64] = bytes(64)
    found = _collect(tmp_path, bytes(data))
    # The data is stored (random bytes do not compress): only the stream's CRC shows the damage.
    assert found.problem_kinds() == [("E1:x.tar", "corrupt")]
    assert "may be damaged" in found.problems[0].message
