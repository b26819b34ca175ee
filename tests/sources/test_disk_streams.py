"""Streams over a disk image's back-ends: reads that reach the back-end, and their failures."""

from __future__ import annotations

import pytest

from interlink.domain.errors import EvidenceReadError
from interlink.sources import disk_streams
from interlink.sources.disk_streams import open_reader

DATA = bytes(range(256)) * 1200  # 300 KB, a photo's size


class Backend:
    """A back-end over ``data`` that records every read it serves."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.reads: list[tuple[int, int]] = []

    def read_at(self, offset: int, size: int) -> bytes:
        self.reads.append((offset, size))
        return self.data[offset : offset + size]


def test_a_stream_read_whole_is_one_read_of_the_back_end() -> None:
    # Each read goes through the file system, EWF and image back-ends: 8 KB pieces (what
    # ``RawIOBase.readall`` asks for) cost an E01 scan twice the CPU.
    backend = Backend(DATA)
    with open_reader(backend.read_at, len(DATA), "img/f.jpg") as stream:
        stream.seek(1000)
        assert stream.read() == DATA[1000:]
    assert backend.reads == [(1000, len(DATA) - 1000)]


def test_a_head_read_reads_little_more_than_the_head() -> None:
    # The scan sniffs each file's first bytes, then opens it again to read it.
    backend = Backend(DATA)
    with open_reader(backend.read_at, len(DATA), "img/f.jpg") as stream:
        assert stream.read(512) == DATA[:512]
    assert backend.reads == [(0, 64 << 10)]


def test_a_large_stream_read_whole_comes_in_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(disk_streams, "_WHOLE", 100_000)
    backend = Backend(DATA)
    with open_reader(backend.read_at, len(DATA), "img/f.jpg") as stream:
        assert stream.read() == DATA
    assert backend.reads == [(0, 100_000), (100_000, 100_000), (200_000, 100_000), (300_000, 7_200)]


def test_a_stream_that_ends_early_names_where() -> None:
    backend = Backend(DATA[:5000])
    with open_reader(backend.read_at, len(DATA), "img/f.jpg") as stream:
        with pytest.raises(EvidenceReadError, match="ends at offset 5000"):
            stream.read()
