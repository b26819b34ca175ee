"""Streaming JSON for chat exports: one pass, constant memory in the number of messages.

``walk`` yields the scalars found at chosen prefixes (a chat's name, type and id), a marker
where a chosen container starts (a new chat of a whole-account export), and each object at
an item prefix (a message), built whole but one at a time.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any, BinaryIO

import ijson

START = "start"
SCALAR = "scalar"
ITEM = "item"
_SCALARS = frozenset({"string", "number", "boolean", "null"})


def walk(
    stream: BinaryIO,
    *,
    items: Collection[str],
    scalars: Collection[str] = (),
    starts: Collection[str] = (),
) -> Iterator[tuple[str, str, Any]]:
    """``(START, prefix, None)`` where a map at a ``starts`` prefix opens, ``(SCALAR,
    prefix, value)`` for scalars at ``scalars`` prefixes, ``(ITEM, prefix, object)`` for each
    value at an ``items`` prefix (ijson prefixes: ``messages.item``).

    Raises ``ijson.JSONError`` (or ``ijson.IncompleteJSONError``) where the JSON breaks;
    everything yielded before stands.
    """
    events = ijson.parse(stream, use_float=True)
    for prefix, event, value in events:
        if prefix in items and event in ("start_map", "start_array"):
            yield ITEM, prefix, _build(events, event)
        elif prefix in items and event in _SCALARS:
            yield ITEM, prefix, value
        elif event == "start_map" and prefix in starts:
            yield START, prefix, None
        elif event in _SCALARS and prefix in scalars:
            yield SCALAR, prefix, value


def _build(events: Iterator[tuple[str, str, Any]], first: str) -> Any:
    """The value whose opening event was ``first``, read from ``events`` to its close."""
    builder = ijson.ObjectBuilder()
    builder.event(first, None)
    depth = 1
    for _, event, value in events:
        builder.event(event, value)
        if event in ("start_map", "start_array"):
            depth += 1
        elif event in ("end_map", "end_array"):
            depth -= 1
            if depth == 0:
                break
    return builder.value
