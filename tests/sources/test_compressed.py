import bz2
import gzip
import lzma
from pathlib import Path

import pytest

from interlink.sources.base import Limits
from interlink.sources.exhibit import open_exhibit
from tests.sources.builders import collect, jpeg, zip_bytes


def test_gzip_member_is_named_from_its_header(tmp_path: Path) -> None:
    photo = jpeg(3)
    with (
        open(tmp_path / "renamed.gz", "wb") as raw,
        gzip.GzipFile("holiday.jpg", "wb", fileobj=raw, mtime=1_600_000_000) as out,
    ):
        out.write(photo)
    found = collect(open_exhibit(tmp_path, "E1"))
    assert found.contents["E1:renamed.gz!holiday.jpg"] == photo
    assert found.kinds["E1:renamed.gz!holiday.jpg"] == ["folder", "gzip"]
    assert found.problems == []


@pytest.mark.parametrize(
    ("suffix", "compress", "kind"), [(".bz2", bz2.compress, "bzip2"), (".xz", lzma.compress, "xz")]
)
def test_other_streams_are_named_from_the_container(
    tmp_path: Path, suffix: str, compress: object, kind: str
) -> None:
    assert callable(compress)
    (tmp_path / f"photo.jpg{suffix}").write_bytes(compress(jpeg(4)))
    found = collect(open_exhibit(tmp_path, "E1"))
    assert found.contents[f"E1:photo.jpg{suffix}!photo.jpg"] == jpeg(4)
    assert found.kinds[f"E1:photo.jpg{suffix}!photo.jpg"] == ["folder", kind]


def test_a_compressed_archive_inside_is_expanded(tmp_path: Path) -> None:
    (tmp_path / "bundle.zip.xz").write_bytes(lzma.compress(zip_bytes({"a.txt": b"inner"})))
    found = collect(open_exhibit(tmp_path, "E1"))
    assert found.contents["E1:bundle.zip.xz!bundle.zip!a.txt"] == b"inner"


def test_bombs_truncation_and_corruption(tmp_path: Path) -> None:
    (tmp_path / "zeros.gz").write_bytes(gzip.compress(bytes(3 << 20)))
    whole = gzip.compress(jpeg(5) * 20)
    (tmp_path / "cut.gz").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "junk.bz2").write_bytes(b"BZh9" + b"\x00" * 100)
    found = collect(open_exhibit(tmp_path, "E1", Limits(max_ratio=50, ratio_floor=1 << 20)))
    assert found.problem_kinds() == [
        ("E1:cut.gz!cut", "truncated"),
        ("E1:junk.bz2!junk", "corrupt"),
        ("E1:zeros.gz!zeros", "archive_bomb"),
    ]
    found = collect(open_exhibit(tmp_path / "zeros.gz", "E1", Limits(max_archive_bytes=1 << 20)))
    assert [kind for _, kind in found.problem_kinds()] == ["archive_bomb"]
