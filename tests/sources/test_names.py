import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interlink.sources.names import UniquePaths, member_name


@pytest.mark.parametrize(
    ("raw", "path", "traversal"),
    [
        ("photos/a.jpg", "photos/a.jpg", False),
        ("./photos//a.jpg", "photos/a.jpg", False),
        ("../../etc/passwd", "etc/passwd", True),
        ("/etc/passwd", "etc/passwd", True),
        ("C:\\Windows\\evil.dll", "Windows/evil.dll", True),
        ("c:relative.txt", "relative.txt", True),
        ("..\\..\\up.txt", "up.txt", True),
        ("dir\\file.txt", "dir/file.txt", False),
        ("\\\\server\\share\\x", "server/share/x", True),
        ("a/../b", "a/b", True),
        ("..", "_unnamed", True),
        ("", "_unnamed", False),
    ],
)
def test_hostile_names_are_sanitised(raw: str, path: str, traversal: bool) -> None:
    name = member_name(raw)
    assert (name.path, name.traversal, name.utf8) == (path, traversal, True)


def test_non_utf8_bytes_are_escaped_per_part() -> None:
    name = member_name(b"dir\\bad\xff.jpg")
    assert (name.path, name.traversal, name.utf8) == ("dir/bad\\xff.jpg", False, False)
    assert member_name("sur\udcfe/x").path == "sur\\xfe/x"


@given(st.one_of(st.binary(max_size=60), st.text(max_size=60)))
def test_a_sanitised_path_never_leaves_its_archive(raw: bytes | str) -> None:
    name = member_name(raw)
    parts = name.path.split("/")
    assert all(part not in ("", ".", "..") for part in parts)
    assert not re.match(r"^[A-Za-z]:", name.path)
    sep = b"/" if isinstance(raw, bytes) else "/"
    raw_parts = raw.replace(b"\\" if isinstance(raw, bytes) else "\\", sep).split(sep)  # type: ignore[arg-type]
    if any(part in ("..", b"..") for part in raw_parts):
        assert name.traversal


def test_unique_paths_number_repeats() -> None:
    unique = UniquePaths()
    assert [unique.claim(p) for p in ("a", "a", "a#2", "a", "b")] == [
        "a",
        "a#2",
        "a#2#2",
        "a#3",
        "b",
    ]
