"""vPDQ hash files: the feature list of one video, as Meta's ``vpdq-hash-video`` writes it.

Each line is ``frame,quality,pdqhex,timestamp``. Files written by python-threatexchange (a JSON
list of ``"pdqhex,quality,timestamp"`` strings) are read too. Pure: bytes in, records out.

As a list (``read_list``), a line that cannot be read costs that frame, not the video: the video
is kept with every frame that reads, the text of each bad line is kept in ``extra`` as
``vpdq.line_<n>``, and a ``RecordWarning`` names the line. A file with no good frame is an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from interlink.domain.errors import FormatError, InvalidSignalError
from interlink.domain.lists import ListEntry
from interlink.domain.signals import Signal
from interlink.formats._salvage import Salvage, kept
from interlink.formats.base import ListRecord, RecordError
from interlink.signals.vpdq import NAME, Features, VpdqFeature, dumps, loads

#: How a vPDQ file starts: a feature line, or python-threatexchange's JSON list.
_FIRST_LINE = re.compile(r"\s*(\d+,\d+,[0-9a-fA-F]{64},[0-9.]+|\[\s*\"[0-9a-fA-F]{64},)")
#: The largest vPDQ file read as a list (a day of video sampled once a second is ~8 MB).
MAX_BYTES = 64 << 20


def read_vpdq(data: bytes, salvage: Salvage | None = None) -> Features:
    """The features of a vPDQ file; raise ``FormatError`` (naming the bad line) otherwise.

    With ``salvage``, a feature line that cannot be read is noted there and left out; only a
    file with no good line is an error.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatError("a vPDQ file must be UTF-8 text", f"byte {exc.start}") from exc
    if text.lstrip().startswith(("[", "{")):
        try:
            return loads(text)
        except InvalidSignalError as exc:
            raise FormatError(exc.reason) from exc
    features: list[VpdqFeature] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            features.extend(loads(line))
        except InvalidSignalError as exc:
            if salvage is None:
                raise FormatError(exc.reason, f"line {number}") from exc
            salvage.note(f"line {number}", f"line {number}: {exc.reason}", line)
    if not features and salvage is not None and salvage.failures:
        raise FormatError(f"no frame could be read; {salvage.failures[0].reason}")
    if not features:
        raise FormatError("no frames in the vPDQ file")
    return tuple(features)


def write_vpdq(features: Features) -> bytes:
    """A vPDQ file Meta's tools read: one line per feature, ending with a newline."""
    return (dumps(features) + "\n").encode("ascii")


def detect(head: bytes) -> bool:
    """Whether a file starting with ``head`` is a vPDQ file."""
    return bool(_FIRST_LINE.match(head[:256].decode("utf-8-sig", "replace")))


def read_list(stream: BinaryIO) -> Iterator[ListRecord]:
    """A vPDQ file as a list of one known video (for ``interlink lists import``)."""
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        yield RecordError("file", f"over {MAX_BYTES} bytes: not a vPDQ file", fatal=True)
        return
    salvage = Salvage()
    try:
        features = read_vpdq(data, salvage)
    except FormatError as exc:
        yield RecordError(exc.position or "file", exc.reason, fatal=True)
        return
    entry = ListEntry((Signal(NAME, dumps(features)),), media_kind="video")
    yield from kept(entry, salvage.failures, "file", "vpdq")
