"""The streaming JSON walk gives what ijson's events give, and breaks where the JSON does."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import ijson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interlink.chats import jsonstream
from interlink.chats.jsonstream import ITEM, SCALAR, START, JSONBreak, walk

ITEMS = {"messages.item", "chats.list.item.messages.item", "item"}
SCALARS = {"name", "id", "chats.list.item.name", "participants.item.name", "about"}
STARTS = {"chats.list.item"}


def reference(data: bytes) -> Iterator[tuple[str, str, Any]]:
    """The same walk over ijson's events and object builder (the reader before the C decoder
    did the items)."""
    events = ijson.parse(io.BytesIO(data), use_float=True)
    for prefix, event, value in events:
        if prefix in ITEMS and event in ("start_map", "start_array"):
            builder = ijson.ObjectBuilder()
            builder.event(event, value)
            depth = 1
            for _, inner, inner_value in events:
                builder.event(inner, inner_value)
                depth += inner in ("start_map", "start_array")
                depth -= inner in ("end_map", "end_array")
                if depth == 0:
                    break
            yield ITEM, prefix, builder.value
        elif prefix in ITEMS and event in ("string", "number", "boolean", "null"):
            yield ITEM, prefix, value
        elif event == "start_map" and prefix in STARTS:
            yield START, prefix, None
        elif event in ("string", "number", "boolean", "null") and prefix in SCALARS:
            yield SCALAR, prefix, value


def ours(data: bytes) -> list[tuple[str, str, Any]]:
    return list(walk(io.BytesIO(data), items=ITEMS, scalars=SCALARS, starts=STARTS))


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(max_size=12),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(["name", "id", "text", "about", "x", "é"]), inner, max_size=4
        ),
    ),
    max_leaves=12,
)
documents = st.one_of(
    values,
    st.fixed_dictionaries({"name": scalars, "id": scalars, "messages": st.lists(values)}),
    st.fixed_dictionaries(
        {
            "about": scalars,
            "chats": st.fixed_dictionaries(
                {
                    "list": st.lists(
                        st.fixed_dictionaries({"name": scalars, "messages": st.lists(values)}),
                        max_size=3,
                    )
                }
            ),
        }
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.sampled_from([None, 1, 2]))
def test_the_walk_gives_what_ijson_gives(document: Any, indent: int | None) -> None:
    data = json.dumps(document, indent=indent, ensure_ascii=False).encode("utf-8")
    assert ours(data) == list(reference(data))


def _events_until_break(data: bytes) -> tuple[list[tuple[str, str, Any]], bool]:
    found: list[tuple[str, str, Any]] = []
    try:
        for event in walk(io.BytesIO(data), items=ITEMS, scalars=SCALARS, starts=STARTS):
            found.append(event)
    except JSONBreak:
        return found, True
    return found, False


def test_a_cut_document_keeps_every_whole_item_before_the_cut() -> None:
    document = {"name": "n", "messages": [{"id": i, "text": f"m{i}"} for i in range(6)]}
    data = json.dumps(document, indent=1).encode("utf-8")
    whole = ours(data)
    for cut in range(1, len(data) - 1):
        found, broke = _events_until_break(data[:cut])
        assert broke, cut
        assert found == whole[: len(found)]
        items = sum(1 for event, _, _ in found if event == ITEM)
        assert items == data[:cut].count(b"}")  # every closed message, none else


def test_a_message_larger_than_the_window_is_read_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonstream, "WINDOW", 64)
    monkeypatch.setattr(jsonstream, "_READ", 16)
    document = {"messages": [{"id": 1, "text": "x" * 1000}, {"id": 2, "text": "é" * 300}, 12345]}
    data = json.dumps(document, ensure_ascii=False).encode("utf-8")
    assert ours(data) == list(reference(data))


def test_bad_input_breaks_with_where() -> None:
    cases = {
        b'{"messages": [{"id": 1}, {"id": 2,, }]}': "character",
        b'{"messages": [{"id": 1}] "x"': "expected",
        b'{"messages": [{"id": 1}]} trailing': "extra data",
        b"": "no JSON value",
    }
    for data, words in cases.items():
        found, broke = _events_until_break(data)
        assert broke
        with pytest.raises(JSONBreak, match=words):
            ours(data)
    found, _ = _events_until_break(b'{"messages": [{"id": 1}, {"id": 2}]}')
    assert [value for _, _, value in found] == [{"id": 1}, {"id": 2}]


def test_bytes_that_are_not_utf8_break_after_what_came_before() -> None:
    data = b'{"messages": [{"id": 1, "text": "ok"}, {"id": 2, "text": "\xff\xfe"}]}'
    found, broke = _events_until_break(data)
    assert broke and found == [(ITEM, "messages.item", {"id": 1, "text": "ok"})]
    with pytest.raises(JSONBreak, match="not UTF-8"):
        ours(data)


def test_a_byte_order_mark_is_skipped() -> None:
    data = b"\xef\xbb\xbf" + json.dumps({"messages": [{"id": 1}]}).encode()
    assert ours(data) == [(ITEM, "messages.item", {"id": 1})]
