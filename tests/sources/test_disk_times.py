"""Times of a disk image's files: the same text as dfdatetime's, however it is computed."""

from __future__ import annotations

import random
from typing import Any

import pytest
from dfdatetime import fat_date_time, filetime, hfs_time, posix_time

from interlink.sources.disk_times import iso8601, times

_DAY = 86400
_YEAR_10000 = 253402300800  # POSIX seconds at 10000-01-01


def _values() -> list[Any]:
    rng = random.Random(16)
    values: list[Any] = []
    edges = [0, 1, _DAY - 1, _DAY, 951782400, 951868799, 4107542399, _YEAR_10000 - 1]
    for seconds in edges + [rng.randrange(0, _YEAR_10000) for _ in range(3000)]:
        values.append(posix_time.PosixTime(timestamp=seconds))
        nanos = seconds * 10**9 + rng.randrange(10**9)
        values.append(posix_time.PosixTimeInNanoseconds(timestamp=nanos))
    # FILETIME: 100 ns since 1601, to past year 9999 and the largest it holds.
    for ticks in [0, 1, 10**7 - 1, 2**63, 2**64 - 1] + [
        rng.randrange(0, 2**64) for _ in range(3000)
    ]:
        values.append(filetime.Filetime(timestamp=ticks))
    values += [
        posix_time.PosixTime(timestamp=-1),  # before the epoch: dfdatetime's own text
        posix_time.PosixTimeInNanoseconds(timestamp=None),
        filetime.Filetime(timestamp=2**64),  # out of range: None
        posix_time.PosixTime(time_zone_offset=60, timestamp=1_700_000_000),
        hfs_time.HFSTime(timestamp=3_800_000_000),  # another kind: dfdatetime's text
        fat_date_time.FATDateTime(fat_date_time=0xA8D03D0C),
    ]
    return values


def test_iso8601_is_dfdatetimes_text_for_every_kind_and_range() -> None:
    values = _values()
    assert [iso8601(v) for v in values] == [v.CopyToDateTimeStringISO8601() for v in values]


class _Entry:
    """The time attributes of a dfVFS file entry, one of them failing as back-ends do."""

    modification_time = posix_time.PosixTimeInNanoseconds(timestamp=1_700_000_000_123_456_789)
    change_time = None
    creation_time = filetime.Filetime(timestamp=133_000_000_000_000_000)

    @property
    def access_time(self) -> Any:
        raise OSError("unreadable $STANDARD_INFORMATION")


def test_times_gives_the_times_an_entry_has_and_its_modification_value() -> None:
    entry = _Entry()
    found, modified = times(entry)
    assert found == {
        "m": "2023-11-14T22:13:20.123456789+00:00",
        "b": "2022-06-18T04:26:40.0000000+00:00",
    }
    assert modified is entry.modification_time


def test_an_entry_without_a_modification_time_has_none() -> None:
    class _Unmodified(_Entry):
        @property
        def modification_time(self) -> Any:
            raise OSError("unreadable inode")

    found, modified = times(_Unmodified())
    assert found == {"b": "2022-06-18T04:26:40.0000000+00:00"} and modified is None


@pytest.mark.parametrize("kind", [posix_time.PosixTime, filetime.Filetime])
def test_a_value_without_timestamp_has_no_text(kind: Any) -> None:
    assert iso8601(kind()) is None
