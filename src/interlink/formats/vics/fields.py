"""From the JSON objects of a VICS file to records, and from a media to a list entry.

Keys are matched without regard to case (exporters differ). OData annotations
(``odata.id``, ``...@odata.navigationLinkUrl``) are derived data and dropped; any other key
Interlink does not know is kept in ``extra``. A hash that would be wrong to keep (or a media
with no MD5) raises ``FormatError`` naming the field; the reader turns it into a
``RecordError``. Any other field that cannot be read is noted in the caller's ``Salvage`` and
left out: a media's own field with its value kept in the media's ``extra`` under its VICS name,
a row of ``MediaFiles``, ``Exifs``, ``MediaMetadata``, ``Identifiers`` or ``Segments`` that
cannot be read is left out whole, a field of a row that can be is left out of the row.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

from interlink.domain.errors import FormatError
from interlink.domain.lists import ListEntry
from interlink.domain.signals import Signal
from interlink.formats import _values as v
from interlink.formats._salvage import Salvage
from interlink.formats.vics.profiles import CategoryMap, numbering
from interlink.formats.vics.records import (
    Extra,
    VicsAltHash,
    VicsCase,
    VicsIdentifier,
    VicsMedia,
    VicsMediaFile,
    VicsProperty,
    VicsSegment,
)
from interlink.signals import registry

T = TypeVar("T")
_NOT_ALNUM = re.compile(r"[^a-z0-9]")
_MEDIA_KEYS = frozenset(
    {
        "md5", "mediaid", "sha1", "photodna", "category", "isdistributed", "victimidentified",
        "offenderidentified", "isprecategorized", "issuspected", "precategorizationsource",
        "series", "tags", "comments", "name", "filename", "mediasize", "mimetype",
        "relativefilepath", "dateupdated", "alternativehashes", "mediafiles", "exifs",
        "mediametadata", "identifiers", "segments",
    }
)  # fmt: skip
_FILE_KEYS = frozenset(
    {
        "md5", "filename", "filepath", "created", "written", "modified", "accessed", "deleted",
        "unallocated", "sourceid", "physicallocation", "parentmd5", "parentfilename",
        "parentfilepath", "parentphysicallocation",
    }
)  # fmt: skip
_CASE_KEYS = {
    "caseid": "case_id",
    "casenumber": "case_number",
    "case no.": "case_number",
    "contactname": "contact_name",
    "examiner": "contact_name",
    "contactemail": "contact_email",
    "examiner email": "contact_email",
    "contactphone": "contact_phone",
    "examiner phone": "contact_phone",
    "contacttitle": "contact_title",
    "contactorganization": "contact_organization",
    "agency": "contact_organization",
    "sourceapplicationname": "source_application_name",
    "sourceapplicationversion": "source_application_version",
}


def split_keys(obj: object, known: frozenset[str], what: str) -> tuple[dict[str, Any], Extra]:
    """``obj``'s known keys (lower-cased) and the rest as ``extra``."""
    if not isinstance(obj, dict):
        raise FormatError(f"{what}: expected an object, found {_kind(obj)}")
    fields: dict[str, Any] = {}
    extra: list[tuple[str, str]] = []
    for key, value in obj.items():
        low = key.lower()
        if low in known:
            fields[low] = value
        elif "odata." not in low:
            extra.append((key, _json(value)))
    return fields, tuple(extra)


def _rows(value: object, what: str, convert: Callable[[object, str], T]) -> tuple[T, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise FormatError(f"{what}: expected an array, found {_kind(value)}")
    return tuple(convert(item, f"{what}[{index}]") for index, item in enumerate(value))


def _optional_rows(
    value: object, what: str, convert: Callable[[object, str], T], salvage: Salvage
) -> tuple[T, ...]:
    """``_rows``, leaving out (and noting) each row that cannot be read."""
    if value is not None and not isinstance(value, list):
        salvage.note(what, f"{what}: expected an array, found {_kind(value)}", value)
        return ()
    kept: list[T] = []
    for index, item in enumerate(value or ()):
        try:
            kept.append(convert(item, f"{what}[{index}]"))
        except FormatError as exc:
            salvage.note(f"{what}[{index}]", exc.reason, item)
    return tuple(kept)


def _hash(name: str, value: object, what: str) -> str | None:
    found = v.signal(name, value, what)
    return None if found is None else found.value


def _same_media(md5: str, fields: dict[str, Any], what: str) -> None:
    parent = _hash("md5", fields.get("md5"), f"{what}.MD5")
    if parent is not None and parent != md5:
        raise FormatError(f"{what}.MD5: names another media ({parent})")


def category_code(value: object, field: str = "Category") -> str | None:
    """A category number as text (``2.0`` as ``2``); ``FormatError`` for what is not one."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return v.parse_text(value, field, 32)


def signal_name(hash_name: str) -> str | None:
    """The registered signal type a VICS ``HashName`` names (``PhotoDNA``, ``SHA-256``)."""
    name = _NOT_ALNUM.sub("", hash_name.lower())
    return name if name in registry.registry() else None


def media_from_json(
    obj: object,
    *,
    case_index: int | None,
    profile: str | None,
    mapping: CategoryMap,
    salvage: Salvage,
    category_scheme: str | None = None,
) -> VicsMedia:
    """A ``Media`` object as a record; ``FormatError`` for a bad hash or a missing MD5, and
    every other field that cannot be read noted in ``salvage`` (see the module docstring).
    ``category_scheme`` says what category numbers mean when ``profile``'s numbering is not
    in ``mapping``."""
    fields, extra = split_keys(obj, _MEDIA_KEYS, "Media")
    noted = len(salvage.failures)
    md5 = _hash("md5", fields.get("md5"), "MD5")
    if md5 is None:
        raise FormatError("MD5: missing (it is the key of a VICS media)")

    def alt_hash(item: object, what: str) -> VicsAltHash:
        row, _ = split_keys(item, frozenset({"md5", "hashname", "hashvalue"}), what)
        _same_media(md5, row, what)
        name = v.parse_text(row.get("hashname"), f"{what}.HashName", 64)
        if name is None:
            raise FormatError(f"{what}.HashName: missing")
        signal_type = signal_name(name)
        if signal_type is not None:
            value = _hash(signal_type, row.get("hashvalue"), f"{what}.HashValue")
        else:
            value = v.parse_text(row.get("hashvalue"), f"{what}.HashValue", 65536)
        if value is None:
            raise FormatError(f"{what}.HashValue: missing")
        return VicsAltHash(name, value)

    def media_file(item: object, what: str) -> VicsMediaFile:
        row, row_extra = split_keys(item, _FILE_KEYS, what)
        _same_media(md5, row, what)
        written = row["written"] if row.get("written") is not None else row.get("modified")
        return VicsMediaFile(
            file_name=salvage.text(row.get("filename"), f"{what}.FileName"),
            file_path=salvage.text(row.get("filepath"), f"{what}.FilePath"),
            created=salvage.time(row.get("created"), f"{what}.Created"),
            written=salvage.time(written, f"{what}.Written"),
            accessed=salvage.time(row.get("accessed"), f"{what}.Accessed"),
            deleted=salvage.flag(row.get("deleted"), f"{what}.Deleted"),
            unallocated=salvage.flag(row.get("unallocated"), f"{what}.Unallocated"),
            source_id=salvage.text(row.get("sourceid"), f"{what}.SourceID"),
            physical_location=salvage.integer(
                row.get("physicallocation"), f"{what}.PhysicalLocation"
            ),
            parent_md5=salvage.read(_parent_md5, row.get("parentmd5"), f"{what}.ParentMD5"),
            parent_file_name=salvage.text(row.get("parentfilename"), f"{what}.ParentFileName"),
            parent_file_path=salvage.text(row.get("parentfilepath"), f"{what}.ParentFilePath"),
            parent_physical_location=salvage.integer(
                row.get("parentphysicallocation"), f"{what}.ParentPhysicalLocation"
            ),
            extra=row_extra,
        )

    def prop(item: object, what: str) -> VicsProperty:
        row, _ = split_keys(item, frozenset({"md5", "propertyname", "propertyvalue"}), what)
        _same_media(md5, row, what)
        name = v.parse_text(row.get("propertyname"), f"{what}.PropertyName", 4096)
        if name is None:
            raise FormatError(f"{what}.PropertyName: missing")
        return VicsProperty(name, salvage.text(row.get("propertyvalue"), what) or "")

    def segment(item: object, what: str) -> VicsSegment:
        row, _ = split_keys(
            item, frozenset({"md5", "segmentindex", "start", "end", "category"}), what
        )
        _same_media(md5, row, what)
        return VicsSegment(
            index=salvage.integer(row.get("segmentindex"), f"{what}.SegmentIndex"),
            start=salvage.text(row.get("start"), f"{what}.Start", 64),
            end=salvage.text(row.get("end"), f"{what}.End", 64),
            category_code=salvage.read(category_code, row.get("category"), f"{what}.Category"),
        )

    code = salvage.read(category_code, fields.get("category"), "Category")
    numbers = numbering(profile, mapping, category_scheme)
    category = salvage.read(numbers.category, code, "Category")
    name = fields["name"] if fields.get("name") is not None else fields.get("filename")
    sha1 = _hash("sha1", fields.get("sha1"), "SHA1")
    photodna = _hash("photodna", fields.get("photodna"), "PhotoDNA")
    alternative_hashes = _rows(fields.get("alternativehashes"), "AlternativeHashes", alt_hash)
    media = VicsMedia(
        md5=md5,
        case_index=case_index,
        media_id=salvage.text(fields.get("mediaid"), "MediaID", 64),
        sha1=sha1,
        photodna=photodna,
        category_code=code,
        category=category,
        is_distributed=salvage.flag(fields.get("isdistributed"), "IsDistributed"),
        victim_identified=salvage.flag(fields.get("victimidentified"), "VictimIdentified"),
        offender_identified=salvage.flag(fields.get("offenderidentified"), "OffenderIdentified"),
        is_precategorized=salvage.flag(fields.get("isprecategorized"), "IsPrecategorized"),
        is_suspected=salvage.flag(fields.get("issuspected"), "IsSuspected"),
        precategorization_source=salvage.text(
            fields.get("precategorizationsource"), "PrecategorizationSource"
        ),
        series=salvage.text(fields.get("series"), "Series"),
        tags=salvage.text(fields.get("tags"), "Tags"),
        comments=salvage.text(fields.get("comments"), "Comments"),
        name=salvage.text(name, "FileName"),
        media_size=salvage.integer(fields.get("mediasize"), "MediaSize"),
        mime_type=salvage.text(fields.get("mimetype"), "MimeType", 256),
        relative_file_path=salvage.text(fields.get("relativefilepath"), "RelativeFilePath"),
        date_updated=salvage.time(fields.get("dateupdated"), "DateUpdated"),
        alternative_hashes=alternative_hashes,
        files=_optional_rows(fields.get("mediafiles"), "MediaFiles", media_file, salvage),
        exifs=_optional_rows(fields.get("exifs"), "Exifs", prop, salvage),
        metadata=_optional_rows(fields.get("mediametadata"), "MediaMetadata", prop, salvage),
        identifiers=_optional_rows(fields.get("identifiers"), "Identifiers", _identifier, salvage),
        segments=_optional_rows(fields.get("segments"), "Segments", segment, salvage),
        extra=extra + _unread(salvage, noted, keep_category=code is None),
    )
    media_signals(media)  # two different values of one hash type are a record error
    return media


def _parent_md5(value: object, field: str) -> str | None:
    return _hash("md5", value, field)


def _unread(salvage: Salvage, since: int, *, keep_category: bool) -> Extra:
    """The media's own fields noted since ``since``, as unknown keys: a media read and written
    again gives them back as the file had them (a category number that was read but means
    nothing known is in ``category_code`` already)."""
    return tuple(
        (failure.field, _json(failure.value))
        for failure in salvage.failures[since:]
        if failure.field.isalnum() and (keep_category or failure.field != "Category")
    )


def _identifier(item: object, what: str) -> VicsIdentifier:
    if not isinstance(item, dict):
        raise FormatError(f"{what}: expected an object, found {_kind(item)}")
    pairs = []
    for key, value in item.items():
        if "odata." in key.lower():
            continue
        text = value if isinstance(value, str) else _json(value)
        pairs.append((key, text))
    return VicsIdentifier(tuple(pairs))


def case_from_json(
    fields: dict[str, Any], *, index: int, media_count: int, salvage: Salvage
) -> VicsCase:
    """A ``Cases`` object's own keys (its media left out) as a record; a field that cannot be
    read is noted in ``salvage``, left out, and kept in ``extra`` as the file wrote it."""
    known: dict[str, str | None] = {}
    extra: list[tuple[str, str]] = []
    declared = None
    for key, value in fields.items():
        low = key.lower()
        target = _CASE_KEYS.get(low)
        noted = len(salvage.failures)
        if target is not None:
            known[target] = salvage.text(value, key, 4096)
        elif low == "totalmediafiles":
            declared = salvage.integer(value, key)
        elif "odata." not in low:
            extra.append((key, _json(value)))
        if len(salvage.failures) > noted:
            extra.append((key, _json(value)))
    return VicsCase(
        index=index,
        case_id=known.get("case_id"),
        case_number=known.get("case_number"),
        contact_name=known.get("contact_name"),
        contact_email=known.get("contact_email"),
        contact_phone=known.get("contact_phone"),
        contact_title=known.get("contact_title"),
        contact_organization=known.get("contact_organization"),
        source_application_name=known.get("source_application_name"),
        source_application_version=known.get("source_application_version"),
        declared_media_count=declared,
        media_count=media_count,
        extra=tuple(extra),
    )


def media_signals(media: VicsMedia) -> tuple[Signal, ...]:
    """Every signal the media carries that Interlink can match on."""
    found: list[Signal | None] = [Signal("md5", media.md5)]
    if media.sha1 is not None:
        found.append(Signal("sha1", media.sha1))
    if media.photodna is not None:
        found.append(Signal("photodna", media.photodna))
    for alt in media.alternative_hashes:
        signal_type = signal_name(alt.name)
        if signal_type is not None:
            found.append(Signal(signal_type, alt.value))
    return v.signal_set(found)


def entry_of(media: VicsMedia, profile: str | None) -> ListEntry:
    """The hash-set view of a media: its signals, category and flags, keyed by its MD5."""
    extra: list[tuple[str, str]] = []
    if media.media_id is not None:
        extra.append(("media_id", media.media_id))
    if media.media_size is not None:
        extra.append(("media_size", str(media.media_size)))
    if media.mime_type is not None:
        extra.append(("mime_type", media.mime_type))
    if media.is_precategorized is not None:
        extra.append(("precategorized", "true" if media.is_precategorized else "false"))
    if media.date_updated is not None:
        extra.append(("updated", v.format_time(media.date_updated)))
    if media.category is None and media.category_code is not None:
        extra.append(("vics.category", media.category_code))
        if profile is not None:
            extra.append(("vics.profile", profile))
    for alt in media.alternative_hashes:
        if signal_name(alt.name) is None:
            extra.append((f"vics.hash.{alt.name}", alt.value))
    return ListEntry(
        signals=media_signals(media),
        category=media.category,
        series=media.series,
        victim_identified=media.victim_identified,
        offender_identified=media.offender_identified,
        distributed=media.is_distributed,
        external_id=media.md5,
        media_kind=v.media_kind_of_mime(media.mime_type),
        extra=tuple(sorted(extra)),
    )


def _json(value: object) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    except RecursionError:
        raise FormatError("a value is nested too deeply to keep") from None


def _kind(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "null" if value is None else type(value).__name__
