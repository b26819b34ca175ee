import errno
import os
from pathlib import Path
from typing import Any

import pytest

from interlink.domain.errors import EvidenceReadError
from interlink.sources import readonly
from interlink.sources.readonly import open_evidence, open_readonly


def test_opens_a_regular_file_read_only(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"benign")
    with open_readonly(path) as stream:
        assert stream.read() == b"benign"
        assert not stream.writable()


def test_reading_does_not_change_the_access_time(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"benign")
    # An access time older than the modification time is updated on read under relatime.
    os.utime(path, ns=(1_000_000_000, 2_000_000_000_000_000_000))
    with open_evidence(path) as stream:
        stream.read()
    assert os.stat(path).st_atime_ns == 1_000_000_000


def test_falls_back_without_noatime_when_not_permitted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"benign")
    calls: list[int] = []
    real_open = os.open

    def refuse_noatime(target: Any, flags: int, *args: Any) -> int:
        calls.append(flags)
        if flags & getattr(os, "O_NOATIME", 0):
            raise PermissionError(errno.EPERM, "Operation not permitted")
        return real_open(target, flags, *args)

    monkeypatch.setattr(readonly, "_os_open", refuse_noatime)
    with open_readonly(path) as stream:
        assert stream.read() == b"benign"
    assert len(calls) == (2 if getattr(os, "O_NOATIME", 0) else 1)


def test_refuses_fifos_without_blocking_and_links(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(EvidenceReadError, match="a FIFO") as caught:
        open_readonly(fifo)
    assert caught.value.kind == "unreadable"
    (tmp_path / "target").write_bytes(b"x")
    (tmp_path / "link").symlink_to(tmp_path / "target")
    with pytest.raises(EvidenceReadError, match="it is a link"):
        open_readonly(tmp_path / "link")
    with pytest.raises(EvidenceReadError, match="a folder"):
        open_readonly(tmp_path)


def test_a_refused_open_is_an_unreadable_evidence_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(target: Any, flags: int, *args: Any) -> int:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(readonly, "_os_open", refuse)
    with pytest.raises(EvidenceReadError, match="Permission denied") as caught:
        open_evidence(tmp_path / "a.txt")
    assert caught.value.kind == "unreadable"
