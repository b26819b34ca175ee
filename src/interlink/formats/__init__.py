"""Interchange formats: one streaming reader/writer per format. Pure: bytes in, records out.

Hash-set readers (``read_vics_entries``, ``read_icse``, ``read_ncmec``, ``read_hma``) yield
``ListEntry``, ``Tombstone``, ``ListInfo``, ``RecordError`` and ``RecordWarning`` records; see
``interlink.formats.base`` for the contract. ``detect`` names the format of a file from its
first bytes; ``registry.FORMATS`` maps names to readers and writers. The rich VICS view
(cases, media, files, EXIF) is ``interlink.formats.vics.read_vics``.
"""

from interlink.formats.base import (
    ListInfo,
    ListReader,
    ListRecord,
    ListWriter,
    RecordError,
    RecordWarning,
    Tombstone,
    WriteReport,
)
from interlink.formats.detect import detect

__all__ = [
    "ListInfo",
    "ListReader",
    "ListRecord",
    "ListWriter",
    "RecordError",
    "RecordWarning",
    "Tombstone",
    "WriteReport",
    "detect",
]
