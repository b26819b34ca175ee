"""Streaming JSON for chat exports: one pass, constant memory in the number of messages.

``walk`` yields the scalars found at chosen prefixes (a chat's name, type and id), a marker
where a chosen container starts (a new chat of a whole-account export), and each object at
an item prefix (a message), built whole but one at a time.

Prefixes are ijson's (``chats.list.item.messages.item``). The structure around the items
(a few maps and arrays) is walked here; each item is decoded whole by the standard library's
C decoder (``json.JSONDecoder.raw_decode``) from a window of the text, which is what makes the
reading fast: no Python call per token of a message. The window holds at least ``WINDOW``
characters past the value being decoded (or the rest of the file); a value that does not
decode is retried with a window twice as large, up to ``LARGEST``, past which (or at the end
of the file) the JSON breaks there: ``JSONBreak`` names the character offset.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Collection, Iterator
from typing import Any, BinaryIO

import ijson

START = "start"
SCALAR = "scalar"
ITEM = "item"
#: Characters kept past the value being decoded (a number is never cut by the window).
WINDOW = 1 << 20
#: The largest single value (a message) decoded, in characters.
LARGEST = 1 << 26
_READ = 1 << 20
_SPACE = re.compile(r"[^ \t\n\r]")


def _skip(text: str, pos: int) -> int:
    """The position of the first character from ``pos`` that is not JSON white space."""
    if pos < len(text) and text[pos] not in " \t\n\r":
        return pos
    found = _SPACE.search(text, pos)
    return len(text) if found is None else found.start()


class JSONBreak(ijson.JSONError):  # type: ignore[misc]
    """The JSON stops being well formed (or valid UTF-8) here."""


class _Text:
    """A sliding window of the decoded text of a binary stream."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.text = ""
        self.pos = 0
        self.dropped = 0  # characters before ``text`` (for offsets in problems)
        self.eof = False
        self.broken: str | None = None  # why the text ends early (bytes not UTF-8)

    def fill(self, wanted: int) -> None:
        """Read until ``wanted`` characters are held past ``pos`` (or the text ends)."""
        if self.pos:
            self.text = self.text[self.pos :]
            self.dropped += self.pos
            self.pos = 0
        parts = [self.text]
        held = len(self.text)
        while held < wanted and not self.eof:
            raw = self.stream.read(max(_READ, wanted - held))
            final = not raw
            try:
                part = self.decoder.decode(raw, final)
            except UnicodeDecodeError as exc:
                good = raw[: max(0, exc.start)]
                part = codecs.decode(good, "utf-8", errors="ignore") if good else ""
                offset = self.dropped + held + len(part)
                self.broken = f"bytes that are not UTF-8 at character {offset}"
                final = True
            parts.append(part)
            held += len(part)
            self.eof = final
        self.text = "".join(parts)

    def where(self) -> str:
        return f"character {self.dropped + self.pos}"

    def fail(self, reason: str) -> JSONBreak:
        if self.broken:
            return JSONBreak(self.broken)
        return JSONBreak(f"{reason} at {self.where()}")

    def peek(self) -> str:
        """The next character that is not white space (``""`` at the end)."""
        while True:
            self.pos = _skip(self.text, self.pos)
            if self.pos < len(self.text):
                return self.text[self.pos]
            if self.eof:
                return ""
            self.fill(WINDOW)

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise self.fail(f"expected {char!r}")
        self.pos += 1

    def value(self, decoder: json.JSONDecoder) -> Any:
        """Decode the value that starts at ``pos`` (white space skipped)."""
        self.peek()
        if len(self.text) - self.pos < WINDOW // 2 and not self.eof:
            self.fill(WINDOW)
        wanted = WINDOW
        while True:
            try:
                found, end = decoder.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as exc:
                if self.eof or wanted >= LARGEST:
                    self.pos = max(self.pos, min(exc.pos, len(self.text)))
                    raise self.fail(exc.msg) from None
                wanted *= 2
                self.fill(wanted)
                continue
            self.pos = end
            return found


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

    Raises ``JSONBreak`` (an ``ijson.JSONError``) where the JSON breaks; everything yielded
    before stands. One loop over an explicit stack of the open maps and arrays (no generator
    per level: a message passes up no chain of them).
    """
    text = _Text(stream)
    text.fill(WINDOW)
    decoder = json.JSONDecoder()
    items = frozenset(items)
    scalars = frozenset(scalars)
    starts = frozenset(starts)
    # Open containers: (is a map, its prefix, the prefix of an array's items).
    stack: list[tuple[bool, str, str]] = []
    prefix = ""
    if text.peek() == "":
        raise text.fail("no JSON value")
    while True:
        char = text.peek()
        if prefix in items:
            yield ITEM, prefix, text.value(decoder)
        elif char == "{":
            if prefix in starts:
                yield START, prefix, None
            text.pos += 1
            if text.peek() == "}":
                text.pos += 1
            else:
                stack.append((True, prefix, ""))
                prefix = _key(text, decoder, prefix)
                continue
        elif char == "[":
            text.pos += 1
            inner = f"{prefix}.item" if prefix else "item"
            if text.peek() == "]":
                text.pos += 1
            else:
                stack.append((False, prefix, inner))
                prefix = inner
                continue
        elif char == "":
            raise text.fail("the JSON ends early")
        else:
            found = text.value(decoder)
            if prefix in scalars:
                yield SCALAR, prefix, found
        # After a value: the next one in its container, or close containers.
        while stack:
            is_map, parent, inner = stack[-1]
            char = text.peek()
            text.pos += 1
            if char == ",":
                prefix = _key(text, decoder, parent) if is_map else inner
                break
            if char == ("}" if is_map else "]"):
                stack.pop()
                continue
            text.pos -= 1
            raise text.fail("expected ',' or '}'" if is_map else "expected ',' or ']'")
        else:
            break
    if text.peek() != "":
        raise text.fail("extra data after the JSON value")
    if text.broken:
        raise JSONBreak(text.broken)


def _key(text: _Text, decoder: json.JSONDecoder, parent: str) -> str:
    """Read a map's key and its colon; answer the prefix of its value."""
    if text.peek() != '"':
        raise text.fail("expected a key")
    key = text.value(decoder)
    text.expect(":")
    return f"{parent}.{key}" if parent else str(key)
