"""The hash-set view of a plain VICS media, without building the full record.

Public hash sets hold millions of media with a handful of keys each; building a ``VicsMedia``
first would double the work per entry. ``entry_from_json`` reads exactly the keys a
``ListEntry`` needs, with the same rules as ``media_from_json`` followed by ``entry_of``
(a test holds the two paths equal, fields that could not be read included), and declines
(``None``) any media with other keys, which then takes the full path.
"""

from __future__ import annotations

from interlink.domain.errors import FormatError
from interlink.domain.lists import ListEntry
from interlink.domain.signals import Signal
from interlink.formats import _values as v
from interlink.formats._salvage import Salvage
from interlink.formats.vics.fields import category_code
from interlink.formats.vics.profiles import Numbering

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
    obj: object, profile: str | None, numbers: Numbering, salvage: Salvage
) -> ListEntry | None:
    """The list entry of a media object, or ``None`` when it has keys this path does not read.

    ``numbers`` is what the file's category numbers mean (``profiles.numbering``). Raises
    ``FormatError`` exactly where ``media_from_json`` would, and notes in ``salvage`` the
    fields it would note.
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
    code = salvage.read(category_code, fields.get("category"), "Category")
    category = salvage.read(numbers.category, code, "Category")
    sha1 = v.signal("sha1", fields.get("sha1"), "SHA1")
    photodna = v.signal("photodna", fields.get("photodna"), "PhotoDNA")
    media_id = salvage.text(fields.get("mediaid"), "MediaID", 64)
    distributed = salvage.flag(fields.get("isdistributed"), "IsDistributed")
    victim = salvage.flag(fields.get("victimidentified"), "VictimIdentified")
    offender = salvage.flag(fields.get("offenderidentified"), "OffenderIdentified")
    precategorized = salvage.flag(fields.get("isprecategorized"), "IsPrecategorized")
    series = salvage.text(fields.get("series"), "Series")
    media_size = salvage.integer(fields.get("mediasize"), "MediaSize")
    mime_type = salvage.text(fields.get("mimetype"), "MimeType", 256)
    updated = salvage.time_text(fields.get("dateupdated"), "DateUpdated")
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
