import os
from pathlib import Path

import pytest

from interlink.adapters.files import atomic_output, open_input, output_folder
from interlink.domain.errors import EvidenceReadError, NotFoundError


def test_the_file_appears_whole_or_not_at_all(tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.json"
    with atomic_output(target) as stream:
        stream.write(b"first")
    assert target.read_bytes() == b"first"
    with pytest.raises(RuntimeError), atomic_output(target) as stream:
        stream.write(b"half of a second vers")
        raise RuntimeError("the export failed")
    assert target.read_bytes() == b"first"
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.json"]


def test_a_folder_or_a_file_in_the_way_is_named(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(IsADirectoryError) as folder, atomic_output(tmp_path):
        pass
    assert folder.value.filename == str(tmp_path)
    with pytest.raises(NotADirectoryError) as in_the_way:
        output_folder(tmp_path / "file")
    assert in_the_way.value.filename == str(tmp_path / "file")
    assert output_folder(tmp_path / "a" / "b").is_dir()


def test_an_input_is_a_regular_file_opened_without_blocking(tmp_path: Path) -> None:
    (tmp_path / "list.csv").write_text("md5\n")
    (tmp_path / "link").symlink_to(tmp_path / "list.csv")
    with open_input(tmp_path / "link") as stream:
        assert stream.read() == b"md5\n"
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(EvidenceReadError, match="a FIFO") as fifo:
        open_input(tmp_path / "fifo")
    assert fifo.value.location == str(tmp_path / "fifo")
    with pytest.raises(NotFoundError):
        open_input(tmp_path / "missing")
