import codecs
import io
import json

from hypothesis import given
from hypothesis import strategies as st

from interlink.formats._text import (
    decode_head,
    decode_line,
    depth_guard,
    text_lines,
    utf8_stream,
)

SAMPLE = "MD5;Series name\nabc;Café ünd 東京\n"


@given(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le-bom", "utf-16-be-bom"]))
def test_every_unicode_form_reads_as_plain_utf8(form: str) -> None:
    if form == "utf-16-le-bom":
        data = codecs.BOM_UTF16_LE + SAMPLE.encode("utf-16-le")
    elif form == "utf-16-be-bom":
        data = codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be")
    else:
        data = SAMPLE.encode(form)
    assert utf8_stream(io.BytesIO(data)).read() == SAMPLE.encode("utf-8")
    assert decode_head(data) == SAMPLE


@given(st.text(st.characters(exclude_categories=["Cs"]), max_size=3000), st.booleans())
def test_transcoding_streams_whatever_the_length(content: str, big_endian: bool) -> None:
    bom, encoding = (
        (codecs.BOM_UTF16_BE, "utf-16-be") if big_endian else (codecs.BOM_UTF16_LE, "utf-16-le")
    )
    data = bom + content.encode(encoding)
    stream = utf8_stream(io.BytesIO(data))
    out = b"".join(iter(lambda: stream.read(7), b""))
    assert out == content.encode("utf-8")


def test_short_inputs_pass_through() -> None:
    assert utf8_stream(io.BytesIO(b"")).read() == b""
    assert utf8_stream(io.BytesIO(b"ab")).read() == b"ab"


def test_lines_are_decoded_as_utf8_else_windows_1252() -> None:
    assert decode_line("Café".encode()) == "Café"
    assert decode_line("Café".encode("cp1252")) == "Café"
    assert decode_line(b"\x81\x8d") == "\x81\x8d"


def test_overlong_lines_become_none_and_reading_goes_on() -> None:
    data = b"a\n" + b"x" * 5000 + b"\nb\n" + b"y" * 5000
    assert list(text_lines(io.BytesIO(data), 100)) == ["a\n", None, "b\n", None]


def _true_depth(text: str) -> int:
    depth = deepest = 0
    inside = escaped = False
    for char in text:
        if inside:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                inside = False
        elif char == '"':
            inside = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='ab[]{}"\\ é', max_size=8),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(alphabet='k[]"\\', max_size=4), children, max_size=3)
    ),
    max_leaves=30,
)


@given(json_values, st.integers(1, 12), st.integers(1, 9))
def test_the_depth_guard_passes_json_through_and_measures_its_true_depth(
    value: object, limit: int, read_size: int
) -> None:

    text = json.dumps(value, ensure_ascii=False)
    data = text.encode()
    stream, guard = depth_guard(io.BytesIO(data), limit)
    out = b"".join(iter(lambda: stream.read(read_size), b""))
    if _true_depth(text) > limit:
        assert guard.failure is not None
        assert data.startswith(out) and _true_depth(out.decode()) == limit
        assert data[len(out) : len(out) + 1] in (b"[", b"{")
    else:
        assert guard.failure is None
        assert out == data
