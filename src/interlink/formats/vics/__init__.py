"""Project VIC's VICS JSON: cases and hash sets, versions 1.1-1.3 (OData v3) and 2.0 (OData v4).

Schema followed. The VICS data model (``http://github.com/VICSDATAMODEL/ProjectVic/
DataModels/2.0.xml``, earlier ``http://github.com/ICMEC/ProjectVic/DataModels/1.x.xml``) is
not published as a document we could find; this module follows the most authoritative public
exports of it instead: the VICS 2.0 UK writer of Clees4All (``openVICSFile``, Media,
MediaFiles, AlternativeHashes, Exifs, MediaMetadata, Segments), the VICS 1.1-1.3 and 2.0
exports of RECON (``export_hashes_as_vic``), Griffeye's public upload scripts
(``ConvertTo-Vics20Media``: MediaID, MD5, SHA1, PhotoDNA, RelativeFilePath, MediaFiles) and
the structure of public Project VIC hash sets (``#Media`` with MediaID, Category, MD5, SHA1,
MediaSize, DateUpdated, IsPrecategorized). Where they disagree the reader accepts both.
``Identifiers`` rows are kept as key/value pairs; ``Alert``/``AlertTrigger``/``AlertHit``
appear in no public export we found and are kept as unknown keys.

Quirks accepted: booleans as strings, 64-bit integers as strings (OData v3), a UTF-8 or
UTF-16 byte-order mark, upper-case hex, PhotoDNA in hex or base64, ``null`` categories,
Windows paths, times with seven fractional digits or both an offset and a ``Z``, and a
``TotalMediaFiles`` that disagrees with the media present. Refused, per media: a missing or
invalid MD5, or any other invalid hash. Any other field that cannot be read (a category number
outside a known profile's scheme, a value of the wrong type) costs only that field: the media is
kept, with a ``RecordWarning`` naming it and the field's raw value kept (see ``read_vics``).
"""

from interlink.formats.vics.fields import entry_of
from interlink.formats.vics.profiles import DEFAULT_CATEGORY_MAP, CategoryMap, parse_context
from interlink.formats.vics.read import VicsRecord, read_vics, read_vics_entries
from interlink.formats.vics.records import (
    VicsAltHash,
    VicsCase,
    VicsIdentifier,
    VicsMedia,
    VicsMediaFile,
    VicsProperty,
    VicsSegment,
)
from interlink.formats.vics.scan import case_of_scan, media_of_scan, relative_file_path
from interlink.formats.vics.write import (
    media_of_entry,
    write_vics_case,
    write_vics_hashset,
    write_vics_media,
)

__all__ = [
    "DEFAULT_CATEGORY_MAP",
    "CategoryMap",
    "VicsAltHash",
    "VicsCase",
    "VicsIdentifier",
    "VicsMedia",
    "VicsMediaFile",
    "VicsProperty",
    "VicsRecord",
    "VicsSegment",
    "case_of_scan",
    "entry_of",
    "media_of_entry",
    "media_of_scan",
    "parse_context",
    "read_vics",
    "read_vics_entries",
    "relative_file_path",
    "write_vics_case",
    "write_vics_hashset",
    "write_vics_media",
]
