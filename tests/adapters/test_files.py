from pathlib import Path

import pytest

from interlink.adapters.files import atomic_output


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
