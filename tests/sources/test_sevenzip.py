import io
import os
import threading
from pathlib import Path

import py7zr

from interlink.sources.base import Entry, Limits
from interlink.sources.exhibit import open_exhibit
from tests.sources.builders import MEMBERS, collect, rename_in_7z, sevenzip_bytes


def _write(tmp_path: Path, data: bytes) -> Path:
    (tmp_path / "x.7z").write_bytes(data)
    return tmp_path / "x.7z"


def test_members_are_read_with_their_provenance(tmp_path: Path) -> None:
    data = sevenzip_bytes(MEMBERS)
    found = collect(open_exhibit(_write(tmp_path, data), "E1"))
    expected = {f"E1:x.7z!{name}": content for name, content in MEMBERS.items()}
    expected["E1:x.7z"] = data
    assert found.contents == expected
    assert found.kinds["E1:x.7z!photos/one.jpg"] == ["file", "7z"]
    assert found.problems == []


def test_encrypted_archives_are_reported_not_read(tmp_path: Path) -> None:
    for header_encryption in (False, True):
        data = sevenzip_bytes(
            {"a.txt": b"secret"}, password="pw", header_encryption=header_encryption
        )
        found = collect(open_exhibit(_write(tmp_path, data), "E1"))
        assert list(found.contents) == ["E1:x.7z"]
        assert found.problem_kinds() == [("E1:x.7z", "encrypted")]


def test_traversal_names_are_read_under_sanitised_paths(tmp_path: Path) -> None:
    data = rename_in_7z(
        sevenzip_bytes({"XX/XX/evil.txt": b"a", "ok.txt": b"b"}), "XX/XX/evil", "../../evil"
    )
    found = collect(open_exhibit(_write(tmp_path, data), "E1"))
    assert found.contents["E1:x.7z!evil.txt"] == b"a"
    assert found.contents["E1:x.7z!ok.txt"] == b"b"
    assert found.problem_kinds() == [("E1:x.7z!evil.txt", "path_traversal")]


def test_limits_stop_a_7z_before_it_expands(tmp_path: Path) -> None:
    data = sevenzip_bytes({"zeros.bin": bytes(3 << 20)})
    found = collect(
        open_exhibit(_write(tmp_path, data), "E1", Limits(max_ratio=50, ratio_floor=1 << 20))
    )
    assert found.problem_kinds() == [("E1:x.7z", "archive_bomb")]
    found = collect(
        open_exhibit(_write(tmp_path, sevenzip_bytes(MEMBERS)), "E1", Limits(max_members=2))
    )
    assert found.problem_kinds() == [("E1:x.7z", "archive_bomb")]


def test_damaged_and_truncated_7z(tmp_path: Path) -> None:
    members = {"a.bin": os.urandom(30_000), "b.bin": os.urandom(30_000)}
    data = bytearray(sevenzip_bytes(members))
    position = data.find(members["b.bin"][1000:1100])
    if position < 0:  # the data is stored compressed; damage the middle of the packed stream
        position = 32 + 40_000
    data[position : position + 16] = bytes(16)
    found = collect(open_exhibit(_write(tmp_path, bytes(data)), "E1"))
    assert found.contents.get("E1:x.7z!a.bin") == members["a.bin"]
    assert [kind for _, kind in found.problem_kinds()] == ["corrupt"]
    whole = sevenzip_bytes(members)
    found = collect(open_exhibit(_write(tmp_path, whole[: len(whole) // 2]), "E1"))
    assert list(found.contents) == ["E1:x.7z"]
    assert [kind for _, kind in found.problem_kinds()] == ["corrupt"]


def test_stopping_early_ends_the_helper_thread(tmp_path: Path) -> None:
    before = threading.active_count()
    items = open_exhibit(_write(tmp_path, sevenzip_bytes(MEMBERS)), "E1")
    first = next(i for i in items if isinstance(i, Entry) and i.ref.depth == 2)
    assert first.size > 0
    items.close()
    assert threading.active_count() == before


def test_empty_members_and_folders(tmp_path: Path) -> None:
    source = tmp_path / "source" / "folder"
    source.mkdir(parents=True)
    (source / "empty.txt").write_bytes(b"")
    (source / "full.txt").write_bytes(b"data")
    buffer = io.BytesIO()
    with py7zr.SevenZipFile(buffer, "w") as archive:
        archive.writeall(source, "folder")
    found = collect(open_exhibit(_write(tmp_path, buffer.getvalue()), "E1"))
    assert {k: v for k, v in found.contents.items() if "!" in k} == {
        "E1:x.7z!folder/empty.txt": b"",
        "E1:x.7z!folder/full.txt": b"data",
    }
    assert found.problem_kinds() == [("E1:x.7z!folder/empty.txt", "empty")]
