"""Byte-level tolerance shared by the readers: byte-order marks, UTF-16 exports, long lines.

Exporters write UTF-8 with or without a BOM, and some Windows tools write UTF-16 with one.
``utf8_stream`` turns all of these into a plain UTF-8 byte stream, streaming, so the parsers
see one encoding. ``text_lines`` reads lines with a bound on their length, so one runaway line
cannot take the memory of the whole file.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from typing import BinaryIO

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

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
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
