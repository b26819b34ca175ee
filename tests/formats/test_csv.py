import io

from interlink.formats._csv import MAX_LINE_BYTES, Row, header_key, rows, sniff_delimiter
from interlink.formats.base import RecordError


def test_the_delimiter_is_told_from_the_first_line() -> None:
    assert sniff_delimiter("MD5;SHA1;Series name") == ";"
    assert sniff_delimiter("md5,sha1") == ","
    assert sniff_delimiter("md5\tsha1") == "\t"
    assert sniff_delimiter("md5") == ";"


def test_rows_keep_their_line_numbers_and_skip_blank_lines() -> None:
    data = b'\n\nh1;h2\n\na;b\n;\n"multi\nline";c\n'
    found = list(rows(io.BytesIO(data)))
    assert found == [
        Row(3, ["h1", "h2"]),
        Row(5, ["a", "b"]),
        Row(8, ["multi\nline", "c"]),
    ]


def test_bad_lines_are_errors_and_the_rest_is_read() -> None:
    huge = b"z" * (MAX_LINE_BYTES + 10)
    field = b"q" * 200_000
    data = b"h1;h2\n" + huge + b";x\na;b\n" + field + b";y\nc;d\n"
    found = list(rows(io.BytesIO(data)))
    assert found[0] == Row(1, ["h1", "h2"])
    assert isinstance(found[1], RecordError) and found[1].position == "line 2"
    assert "longer than" in found[1].reason
    assert found[2] == Row(3, ["a", "b"])
    assert isinstance(found[3], RecordError) and found[3].position == "line 4"
    assert found[4] == Row(5, ["c", "d"])


def test_an_overlong_first_line_ends_the_stream() -> None:
    data = b"h" * (MAX_LINE_BYTES + 10) + b"\na;b\n"
    found = list(rows(io.BytesIO(data)))
    assert len(found) == 1
    assert isinstance(found[0], RecordError) and found[0].fatal


def test_header_keys_compare_loosely() -> None:
    assert header_key("\ufeff  Image   ID ") == "image id"
