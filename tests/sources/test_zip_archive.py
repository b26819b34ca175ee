import io
import os
import struct
import zipfile
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

from interlink.domain.errors import EvidenceReadError
from interlink.domain.problems import Problem
from interlink.sources.base import Entry, Limits
from interlink.sources.exhibit import DEFAULT_LIMITS, open_exhibit
from tests.sources.builders import (
    MEMBERS,
    Collected,
    collect,
    exhibit_of,
    overlapping_zip,
    set_zip_flag,
    set_zip_sizes,
    zip_bytes,
)


def _items(
    tmp_path: Path, data: bytes, limits: Limits = DEFAULT_LIMITS
) -> Generator[Entry | Problem, None, None]:
    return exhibit_of(tmp_path / "x.zip", data, limits)


def _collect(tmp_path: Path, data: bytes, limits: Limits = DEFAULT_LIMITS) -> Collected:
    return collect(_items(tmp_path, data, limits))


def _members(items: Iterator[Entry | Problem], count: int) -> dict[str, Entry]:
    """The first ``count`` members, taken while the iteration is suspended (still open)."""
    found: dict[str, Entry] = {}
    for item in items:
        if isinstance(item, Entry) and item.ref.depth == 2:
            found[item.ref.name] = item
            if len(found) == count:
                break
    return found


@pytest.mark.parametrize(
    "method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA]
)
def test_members_are_read_with_their_provenance(tmp_path: Path, method: int) -> None:
    (tmp_path / "x.zip").write_bytes(zip_bytes(MEMBERS, compression=method))
    found = collect(open_exhibit(tmp_path / "x.zip", "E1"))
    expected = {f"E1:x.zip!{name}": data for name, data in MEMBERS.items()}
    expected["E1:x.zip"] = (tmp_path / "x.zip").read_bytes()
    assert found.contents == expected
    assert found.kinds["E1:x.zip!photos/one.jpg"] == ["file", "zip"]
    assert found.problems == []


def test_traversal_names_are_read_under_sanitised_paths(tmp_path: Path) -> None:
    data = zip_bytes(
        {"../../etc/evil.txt": b"a", "/abs.txt": b"b", "C:\\win.txt": b"c", "ok.txt": b"d"}
    )
    (tmp_path / "x.zip").write_bytes(data)
    found = collect(open_exhibit(tmp_path / "x.zip", "E1"))
    assert {k: v for k, v in found.contents.items() if "!" in k} == {
        "E1:x.zip!etc/evil.txt": b"a",
        "E1:x.zip!abs.txt": b"b",
        "E1:x.zip!win.txt": b"c",
        "E1:x.zip!ok.txt": b"d",
    }
    assert found.problem_kinds() == [
        ("E1:x.zip!etc/evil.txt", "path_traversal"),
        ("E1:x.zip!abs.txt", "path_traversal"),
        ("E1:x.zip!win.txt", "path_traversal"),
    ]
    assert "'../../etc/evil.txt'" in found.problems[0].message
    assert not (tmp_path / "etc").exists()


def test_duplicate_and_non_utf8_member_names(tmp_path: Path) -> None:
    data = zip_bytes({"same.txt": b"1", "badX.txt": b"2"})
    data = data.replace(b"badX.txt", b"bad\xff.txt")
    (tmp_path / "x.zip").write_bytes(data)
    with zipfile.ZipFile(tmp_path / "dup.zip", "w") as archive:
        archive.writestr("same.txt", b"1")
        with pytest.warns(UserWarning, match="Duplicate name"):
            archive.writestr("same.txt", b"2")
    found = collect(open_exhibit(tmp_path, "E1"))
    assert found.contents["E1:dup.zip!same.txt"] == b"1"
    assert found.contents["E1:dup.zip!same.txt#2"] == b"2"
    assert found.contents["E1:x.zip!bad\\xff.txt"] == b"2"
    assert found.problem_kinds() == [("E1:x.zip!bad\\xff.txt", "bad_name")]


def test_encrypted_members_are_skipped_with_a_problem(tmp_path: Path) -> None:
    found = _collect(tmp_path, set_zip_flag(zip_bytes({"a.txt": b"secret"}), 0x1))
    assert list(found.contents) == ["E1:x.zip"]
    assert found.problem_kinds() == [("E1:x.zip!a.txt", "encrypted")]


def test_unsupported_methods_are_skipped_with_a_problem(tmp_path: Path) -> None:
    data = bytearray(zip_bytes({"a.txt": b"data"}, compression=zipfile.ZIP_STORED))
    for signature, position in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        found_at = data.find(signature)
        data[found_at + position : found_at + position + 2] = (9).to_bytes(2, "little")
    found = _collect(tmp_path, bytes(data))
    assert found.problem_kinds() == [("E1:x.zip!a.txt", "unsupported")]
    assert "Deflate64" in found.problems[0].message


def test_a_member_over_the_ratio_limit_is_a_bomb_and_the_rest_is_read(tmp_path: Path) -> None:
    data = zip_bytes({"zeros.bin": bytes(200_000), "ok.txt": b"fine"})
    found = _collect(tmp_path, data, Limits(max_ratio=20, ratio_floor=1000))
    assert "E1:x.zip!ok.txt" in found.contents
    assert "E1:x.zip!zeros.bin" not in found.contents
    assert found.problem_kinds() == [("E1:x.zip!zeros.bin", "archive_bomb")]
    assert "ratio limit of 20" in found.problems[0].message


def test_declared_total_and_member_count_limits(tmp_path: Path) -> None:
    data = zip_bytes({"a": b"x" * 600, "b": b"y" * 600})
    found = _collect(tmp_path, data, Limits(max_archive_bytes=1000))
    assert list(found.contents) == ["E1:x.zip"]
    assert found.problem_kinds() == [("E1:x.zip", "archive_bomb")]
    assert "limit of 1000 bytes" in found.problems[0].message
    found = _collect(tmp_path, data, Limits(max_members=1))
    assert found.problem_kinds() == [("E1:x.zip", "archive_bomb")]
    assert "limit of 1 members" in found.problems[0].message


def test_overlapping_entries_are_a_bomb(tmp_path: Path) -> None:
    data = overlapping_zip(50)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert len(archive.infolist()) == 50  # the stdlib lists them all
    found = _collect(tmp_path, data)
    assert list(found.contents) == ["E1:x.zip"]
    assert found.problem_kinds() == [("E1:x.zip", "archive_bomb")]
    assert "overlap" in found.problems[0].message


def test_a_lying_size_never_expands_past_what_it_declares(tmp_path: Path) -> None:
    stored = zip_bytes({"a.bin": b"z" * 500_000}, compression=zipfile.ZIP_STORED)
    data = set_zip_sizes(stored, 200_000)
    items = _items(tmp_path, data)
    member = _members(items, 1)["a.bin"]
    assert member.size == 200_000
    read = 0
    with member.open() as stream, pytest.raises(EvidenceReadError) as caught:
        while chunk := stream.read(10):
            read += len(chunk)
    items.close()
    assert read <= 200_000
    assert caught.value.kind == "corrupt"


def test_a_corrupt_member_fails_when_read(tmp_path: Path) -> None:
    small = bytearray(zip_bytes({"s.bin": b"q" * 100}, compression=zipfile.ZIP_STORED))
    small[small.find(b"q" * 10) + 50] ^= 0xFF
    found = _collect(tmp_path, bytes(small))
    assert found.problem_kinds() == [("E1:x.zip!s.bin", "corrupt")]
    assert "Bad CRC-32" in found.problems[0].message

    data = bytearray(
        zip_bytes({"a.bin": b"q" * 100_000, "b.txt": b"fine"}, compression=zipfile.ZIP_STORED)
    )
    # Damage near the end: the head still reads, the CRC check at the end fails.
    data[data.find(b"q" * 10) + 90_000] ^= 0xFF
    items = _items(tmp_path, bytes(data))
    members = _members(items, 2)
    with pytest.raises(EvidenceReadError, match="CRC") as caught, members["a.bin"].open() as stream:
        stream.read()
    assert caught.value.kind == "corrupt"
    with members["b.txt"].open() as stream:
        assert stream.read() == b"fine"
    items.close()


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2])
def test_a_truncated_zip_yields_what_its_local_headers_hold(tmp_path: Path, method: int) -> None:
    members = {"a.bin": os.urandom(3000), "../b.txt": b"hello" * 100, "c.bin": os.urandom(3000)}
    whole = zip_bytes(members, compression=method)
    found = _collect(tmp_path, whole[: whole.find(b"c.bin") + 1000])
    assert found.contents == {
        "E1:x.zip": whole[: whole.find(b"c.bin") + 1000],
        "E1:x.zip!a.bin": members["a.bin"],
        "E1:x.zip!b.txt": members["../b.txt"],
    }
    assert found.problem_kinds() == [
        ("E1:x.zip!b.txt", "path_traversal"),
        ("E1:x.zip!c.bin", "truncated"),
        ("E1:x.zip", "truncated"),
    ]
    assert "2 members recovered" in found.problems[-1].message


def test_a_truncated_zip_with_an_unsupported_member_stops_there(tmp_path: Path) -> None:
    whole = zip_bytes({"a.txt": b"x" * 100}, compression=zipfile.ZIP_LZMA)
    found = _collect(tmp_path, whole[: len(whole) - 30])
    assert found.problem_kinds() == [("E1:x.zip", "unsupported"), ("E1:x.zip", "truncated")]


def test_garbage_zips_are_corrupt(tmp_path: Path) -> None:
    garbage = b"PK\x05\x06" + b"\xff" * 40
    found = _collect(tmp_path, garbage)
    assert [kind for _, kind in found.problem_kinds()] == ["corrupt"]


def test_modified_time_comes_from_the_extended_timestamp(tmp_path: Path) -> None:
    info = zipfile.ZipInfo("a.txt", (2020, 1, 1, 0, 0, 0))
    info.extra = struct.pack("<HHBi", 0x5455, 5, 1, 1_600_000_000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(info, b"x")
    items = _items(tmp_path, buffer.getvalue())
    member = _members(items, 1)["a.txt"]
    items.close()
    assert member.modified is not None and member.modified.timestamp() == 1_600_000_000
