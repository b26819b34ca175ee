"""The contract every evidence source follows.

Each case builds one source over the same benign members; add a case to ``CASES`` and the whole
suite runs against it.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from interlink.domain.problems import Problem
from interlink.domain.provenance import SourceRef
from interlink.sources.base import Entry, Limits, Source
from interlink.sources.budget import Budget
from interlink.sources.compressed import CompressedSource
from interlink.sources.exhibit import Exhibit
from interlink.sources.folder import FolderSource
from interlink.sources.sevenzip import SevenZipSource
from interlink.sources.single import FileSource
from interlink.sources.tar_archive import TarSource
from interlink.sources.zip_archive import ZipSource
from tests.sources.builders import MEMBERS, sevenzip_bytes, tar_bytes, zip_bytes

ROOT = SourceRef("E1")
Build = Callable[[Path, ExitStack], tuple[Source, SourceRef, dict[str, bytes]]]


def _folder(tmp: Path, stack: ExitStack) -> tuple[Source, SourceRef, dict[str, bytes]]:
    for name, data in MEMBERS.items():
        (tmp / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / name).write_bytes(data)
    return FolderSource(tmp, ROOT), ROOT, {f"folder:{k}": v for k, v in MEMBERS.items()}


def _file(tmp: Path, stack: ExitStack) -> tuple[Source, SourceRef, dict[str, bytes]]:
    (tmp / "one.jpg").write_bytes(MEMBERS["photos/one.jpg"])
    return FileSource(tmp / "one.jpg", ROOT), ROOT, {"file:one.jpg": MEMBERS["photos/one.jpg"]}


def _archive(kind: str) -> Build:
    def build(tmp: Path, stack: ExitStack) -> tuple[Source, SourceRef, dict[str, bytes]]:
        ref = ROOT.child("file", "archive")
        budget = Budget(Limits())
        expected = {
            f"{'7z' if kind == '7z' else kind.split('-')[0]}:{k}": v for k, v in MEMBERS.items()
        }
        if kind == "zip":
            return ZipSource(io.BytesIO(zip_bytes(MEMBERS)), ref, budget), ref, expected
        if kind == "7z":
            return SevenZipSource(io.BytesIO(sevenzip_bytes(MEMBERS)), ref, budget), ref, expected
        compression = kind.split("-")[1]
        data = tar_bytes(MEMBERS, {"plain": "", "gzip": "gz", "xz": "xz"}[compression])
        source = TarSource(
            lambda: io.BytesIO(data),
            ref,
            budget,
            in_place=compression == "plain",
            compression=None if compression == "plain" else compression,
        )
        return source, ref, expected

    return build


def _gzip(tmp: Path, stack: ExitStack) -> tuple[Source, SourceRef, dict[str, bytes]]:
    ref = ROOT.child("file", "notes.txt.gz")
    data = gzip.compress(MEMBERS["notes/readme.txt"])
    source = CompressedSource(lambda: io.BytesIO(data), ref, Budget(Limits()), "gzip")
    return source, ref, {"gzip:notes.txt": MEMBERS["notes/readme.txt"]}


def _exhibit(tmp: Path, stack: ExitStack) -> tuple[Source, SourceRef, dict[str, bytes]]:
    (tmp / "a.zip").write_bytes(zip_bytes(MEMBERS))
    expected = {f"zip:{k}": v for k, v in MEMBERS.items()}
    return Exhibit(tmp / "a.zip", "E1", Limits()), ROOT.child("file", "a.zip"), expected


CASES: dict[str, Build] = {
    "folder": _folder,
    "file": _file,
    "zip": _archive("zip"),
    "7z": _archive("7z"),
    "tar-plain": _archive("tar-plain"),
    "tar-gzip": _archive("tar-gzip"),
    "tar-xz": _archive("tar-xz"),
    "gzip": _gzip,
    "exhibit": _exhibit,
}


@pytest.fixture(params=sorted(CASES))
def case(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Source, SourceRef, dict[str, bytes]]]:
    with ExitStack() as stack:
        yield CASES[str(request.param)](tmp_path, stack)


def _key(entry: Entry, container: SourceRef) -> str | None:
    if (
        entry.ref.layers[: len(container.layers)] != container.layers
        or entry.ref.depth != container.depth + 1
    ):
        return None
    layer = entry.ref.layers[-1]
    return f"{layer.kind}:{layer.path}"


def test_yields_every_file_once_with_its_content(
    case: tuple[Source, SourceRef, dict[str, bytes]],
) -> None:
    source, container, expected = case
    seen: dict[str, bytes] = {}
    refs: set[SourceRef] = set()
    for item in source.entries():
        assert isinstance(item, Entry | Problem)
        if isinstance(item, Problem):
            continue
        assert item.ref not in refs
        refs.add(item.ref)
        key = _key(item, container)
        if key is None:
            continue  # the exhibit's own archive entry
        with item.open() as first, item.open() as second:
            data = first.read()
            assert second.read() == data  # each open is a fresh stream from the start
        assert item.size == len(data)
        assert item.ref.exhibit == "E1"
        seen[key] = data
    assert seen == expected


def test_entries_are_read_only_streams(case: tuple[Source, SourceRef, dict[str, bytes]]) -> None:
    source, _, _ = case
    for item in source.entries():
        if isinstance(item, Entry):
            with item.open() as stream:
                assert stream.readable()
                assert not stream.writable()
