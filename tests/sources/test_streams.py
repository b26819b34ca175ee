import io

import pytest

from interlink.domain.errors import ClosedEntryError, EvidenceReadError
from interlink.sources.base import Limits
from interlink.sources.budget import Budget
from interlink.sources.spooling import RatioGuard, spool_stream
from interlink.sources.streams import GuardedReader, RangeReader, Spool, buffered, classify_error


def test_guard_fails_past_the_declared_size() -> None:
    guarded = buffered(GuardedReader(io.BytesIO(b"x" * 100), "E:a", 10))
    with pytest.raises(EvidenceReadError) as caught:
        guarded.read()
    assert caught.value.kind == "archive_bomb"


def test_exact_guard_reports_short_data_as_truncated() -> None:
    guarded = buffered(GuardedReader(io.BytesIO(b"x" * 5), "E:a", 10, exact=True))
    with pytest.raises(EvidenceReadError) as caught:
        guarded.read()
    assert caught.value.kind == "truncated"
    assert buffered(GuardedReader(io.BytesIO(b"x" * 10), "E:a", 10, exact=True)).read() == b"x" * 10


def test_guard_turns_reader_failures_into_evidence_errors() -> None:
    class Broken(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
            raise OSError(5, "Input/output error")

    with pytest.raises(EvidenceReadError) as caught:
        buffered(GuardedReader(Broken(), "E:a", None)).read()
    assert (caught.value.kind, caught.value.location) == ("unreadable", "E:a")
    assert isinstance(caught.value, OSError)  # callers guarding reads with OSError catch it
    assert classify_error(EOFError())[0] == "truncated"
    assert classify_error(ValueError("junk"))[0] == "corrupt"


def test_range_reader_is_a_seekable_window() -> None:
    window = buffered(RangeReader(io.BytesIO(b"0123456789"), 2, 5))
    assert window.read() == b"23456"
    window.seek(1)
    assert window.read(2) == b"34"
    assert window.seekable()


def test_spool_hands_out_fresh_views_and_moves_to_disk() -> None:
    spool = Spool("E:a", memory_bytes=16)
    spool.write(b"a" * 40)
    spool.write(b"b" * 10)
    first, second = spool.open(), spool.open()
    assert first.read(3) == b"aaa"
    assert second.read() == b"a" * 40 + b"b" * 10
    assert first.read() == b"a" * 37 + b"b" * 10
    first.close()
    second.close()
    spool.close()
    with pytest.raises(ClosedEntryError):
        spool.open()


def test_spool_stream_enforces_declared_size_and_budget() -> None:
    budget = Budget(Limits(max_archive_bytes=100))
    ratio = RatioGuard(budget, None)
    with pytest.raises(EvidenceReadError, match="more than its declared"):
        spool_stream(io.BytesIO(b"x" * 20), "E:a", budget, ratio, declared=10, charge=False)
    with pytest.raises(EvidenceReadError, match="ends after 5"):
        spool_stream(io.BytesIO(b"x" * 5), "E:a", budget, ratio, declared=10, charge=False)
    with pytest.raises(EvidenceReadError) as caught:
        spool_stream(io.BytesIO(b"x" * 200), "E:a", budget, ratio, declared=None, charge=True)
    assert caught.value.kind == "archive_bomb"
    spool = spool_stream(
        io.BytesIO(b"x" * 50), "E:a", Budget(Limits()), ratio, declared=50, charge=False
    )
    with spool.open() as view:
        assert view.read() == b"x" * 50
    spool.close()


def test_ratio_guard_stops_a_stream_that_expands_too_far() -> None:
    budget = Budget(Limits(max_ratio=10, ratio_floor=100))
    consumed = 5
    guard = RatioGuard(budget, lambda: consumed)
    assert guard.add(50)
    assert not guard.add(100)
    assert "ratio limit of 10" in guard.message()
