"""Byte-level tolerance shared by the readers: byte-order marks, UTF-16 exports, long lines.

Exporters write UTF-8 with or without a BOM, and some Windows tools write UTF-16 with one.
``utf8_stream`` turns all of these into a plain UTF-8 byte stream, streaming, so the parsers
see one encoding. ``text_lines`` reads lines with a bound on their length, so one runaway line
cannot take the memory of the whole file. ``depth_guard`` bounds how deeply JSON may nest
before a parser sees it.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

_CHUNK = 1 << 16
_UTF8_BOM = codecs.BOM_UTF8
_UTF16_BOMS = ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


class _Chained(io.RawIOBase):
    """``head`` followed by the rest of ``stream``; optionally transcoded to UTF-8."""

    def __init__(self, head: bytes, stream: BinaryIO, encoding: str | None = None) -> None:
        self._buffer = bytearray()
        self._stream = stream
        self._decoder = codecs.getincrementaldecoder(encoding)("replace") if encoding else None
        self._done = False
        self._feed(head)

    def _feed(self, data: bytes, final: bool = False) -> None:
        if self._decoder is None:
            self._buffer += data
        else:
            self._buffer += self._decoder.decode(data, final).encode("utf-8")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        target = memoryview(buffer).cast("B")
        while len(self._buffer) < len(target) and not self._done:
            data = self._stream.read(_CHUNK)
            if not data:
                self._done = True
                self._feed(b"", final=True)
            else:
                self._feed(data)
        count = min(len(target), len(self._buffer))
        target[:count] = self._buffer[:count]
        del self._buffer[:count]
        return count


def utf8_stream(stream: BinaryIO) -> io.BufferedReader:
    """``stream`` as UTF-8 bytes without a byte-order mark, whatever Unicode form it had.

    A UTF-8 BOM is dropped; a UTF-16 BOM (either byte order) makes the rest be transcoded.
    Anything else passes through unchanged.
    """
    head = stream.read(4)
    if head.startswith(_UTF8_BOM):
        return io.BufferedReader(_Chained(head[len(_UTF8_BOM) :], stream), _CHUNK)
    for bom, encoding in _UTF16_BOMS:
        if head.startswith(bom):
            return io.BufferedReader(_Chained(head[len(bom) :], stream, encoding), _CHUNK)
    return io.BufferedReader(_Chained(head, stream), _CHUNK)


def decode_head(head: bytes) -> str:
    """The first bytes of a file as text, whatever Unicode form (for format detection)."""
    if head.startswith(_UTF8_BOM):
        return head[len(_UTF8_BOM) :].decode("utf-8", "replace")
    for bom, encoding in _UTF16_BOMS:
        if head.startswith(bom):
            return head[len(bom) :].decode(encoding, "replace")
    return head.decode("utf-8", "replace")


def decode_line(raw: bytes) -> str:
    """One line of a text export: UTF-8 if it is, else Windows-1252 (what spreadsheet tools
    write on Windows), else Latin-1, which decodes any byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def text_lines(stream: BinaryIO, max_bytes: int) -> Iterator[str | None]:
    """Each line of ``stream`` (any Unicode form) decoded, newline kept; ``None`` in place of a
    line longer than ``max_bytes``, which is skipped without being held in memory."""
    source = utf8_stream(stream)
    while True:
        raw = source.readline(max_bytes + 1)
        if not raw:
            return
        if len(raw) > max_bytes and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):
                raw = source.readline(_CHUNK)
            yield None
            continue
        yield decode_line(raw)


_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")
_DEPTH_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


class DepthGuard(io.RawIOBase):
    """Passes JSON bytes through, but ends the stream just before the first bracket that nests
    arrays and objects deeper than ``max_depth`` (brackets inside strings do not count), and
    sets ``failure``.

    ijson keeps the path of every level as a string, so its memory grows with the square of
    the depth: a 200 kB file of nested brackets would take tens of gigabytes. This guard sees
    each chunk before the parser does. An unfinished string at a chunk's end is held back
    until it is whole; reads grow with it, so the scan stays linear. Only the brackets outside
    strings reach Python, a handful per record.
    """

    def __init__(self, stream: BinaryIO, max_depth: int) -> None:
        self._stream = stream
        self._max = max_depth
        self._depth = 0
        self._held = b""
        self._out = bytearray()
        self._done = False
        #: Why the stream was cut short, once it has been.
        self.failure: str | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        target = memoryview(buffer).cast("B")
        while len(self._out) < len(target) and not self._done:
            data = self._stream.read(max(_CHUNK, len(self._held)))
            if not data:
                self._done = True
                self._out += self._held
                self._held = b""
                break
            buffer = self._held + data
            plain = buffer
            if b"\\" in plain:  # blank escapes (same length) so quotes delimit strings exactly
                plain = plain.replace(b"\\\\", b"__").replace(b'\\"', b"__")
            parts = plain.split(b'"')
            end = len(buffer) if len(parts) % 2 else plain.rindex(b'"')
            if not self._fits(b"".join(parts[0::2])):
                # Hand on what comes before the offending bracket and end there: the parser
                # reads the records before it, then fails on the cut, and ``failure`` says why.
                self._out += buffer[: self._too_deep_at(plain)]
                self.failure = f"JSON nested deeper than {self._max} levels"
                self._done = True
                break
            self._out += buffer[:end]
            self._held = buffer[end:]
        count = min(len(target), len(self._out))
        target[:count] = self._out[:count]
        del self._out[:count]
        return count

    def _fits(self, outside: bytes) -> bool:
        depth = self._depth
        for byte in outside.translate(None, _NOT_BRACKETS):
            depth += _DEPTH_STEP[byte]
            if depth > self._max:
                return False
        self._depth = depth
        return True

    def _too_deep_at(self, plain: bytes) -> int:
        """Where in ``plain`` (escapes blanked) the depth first exceeds the bound."""
        depth, inside = self._depth, False
        for index, byte in enumerate(plain):
            if byte == 0x22:
                inside = not inside
            elif not inside and byte in _DEPTH_STEP:
                depth += _DEPTH_STEP[byte]
                if depth > self._max:
                    return index
        return len(plain)


def depth_guard(stream: BinaryIO, max_depth: int) -> tuple[io.BufferedReader, DepthGuard]:
    """``stream`` (UTF-8 JSON) unchanged up to where it nests deeper than ``max_depth``, and
    the guard whose ``failure`` says whether it was cut there."""
    guard = DepthGuard(stream, max_depth)
    return io.BufferedReader(guard, _CHUNK), guard
