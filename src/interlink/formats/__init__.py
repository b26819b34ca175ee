"""Interchange formats: one streaming reader/writer per format. Pure: bytes in, records out.

Hash-set readers yield ``ListEntry``, ``Tombstone``, ``ListInfo`` and ``RecordError``
records; see ``interlink.formats.base`` for the contract.
"""

from interlink.formats.base import (
    ListInfo,
    ListReader,
    ListRecord,
    ListWriter,
    RecordError,
    Tombstone,
    WriteReport,
)

__all__ = [
    "ListInfo",
    "ListReader",
    "ListRecord",
    "ListWriter",
    "RecordError",
    "Tombstone",
    "WriteReport",
]
