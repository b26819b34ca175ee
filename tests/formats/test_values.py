from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interlink.domain.errors import FormatError
from interlink.domain.signals import Signal
from interlink.formats import _values as v
from tests.formats.strategies import hex_digits, times

TRUE_SPELLINGS = ["true", "True", "TRUE", " yes ", "Y", "1", "t", "on"]
FALSE_SPELLINGS = ["false", "False", "no", "N", "0", "f", "off"]


@given(st.sampled_from(TRUE_SPELLINGS), st.sampled_from(FALSE_SPELLINGS))
def test_booleans_as_strings_are_read(true: str, false: str) -> None:
    assert v.parse_bool(true, "x") is True
    assert v.parse_bool(false, "x") is False


@pytest.mark.parametrize("value", [None, "", "  ", "null", "NULL", "None"])
def test_empty_flags_mean_unknown(value: object) -> None:
    assert v.parse_bool(value, "x") is None


@given(
    st.one_of(
        st.integers().filter(lambda n: n not in (0, 1)),
        st.text().filter(
            lambda s: (
                s.strip().lower()
                not in {
                    "true",
                    "t",
                    "yes",
                    "y",
                    "1",
                    "on",
                    "false",
                    "f",
                    "no",
                    "n",
                    "0",
                    "off",
                    "",
                    "null",
                    "none",
                    "n/a",
                }
            )
        ),
        st.lists(st.booleans()),
    )
)
def test_anything_else_is_not_a_flag(value: object) -> None:
    with pytest.raises(FormatError, match="not a yes/no value"):
        v.parse_bool(value, "IsDistributed")


@given(st.integers(min_value=-(10**18), max_value=10**18))
def test_whole_numbers_as_numbers_or_strings(number: int) -> None:
    assert v.parse_int(number, "x") == number
    assert v.parse_int(f" {number} ", "x") == number
    assert v.parse_int(float(number % 10**6), "x") == number % 10**6


@pytest.mark.parametrize("value", ["1.5", "12a", True, [1], 2.5])
def test_not_whole_numbers_are_refused(value: object) -> None:
    with pytest.raises(FormatError, match="not a whole number"):
        v.parse_int(value, "MediaSize")


def test_text_is_trimmed_numbers_written_out_and_length_bounded() -> None:
    assert v.parse_text("  a b  ", "x") == "a b"
    assert v.parse_text("   ", "x") is None
    assert v.parse_text(12, "x") == "12"
    with pytest.raises(FormatError, match="expected text"):
        v.parse_text({"a": 1}, "Series")
    with pytest.raises(FormatError, match="longer than 4"):
        v.parse_text("abcde", "Series", 4)


@given(times)
def test_times_round_trip_through_their_text(stamp: datetime) -> None:
    assert v.parse_time(v.format_time(stamp), "x") == stamp


@given(times, st.integers(min_value=-14 * 60, max_value=14 * 60))
def test_times_with_offsets_are_converted_to_utc(stamp: datetime, minutes: int) -> None:
    zone = timezone(timedelta(minutes=minutes))
    local = stamp.astimezone(zone).replace(microsecond=0)
    sign = "-" if minutes < 0 else "+"
    offset = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    text = local.replace(tzinfo=None).isoformat() + offset
    assert v.parse_time(text, "x") == local.astimezone(UTC)
    # Some exporters write both an offset and a Z.
    assert v.parse_time(text + "Z", "x") == local.astimezone(UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-06-07T02:31:49.8300Z", datetime(2023, 6, 7, 2, 31, 49, 830000, UTC)),
        ("2023-06-07T02:31:49.1234567Z", datetime(2023, 6, 7, 2, 31, 49, 123456, UTC)),
        ("2023-06-07T02:31:49", datetime(2023, 6, 7, 2, 31, 49, tzinfo=UTC)),
        ("2023-06-07 02:31", datetime(2023, 6, 7, 2, 31, tzinfo=UTC)),
        ("2020-07-31T18:47:52+0000", datetime(2020, 7, 31, 18, 47, 52, tzinfo=UTC)),
        ("/Date(1686105109830)/", datetime(2023, 6, 7, 2, 31, 49, 830000, UTC)),
        ("2023-06-07T03:31:49.830+01:00Z", datetime(2023, 6, 7, 2, 31, 49, 830000, UTC)),
    ],
)
def test_time_dialects_of_real_exports(text: str, expected: datetime) -> None:
    assert v.parse_time(text, "x") == expected


@pytest.mark.parametrize("text", ["yesterday", "2023-13-01T00:00:00Z", "2023-02-30", "12:00"])
def test_not_times_are_refused(text: str) -> None:
    with pytest.raises(FormatError, match="DateUpdated"):
        v.parse_time(text, "DateUpdated")


@given(hex_digits(32), st.sampled_from(["", " ", "\t"]))
def test_hashes_are_normalised_whatever_their_case_and_padding(md5: str, pad: str) -> None:
    assert v.signal("md5", pad + md5.upper() + pad, "MD5") == Signal("md5", md5)


def test_invalid_hashes_are_format_errors_naming_the_field() -> None:
    with pytest.raises(FormatError, match="MD5"):
        v.signal("md5", "abc", "MD5")
    with pytest.raises(FormatError, match="MD5"):
        v.signal("md5", 123, "MD5")
    with pytest.raises(FormatError, match="longer than"):
        v.signal("md5", "a" * 10_000, "MD5")
    assert v.signal("md5", "  ", "MD5") is None
    assert v.signal("md5", None, "MD5") is None


def test_signal_sets_are_canonical_and_refuse_two_md5s() -> None:
    a, b = Signal("md5", "a" * 32), Signal("sha1", "b" * 40)
    assert v.signal_set([b, None, a, b]) == (a, b)
    with pytest.raises(FormatError, match="two different md5"):
        v.signal_set([a, Signal("md5", "c" * 32)])
    pdqs = [Signal("pdq", "0" * 64), Signal("pdq", "f" * 64)]
    assert v.signal_set(pdqs) == tuple(pdqs)


def test_media_kind_of_mime() -> None:
    assert v.media_kind_of_mime("image/jpeg") == "image"
    assert v.media_kind_of_mime("Video/MP4") == "video"
    assert v.media_kind_of_mime("application/pdf") is None
    assert v.media_kind_of_mime(None) is None


@given(times, st.integers(0, 9))
def test_time_text_agrees_with_parse_then_format(stamp: datetime, digits: int) -> None:
    text = (
        stamp.strftime("%Y-%m-%dT%H:%M:%S")
        + ("." + f"{stamp.microsecond:06d}{'0' * 3}"[:digits] if digits else "")
        + "Z"
    )
    expected = v.parse_time(text, "x")
    assert expected is not None
    assert v.time_text(text, "x") == v.format_time(expected)


@pytest.mark.parametrize("text", ["2023-02-30T00:00:00Z", "2023-06-07T25:00:00Z", "soon"])
def test_time_text_refuses_what_parse_time_refuses(text: str) -> None:
    with pytest.raises(FormatError):
        v.time_text(text, "DateUpdated")
