import errno
import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from interlink.domain.errors import EvidenceReadError, SourceError
from interlink.domain.problems import Problem
from interlink.domain.provenance import SourceRef
from interlink.sources import folder, readonly
from interlink.sources.base import Entry
from interlink.sources.exhibit import open_exhibit
from interlink.sources.folder import FolderSource
from tests.sources.builders import collect, jpeg


def _tree(root: Path) -> None:
    (root / "b").mkdir()
    (root / "b" / "z.jpg").write_bytes(jpeg(1))
    (root / "b" / "a.txt").write_bytes(b"text")
    (root / "a.txt").write_bytes(b"top")
    (root / "c").mkdir()


def _kinds(problems: list[Problem]) -> list[tuple[str, str]]:
    return [(p.ref.display(), p.kind.value) for p in problems]


def test_walks_recursively_in_sorted_order(tmp_path: Path) -> None:
    _tree(tmp_path)
    items = list(FolderSource(tmp_path, SourceRef("E1")).entries())
    entries = [item for item in items if isinstance(item, Entry)]
    assert [e.ref.display() for e in entries] == ["E1:a.txt", "E1:b/a.txt", "E1:b/z.jpg"]
    assert all(e.ref.layers[0].kind == "folder" for e in entries)
    first = entries[0]
    assert first.size == 3
    assert first.local_path == tmp_path / "a.txt"
    assert first.modified is not None and first.modified.utcoffset() is not None
    with first.open() as one, first.open() as two:
        assert one.read() == two.read() == b"top"


def test_a_missing_or_special_root_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError):
        FolderSource(tmp_path / "missing", SourceRef("E1"))
    (tmp_path / "f").write_bytes(b"x")
    with pytest.raises(SourceError, match="not a folder"):
        FolderSource(tmp_path / "f", SourceRef("E1"))


def test_names_that_are_not_utf8_are_escaped_reported_and_still_read(tmp_path: Path) -> None:
    root = os.fsencode(tmp_path)
    os.mkdir(root + b"/dir\xfe")
    with open(root + b"/dir\xfe/bad\xff.jpg", "wb") as out:
        out.write(b"content")
    with open(root + b"/lit\\xff.jpg", "wb") as out:
        out.write(b"literal")
    with open(root + b"/lit\xff.jpg", "wb") as out:
        out.write(b"escaped")
    found = collect(open_exhibit(tmp_path, "E1"))
    assert found.contents == {
        "E1:dir\\xfe/bad\\xff.jpg": b"content",
        "E1:lit\\xff.jpg": b"literal",
        "E1:lit\\xff.jpg#2": b"escaped",
    }
    assert found.problem_kinds() == [
        ("E1:dir\\xfe", "bad_name"),
        ("E1:dir\\xfe/bad\\xff.jpg", "bad_name"),
        ("E1:lit\\xff.jpg#2", "bad_name"),
    ]


def test_links_inside_are_followed_loops_and_outside_are_not(tmp_path: Path) -> None:
    root = tmp_path / "exhibit"
    root.mkdir()
    (root / "real").mkdir()
    (root / "real" / "photo.jpg").write_bytes(b"photo")
    (root / "real" / "up").symlink_to("..")
    (root / "alias").symlink_to("real")
    (root / "file-link").symlink_to("real/photo.jpg")
    (tmp_path / "outside.txt").write_bytes(b"secret")
    (root / "out").symlink_to(tmp_path / "outside.txt")
    (root / "dangling").symlink_to("nowhere")
    (root / "self").symlink_to("self")
    found = collect(open_exhibit(root, "E1"))
    assert found.contents == {
        "E1:alias/photo.jpg": b"photo",
        "E1:file-link": b"photo",
        "E1:real/photo.jpg": b"photo",
    }
    assert found.problem_kinds() == [
        ("E1:alias/up", "link_loop"),
        ("E1:dangling", "unreadable"),
        ("E1:out", "link_outside"),
        ("E1:real/up", "link_loop"),
        ("E1:self", "link_loop"),
    ]
    assert "dangling link" in found.problems[1].message


def test_special_files_are_reported_and_never_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "sock"))
    try:
        device = True
        try:
            os.mknod(tmp_path / "null", stat.S_IFCHR | 0o600, os.makedev(1, 3))
        except PermissionError:
            device = False
        (tmp_path / "ok.txt").write_bytes(b"ok")
        found = collect(open_exhibit(tmp_path, "E1"))
    finally:
        server.close()
    assert found.contents == {"E1:ok.txt": b"ok"}
    expected = [("E1:fifo", "unsupported"), ("E1:sock", "unsupported")]
    if device:
        expected.insert(1, ("E1:null", "unsupported"))
    assert found.problem_kinds() == expected
    assert "a FIFO" in found.problems[0].message


def test_zero_byte_files_are_entries_and_problems(tmp_path: Path) -> None:
    (tmp_path / "empty").write_bytes(b"")
    found = collect(open_exhibit(tmp_path, "E1"))
    assert found.contents == {"E1:empty": b""}
    assert found.problem_kinds() == [("E1:empty", "empty")]


def test_unreadable_files_are_problems_and_the_walk_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests run as root, so the refusal is injected at the system-call seam.
    (tmp_path / "a.txt").write_bytes(b"a")
    (tmp_path / "locked.txt").write_bytes(b"locked")
    (tmp_path / "z.txt").write_bytes(b"z")
    real_open = os.open

    def refuse_locked(target: Any, flags: int, *args: Any) -> int:
        if os.fsdecode(target).endswith("locked.txt"):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(target, flags, *args)

    monkeypatch.setattr(readonly, "_os_open", refuse_locked)
    found = collect(open_exhibit(tmp_path, "E1"))
    assert found.contents == {"E1:a.txt": b"a", "E1:z.txt": b"z"}
    assert found.problem_kinds() == [("E1:locked.txt", "unreadable")]
    assert "Permission denied" in found.problems[0].message


def test_a_folder_that_cannot_be_listed_is_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "x.txt").write_bytes(b"x")
    (tmp_path / "ok.txt").write_bytes(b"ok")
    real_scandir = os.scandir

    def refuse(path: bytes) -> Iterator[os.DirEntry[bytes]]:
        if path.endswith(b"locked"):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(folder, "_scandir", refuse)
    found = collect(open_exhibit(tmp_path, "E1"))
    assert found.contents == {"E1:ok.txt": b"ok"}
    assert found.problem_kinds() == [("E1:locked", "unreadable")]


def test_a_file_that_vanishes_before_it_is_opened_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "gone.txt").write_bytes(b"x")
    (entry,) = FolderSource(tmp_path, SourceRef("E1")).entries()
    assert isinstance(entry, Entry)
    (tmp_path / "gone.txt").unlink()
    (tmp_path / "gone.txt").mkdir()  # a folder swapped in under the same name
    with pytest.raises(EvidenceReadError) as caught:
        entry.open()
    assert caught.value.kind == "unreadable"


def test_large_sparse_file_streams_with_bounded_memory(tmp_path: Path) -> None:
    import hashlib
    import tracemalloc

    size = 256 << 20
    with open(tmp_path / "big.bin", "wb") as out:
        out.truncate(size)
    (entry,) = FolderSource(tmp_path, SourceRef("E1")).entries()
    assert isinstance(entry, Entry)
    digest = hashlib.sha256()
    tracemalloc.start()
    try:
        with entry.open() as stream:
            while data := stream.read(1 << 20):
                digest.update(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert digest.hexdigest() == hashlib.sha256(bytes(size)).hexdigest()
    assert peak < 8 << 20
