"""vPDQ hash files: the feature list of one video, as Meta's ``vpdq-hash-video`` writes it.

Each line is ``frame,quality,pdqhex,timestamp``. Files written by python-threatexchange (a JSON
list of ``"pdqhex,quality,timestamp"`` strings) are read too. Pure: bytes in, records out.
"""

from __future__ import annotations

from interlink.domain.errors import FormatError, InvalidSignalError
from interlink.signals.vpdq import Features, VpdqFeature, dumps, loads


def read_vpdq(data: bytes) -> Features:
    """The features of a vPDQ file; raise ``FormatError`` (naming the bad line) otherwise."""
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
            raise FormatError(exc.reason, f"line {number}") from exc
    if not features:
        raise FormatError("no frames in the vPDQ file")
    return tuple(features)


def write_vpdq(features: Features) -> bytes:
    """A vPDQ file Meta's tools read: one line per feature, ending with a newline."""
    return (dumps(features) + "\n").encode("ascii")
