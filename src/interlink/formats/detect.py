"""Which interchange format a file is in, from its first bytes (for ``--format auto``).

Detection looks only at content, never at the file name, and answers ``None`` rather than
guess: a caller then asks the user for ``--format``. Headerless HMA files cannot be told from
any other list of hashes, so they are never detected.
"""

from __future__ import annotations

import re

from interlink.formats import hashcsv, vpdq
from interlink.formats._csv import header_key, sniff_delimiter
from interlink.formats._text import decode_head

#: How many leading bytes ``detect`` needs to decide.
HEAD_BYTES = 1 << 16

_VICS = re.compile(
    r"vicsdatamodel|projectvic|\"odata\.(?:metadata|context)\"|@odata\.context", re.I
)
_VICS_SHAPE = re.compile(r'"(?:MD5|Media|MediaID)"\s*:', re.I)
_NCMEC = re.compile(r"hashsharing|<queryResult[\s>]", re.I)
_ICSE_ONLY = {"zz40", "lace", "image id", "baseline", "is distributed", "number of submissions"}
_HASH_COLUMNS = {"md5", "sha1", "sha256", "pdq", "photodna"}


def detect(head: bytes) -> str | None:
    """``vics``, ``ncmec``, ``icse``, ``hma``, ``vpdq`` or ``csv`` for a file starting with ``head``
    (pass at least ``HEAD_BYTES`` when the file has them), or ``None`` when unsure."""
    text = decode_head(head[:HEAD_BYTES]).lstrip()
    if not text:
        return None
    if vpdq.detect(text[:256].encode("utf-8")):
        return "vpdq"
    if text[0] in "{[":
        return "vics" if _VICS.search(text) or _VICS_SHAPE.search(text) else None
    if text[0] == "<":
        return "ncmec" if _NCMEC.search(text) else None
    first = text.splitlines()[0]
    columns = {header_key(cell).strip('"') for cell in first.split(sniff_delimiter(first))}
    if columns & _ICSE_ONLY and columns & (_HASH_COLUMNS | {"zz40", "lace"}):
        return "icse"
    if "signal_type" in columns and columns & {"signal_str", "signal", "signal_value", "value"}:
        return "hma"
    # The simple CSV claims any header with a hash column, so it is asked last.
    return hashcsv.NAME if hashcsv.detect(text.encode("utf-8")) else None
