"""The records of a VICS file: a case, its media, and what each media carries.

Field names follow the VICS data model as public exports write it (see
``interlink.formats.vics``). Every record is frozen and holds normalised values: hashes in
lower-case hex, times as aware UTC datetimes, flags as ``bool | None`` (``None`` when the file
does not say). Keys a reader does not know are kept in ``extra`` as ``(key, JSON text)`` so a
file read and written again loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from interlink.domain.categories import Category

#: Unknown keys of a record: ``(key, value as JSON text)``.
Extra = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class VicsProperty:
    """One ``PropertyName``/``PropertyValue`` row (``Exifs``, ``MediaMetadata``)."""

    name: str
    value: str


@dataclass(frozen=True, slots=True)
class VicsAltHash:
    """One ``AlternativeHashes`` row: a hash of the media under ``HashName``.

    ``value`` is normalised when ``name`` is a registered signal type, and kept as given (it
    is then not a signal Interlink matches on) otherwise.
    """

    name: str
    value: str


@dataclass(frozen=True, slots=True)
class VicsSegment:
    """One ``Segments`` row: a stretch of a video with its own category code."""

    index: int | None = None
    start: str | None = None
    end: str | None = None
    category_code: str | None = None


@dataclass(frozen=True, slots=True)
class VicsIdentifier:
    """One ``Identifiers`` row, kept as the ``(key, text)`` pairs it has.

    No public schema of this collection was found, so its fields are not interpreted.
    """

    fields: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class VicsMediaFile:
    """One ``MediaFiles`` row: a copy of the media where it was found.

    Paths are kept as written (often Windows paths with backslashes); ``name`` reads the
    last element whichever separator was used.
    """

    file_name: str | None = None
    file_path: str | None = None
    created: datetime | None = None
    written: datetime | None = None
    accessed: datetime | None = None
    deleted: bool | None = None
    unallocated: bool | None = None
    source_id: str | None = None
    physical_location: int | None = None
    parent_md5: str | None = None
    parent_file_name: str | None = None
    parent_file_path: str | None = None
    parent_physical_location: int | None = None
    extra: Extra = field(default=())

    @property
    def name(self) -> str | None:
        """The file name: ``FileName``, else the last element of ``FilePath``."""
        if self.file_name:
            return self.file_name
        if self.file_path:
            return self.file_path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or None
        return None


@dataclass(frozen=True, slots=True)
class VicsMedia:
    """One ``Media`` entity: unique content, keyed by its MD5.

    ``case_index`` is the position of its case in the file's ``value`` array (``None`` in a
    hash set). ``category_code`` is the number as the file wrote it; ``category`` is what it
    means under the file's profile, when Interlink knows that profile's numbering.
    """

    md5: str
    case_index: int | None = None
    media_id: str | None = None
    sha1: str | None = None
    photodna: str | None = None
    category_code: str | None = None
    category: Category | None = None
    is_distributed: bool | None = None
    victim_identified: bool | None = None
    offender_identified: bool | None = None
    is_precategorized: bool | None = None
    is_suspected: bool | None = None
    precategorization_source: str | None = None
    series: str | None = None
    tags: str | None = None
    comments: str | None = None
    name: str | None = None
    media_size: int | None = None
    mime_type: str | None = None
    relative_file_path: str | None = None
    date_updated: datetime | None = None
    alternative_hashes: tuple[VicsAltHash, ...] = ()
    files: tuple[VicsMediaFile, ...] = ()
    exifs: tuple[VicsProperty, ...] = ()
    metadata: tuple[VicsProperty, ...] = ()
    identifiers: tuple[VicsIdentifier, ...] = ()
    segments: tuple[VicsSegment, ...] = ()
    extra: Extra = field(default=())


@dataclass(frozen=True, slots=True)
class VicsCase:
    """One ``Cases`` entity: who sent the file and about which investigation.

    ``declared_media_count`` is the file's own ``TotalMediaFiles`` (exporters disagree on what
    it counts, so it is shown, never trusted); ``media_count`` is how many media the reader
    found in the case.
    """

    index: int
    case_id: str | None = None
    case_number: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    contact_title: str | None = None
    contact_organization: str | None = None
    source_application_name: str | None = None
    source_application_version: str | None = None
    declared_media_count: int | None = None
    media_count: int = 0
    extra: Extra = field(default=())
