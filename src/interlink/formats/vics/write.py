"""Streaming VICS writers: a case with its media, or a hash set of media.

Output follows the public exports ``read`` accepts: OData v4 (``@odata.context``) for 2.0 and
OData v3 (``odata.metadata``, 64-bit integers as strings) for 1.x; booleans as JSON booleans;
times in UTC with a ``Z``; PhotoDNA in base64, as VICS tools exchange it. One media is encoded
at a time, so memory does not grow with the output.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from interlink.domain.lists import ListEntry
from interlink.formats import _values as v
from interlink.formats.base import WriteReport
from interlink.formats.vics.fields import signal_name
from interlink.formats.vics.profiles import (
    DEFAULT_CATEGORY_MAP,
    VERSIONS,
    CategoryMap,
    code_of,
    context_key,
    context_url,
)
from interlink.formats.vics.records import Extra, VicsAltHash, VicsCase, VicsMedia

_CASE_FIELDS = (
    ("CaseID", "case_id"),
    ("CaseNumber", "case_number"),
    ("ContactName", "contact_name"),
    ("ContactEmail", "contact_email"),
    ("ContactPhone", "contact_phone"),
    ("ContactTitle", "contact_title"),
    ("ContactOrganization", "contact_organization"),
    ("SourceApplicationName", "source_application_name"),
    ("SourceApplicationVersion", "source_application_version"),
)


def _dump(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _check_version(version: str) -> None:
    if version not in VERSIONS:
        raise ValueError(f"VICS version {version!r} is not one of {', '.join(VERSIONS)}")


def write_vics_case(
    case: VicsCase,
    media: Iterable[VicsMedia],
    stream: BinaryIO,
    *,
    version: str = "2.0",
    profile: str = "US",
    categories: CategoryMap = DEFAULT_CATEGORY_MAP,
) -> WriteReport:
    """Write one case and its media as a VICS ``Cases`` file."""
    _check_version(version)
    head: dict[str, Any] = {}
    for key, attribute in _CASE_FIELDS:
        value = getattr(case, attribute)
        if value is not None:
            head[key] = value
    if case.declared_media_count is not None:
        head["TotalMediaFiles"] = _int(case.declared_media_count, version)
    head.update(_extra(case.extra))
    opening = {context_key(version): context_url(version, profile, "Cases")}
    stream.write(_dump(opening)[:-1] + b',"value":[' + _dump(head)[:-1])
    stream.write(b',"Media":' if head else b'"Media":')
    report = _write_array(media, stream, version, profile, categories)
    stream.write(b"}]}")
    return report


def write_vics_media(
    media: Iterable[VicsMedia],
    stream: BinaryIO,
    *,
    version: str = "2.0",
    profile: str = "US",
    categories: CategoryMap = DEFAULT_CATEGORY_MAP,
) -> WriteReport:
    """Write media as a VICS hash set (a ``Media`` entity set)."""
    _check_version(version)
    opening = {context_key(version): context_url(version, profile, "Media")}
    stream.write(_dump(opening)[:-1] + b',"value":')
    report = _write_array(media, stream, version, profile, categories)
    stream.write(b"}")
    return report


def write_vics_hashset(
    entries: Iterable[ListEntry],
    stream: BinaryIO,
    *,
    version: str = "2.0",
    profile: str = "US",
    categories: CategoryMap = DEFAULT_CATEGORY_MAP,
) -> WriteReport:
    """Write list entries as a VICS hash set. An entry without an MD5 (the VICS key) is
    skipped; a category the profile has no number for is dropped."""
    counts = {"skipped": 0, "dropped": 0}

    def media() -> Iterator[VicsMedia]:
        for entry in entries:
            item = media_of_entry(entry, profile, categories)
            if item is None:
                counts["skipped"] += 1
                continue
            if entry.category is not None and item.category_code is None:
                counts["dropped"] += 1
            yield item

    report = write_vics_media(
        media(), stream, version=version, profile=profile, categories=categories
    )
    return WriteReport(report.written, counts["skipped"], counts["dropped"])


def _write_array(
    media: Iterable[VicsMedia],
    stream: BinaryIO,
    version: str,
    profile: str,
    categories: CategoryMap,
) -> WriteReport:
    """Write ``media`` as a JSON array, one object at a time."""
    stream.write(b"[")
    written = 0
    for item in media:
        if written:
            stream.write(b",")
        stream.write(_dump(media_json(item, version, profile, categories)))
        written += 1
    stream.write(b"]")
    return WriteReport(written=written)


def media_of_entry(
    entry: ListEntry, profile: str, categories: CategoryMap = DEFAULT_CATEGORY_MAP
) -> VicsMedia | None:
    """The VICS media of a list entry, ``None`` when it has no MD5."""
    by_type = {signal.type: signal.value for signal in entry.signals}
    md5 = by_type.pop("md5", None)
    if md5 is None:
        return None
    extra = dict(entry.extra)
    code = None
    category = entry.category
    if category is not None:
        code = code_of(category, profile, categories)
        category = category if code is not None else None
    elif extra.get("vics.category") and extra.get("vics.profile", "").lower() == profile.lower():
        code = extra["vics.category"]
    alternatives = [
        VicsAltHash(name.upper(), value)
        for name, value in sorted(by_type.items())
        if name not in ("sha1", "photodna")
    ]
    alternatives += [
        VicsAltHash(key.removeprefix("vics.hash."), value)
        for key, value in entry.extra
        if key.startswith("vics.hash.")
    ]
    updated = extra.get("updated")
    precategorized = extra.get("precategorized")
    media_size = extra.get("media_size")
    return VicsMedia(
        md5=md5,
        media_id=extra.get("media_id"),
        sha1=by_type.get("sha1"),
        photodna=by_type.get("photodna"),
        category_code=code,
        category=category,
        is_distributed=entry.distributed,
        victim_identified=entry.victim_identified,
        offender_identified=entry.offender_identified,
        is_precategorized=None if precategorized is None else precategorized == "true",
        series=entry.series,
        media_size=None if media_size is None else int(media_size),
        mime_type=extra.get("mime_type"),
        date_updated=None if updated is None else v.parse_time(updated, "updated"),
        alternative_hashes=tuple(alternatives),
    )


def media_json(
    media: VicsMedia, version: str, profile: str, categories: CategoryMap = DEFAULT_CATEGORY_MAP
) -> dict[str, Any]:
    """The JSON object of one media, keys in the order exporters write them."""
    out: dict[str, Any] = {}
    code = media.category_code
    if code is None and media.category is not None:
        code = code_of(media.category, profile, categories)
    _put(out, "MediaID", None if media.media_id is None else _number(media.media_id))
    _put(out, "Category", None if code is None else _number(code))
    out["MD5"] = media.md5
    _put(out, "SHA1", media.sha1)
    if media.photodna is not None:
        out["PhotoDNA"] = base64.b64encode(bytes.fromhex(media.photodna)).decode("ascii")
    _put(out, "IsDistributed", media.is_distributed)
    _put(out, "VictimIdentified", media.victim_identified)
    _put(out, "OffenderIdentified", media.offender_identified)
    _put(out, "IsPrecategorized", media.is_precategorized)
    _put(out, "PrecategorizationSource", media.precategorization_source)
    _put(out, "IsSuspected", media.is_suspected)
    _put(out, "Series", media.series)
    _put(out, "Tags", media.tags)
    _put(out, "Comments", media.comments)
    _put(out, "FileName", media.name)
    _put(out, "MediaSize", None if media.media_size is None else _int(media.media_size, version))
    _put(out, "MimeType", media.mime_type)
    _put(out, "RelativeFilePath", media.relative_file_path)
    _put(
        out,
        "DateUpdated",
        None if media.date_updated is None else v.format_time(media.date_updated),
    )
    if media.alternative_hashes:
        out["AlternativeHashes"] = [_alt_hash(media.md5, alt) for alt in media.alternative_hashes]
    if media.files:
        out["MediaFiles"] = [_file_json(media.md5, item, version) for item in media.files]
    if media.exifs:
        out["Exifs"] = [_property(media.md5, row.name, row.value) for row in media.exifs]
    if media.metadata:
        out["MediaMetadata"] = [_property(media.md5, row.name, row.value) for row in media.metadata]
    if media.identifiers:
        out["Identifiers"] = [dict(row.fields) for row in media.identifiers]
    if media.segments:
        out["Segments"] = [
            _drop_none(
                {
                    "MD5": media.md5,
                    "SegmentIndex": row.index,
                    "Start": row.start,
                    "End": row.end,
                    "Category": None if row.category_code is None else _number(row.category_code),
                }
            )
            for row in media.segments
        ]
    out.update(_extra(media.extra))
    return out


def _alt_hash(md5: str, alt: VicsAltHash) -> dict[str, Any]:
    value = alt.value
    if signal_name(alt.name) == "photodna":
        value = base64.b64encode(bytes.fromhex(value)).decode("ascii")
    return {"MD5": md5, "HashName": alt.name, "HashValue": value}


def _file_json(md5: str, item: Any, version: str) -> dict[str, Any]:
    def when(stamp: Any) -> str | None:
        return None if stamp is None else v.format_time(stamp)

    def big(number: int | None) -> int | str | None:
        return None if number is None else _int(number, version)

    out = _drop_none(
        {
            "MD5": md5,
            "FileName": item.file_name,
            "FilePath": item.file_path,
            "Created": when(item.created),
            "Written": when(item.written),
            "Accessed": when(item.accessed),
            "Deleted": item.deleted,
            "Unallocated": item.unallocated,
            "SourceID": item.source_id,
            "PhysicalLocation": big(item.physical_location),
            "ParentMD5": item.parent_md5,
            "ParentFileName": item.parent_file_name,
            "ParentFilePath": item.parent_file_path,
            "ParentPhysicalLocation": big(item.parent_physical_location),
        }
    )
    out.update(_extra(item.extra))
    return out


def _property(md5: str, name: str, value: str) -> dict[str, str]:
    return {"MD5": md5, "PropertyName": name, "PropertyValue": value}


def _put(out: dict[str, Any], key: str, value: object) -> None:
    if value is not None:
        out[key] = value


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def _number(text: str) -> int | str:
    """A code or id written as a JSON number when it is one, as VICS tools do."""
    plain = text.isdigit() and len(text) <= 18 and (text == "0" or not text.startswith("0"))
    return int(text) if plain else text


def _int(number: int, version: str) -> int | str:
    """OData v3 (VICS 1.x) writes 64-bit integers as strings; v4 as numbers."""
    return str(number) if version.startswith("1.") else number


def _extra(extra: Extra) -> dict[str, Any]:
    return {key: json.loads(text) for key, text in extra}
