"""The hash-set view of a plain VICS media, without building the full record.

Public hash sets hold millions of media with a handful of keys each; building a ``VicsMedia``
first would double the work per entry. ``entry_from_json`` reads exactly the keys a
``ListEntry`` needs, with the same rules as ``media_from_json`` followed by ``entry_of``
(a test holds the two paths equal), and declines (``None``) any media with other keys, which
then takes the full path.
"""

from __future__ import annotations

from collections.abc import Mapping

from interlink.domain.categories import Category
from interlink.domain.errors import FormatError
from interlink.domain.lists import ListEntry
from interlink.domain.signals import Signal
from interlink.formats import _values as v

_FAST_KEYS = frozenset(
    {
        "mediaid", "category", "md5", "sha1", "photodna", "mediasize", "dateupdated",
        "isprecategorized", "isdistributed", "victimidentified", "offenderidentified", "series",
        "mimetype",
    }
)  # fmt: skip
#: The spelling public exports use for each key, to spare lower-casing key by key.
_SPELLING = {
    name: name.lower()
    for name in (
        "MediaID", "Category", "MD5", "SHA1", "PhotoDNA", "MediaSize", "DateUpdated",
        "IsPrecategorized", "IsDistributed", "VictimIdentified", "OffenderIdentified", "Series",
        "MimeType",
    )
}  # fmt: skip


def entry_from_json(
    obj: object, profile: str | None, codes: Mapping[str, Category] | None
) -> ListEntry | None:
    """The list entry of a media object, or ``None`` when it has keys this path does not read.

    ``codes`` is the numbering of ``profile`` (``profiles.codes_of``), ``None`` when unknown.
    Raises ``FormatError`` exactly where ``media_from_json`` would.
    """
    if not isinstance(obj, dict):
        return None
    if obj.keys() <= _SPELLING.keys():  # the usual spelling: read the object as it is
        fields = {_SPELLING[key]: value for key, value in obj.items()}
    else:
        fields = {}
        for key, value in obj.items():
            low = key.lower()
            if low in _FAST_KEYS:
                fields[low] = value
            elif "odata." not in low:
                return None
    md5 = v.signal("md5", fields.get("md5"), "MD5")
    if md5 is None:
        raise FormatError("MD5: missing (it is the key of a VICS media)")
    raw = fields.get("category")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    code = v.parse_text(raw, "Category", 32)
    category = None
    if code is not None and codes is not None:
        category = codes.get(code)
        if category is None:
            raise FormatError(f"Category: no code {code!r} in the {profile} profile")
    media_id = v.parse_text(fields.get("mediaid"), "MediaID", 64)
    sha1 = v.signal("sha1", fields.get("sha1"), "SHA1")
    photodna = v.signal("photodna", fields.get("photodna"), "PhotoDNA")
    distributed = v.parse_bool(fields.get("isdistributed"), "IsDistributed")
    victim = v.parse_bool(fields.get("victimidentified"), "VictimIdentified")
    offender = v.parse_bool(fields.get("offenderidentified"), "OffenderIdentified")
    precategorized = v.parse_bool(fields.get("isprecategorized"), "IsPrecategorized")
    series = v.parse_text(fields.get("series"), "Series")
    media_size = v.parse_int(fields.get("mediasize"), "MediaSize")
    mime_type = v.parse_text(fields.get("mimetype"), "MimeType", 256)
    updated = v.time_text(fields.get("dateupdated"), "DateUpdated")
    extra: list[tuple[str, str]] = []  # appended in key order, so already sorted
    if media_id is not None:
        extra.append(("media_id", media_id))
    if media_size is not None:
        extra.append(("media_size", str(media_size)))
    if mime_type is not None:
        extra.append(("mime_type", mime_type))
    if precategorized is not None:
        extra.append(("precategorized", "true" if precategorized else "false"))
    if updated is not None:
        extra.append(("updated", updated))
    if category is None and code is not None:
        extra.append(("vics.category", code))
        if profile is not None:
            extra.append(("vics.profile", profile))
    signals: list[Signal] = [md5]  # in the canonical (type) order: md5, photodna, sha1
    if photodna is not None:
        signals.append(photodna)
    if sha1 is not None:
        signals.append(sha1)
    return ListEntry(
        signals=tuple(signals),
        category=category,
        series=series,
        victim_identified=victim,
        offender_identified=offender,
        distributed=distributed,
        external_id=md5.value,
        media_kind=v.media_kind_of_mime(mime_type),
        extra=tuple(extra),
    )
