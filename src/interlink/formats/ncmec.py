"""NCMEC hash-sharing v2 XML (``https://hashsharing.ncmec.org/hashsharing/v2``): read.

Schema followed. NCMEC documents the API at ``report.cybertip.org/hashsharing/v2/
documentation.pdf`` (access-controlled); this module follows the public client and test data
of Meta's ``python-threatexchange`` (``exchanges/clients/ncmec``): a ``queryResult`` holding
``images`` and ``videos`` (each with ``count`` and ``maxTimestamp`` attributes), whose children
are ``image``/``video`` entries (``member id=...``, ``timestamp``, ``id``, ``classification``,
``fingerprints``, ``feedback``) and ``deletedImage``/``deletedVideo`` tombstones, then
``paging/next``.

Mapping. Each entry is a ``ListEntry`` whose ``external_id`` is ``<member id>-<entry id>``
(entry ids are per member, as python-threatexchange keys them). Fingerprints ``md5``, ``sha1``,
``sha256``, ``pdna`` (PhotoDNA) and ``pdq`` become signals, as does any fingerprint whose tag
names a registered signal type; fingerprints given only as links (``tmk-pdqf``,
``videntifier`` with ``href``) or of unknown types are kept in ``extra``. The classification
``A1``-``B2`` is the ``industry`` category; any other classification is kept in ``extra``.
A classification outside it is a code of the caller's ``category_scheme`` when that scheme
holds it. Deleted entries are ``Tombstone`` records. A ``ListInfo`` at the end gives
``max_timestamp`` and ``next`` for the following fetch. Feedback is not read.

An entry whose fingerprints are good is always kept: a field that cannot be read (a timestamp
that is not a time, an overlong member name, even a missing entry id, when the entry is then
known by its strongest hash) is left out, its raw text kept in ``extra`` as ``ncmec.<field>``,
with a ``RecordWarning`` naming the entry and the field. A deletion without its ids is an error:
it names nothing.

Safety and size. Parsing goes through ``defusedxml`` with DTDs forbidden, so a file cannot
expand entities or reach out; each entry is dropped from the tree once read, so memory does not
grow with the file. The ``count`` attributes are never trusted.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from interlink.domain.categories import SCHEMES, Category
from interlink.domain.errors import FormatError
from interlink.domain.lists import ListEntry
from interlink.formats import _values as v
from interlink.formats._salvage import Salvage, kept
from interlink.formats.base import ListInfo, ListRecord, RecordError, RecordWarning, Tombstone
from interlink.signals import registry

#: NCMEC fingerprint tag -> Interlink signal type.
FINGERPRINTS = {"md5": "md5", "sha1": "sha1", "sha256": "sha256", "pdna": "photodna", "pdq": "pdq"}
_ENTRIES = {
    "image": ("image", False),
    "video": ("video", False),
    "deletedimage": ("image", True),
    "deletedvideo": ("video", True),
}


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def read_ncmec(stream: BinaryIO, *, category_scheme: str | None = None) -> Iterator[ListRecord]:
    """Every entry and deletion of an NCMEC ``queryResult``, in file order; a classification
    that is not an industry code is read in ``category_scheme`` when that scheme has it."""
    stack: list[Element] = []
    path: list[str] = []
    counts: dict[str, int] = {}
    info: list[tuple[str, str]] = [("format", "ncmec")]
    max_stamp = ""
    position = "/"
    try:
        for event, element in iterparse(stream, events=("start", "end"), forbid_dtd=True):
            name = _local(element.tag)
            if event == "start":
                stack.append(element)
                path.append(name)
                continue
            stack.pop()
            path.pop()
            if len(path) == 2 and name.lower() in _ENTRIES:
                key = "/".join((*path, name))
                counts[key] = counts.get(key, 0) + 1
                position = f"{key}[{counts[key]}]"
                yield from _records(element, name.lower(), position, category_scheme)
                stack[-1].remove(element)
            elif len(path) == 1 and name in ("images", "videos"):
                stamp = element.get("maxTimestamp") or ""
                max_stamp = max(max_stamp, stamp)
                element.clear()
            elif len(path) == 2 and name == "next" and path[-1] == "paging":
                info.append(("next", (element.text or "").strip()))
    except (ParseError, DefusedXmlException) as exc:
        yield RecordError(f"after {position}", f"the XML breaks off here: {exc}", fatal=True)
        return
    if max_stamp:
        info.append(("max_timestamp", max_stamp))
    yield ListInfo(tuple(info))


def _records(
    element: Element, kind_tag: str, position: str, category_scheme: str | None
) -> Iterator[ListRecord]:
    kind, deleted = _ENTRIES[kind_tag]
    salvage = Salvage()
    try:
        fields = {_local(child.tag): child for child in element}
        member = fields.get("member")
        read_id = v.parse_text if deleted else salvage.text
        member_id = None if member is None else read_id(member.get("id"), "member id", 64)
        entry_id = read_id(_text(fields.get("id")), "id", 256)
        extra = [] if member_id is None else [("member_id", member_id)]
        member_name = salvage.text(_text(member), "member", 1024)
        if member_name is not None:
            extra.append(("member_name", member_name))
        stamp = salvage.time(_text(fields.get("timestamp")), "timestamp")
        if stamp is not None:
            extra.append(("updated", v.format_time(stamp)))
        external_id = None if member_id is None or entry_id is None else f"{member_id}-{entry_id}"
        if deleted:
            if external_id is None:
                raise FormatError("a deletion needs the id and the member id it withdraws")
            yield Tombstone(external_id, kind, tuple(sorted(extra)))
            yield from (RecordWarning(position, f.field, f.reason) for f in salvage.failures)
            return
        category, signals = None, []
        classification = salvage.text(_text(fields.get("classification")), "classification", 64)
        if classification is not None:
            category = _category(classification, category_scheme)
            if category is None:
                extra.append(("ncmec.classification", classification))
        prints = fields.get("fingerprints")
        for child in () if prints is None else prints:
            tag = _local(child.tag)
            signal_type = FINGERPRINTS.get(tag.lower()) or _registered(tag)
            if signal_type is not None and child.get("href") is None:
                signals.append(v.signal(signal_type, _text(child), f"fingerprints/{tag}"))
            elif child.get("href") is not None:
                extra.append((f"ncmec.fingerprint_link.{tag}", child.get("href") or ""))
            else:
                extra.append((f"ncmec.fingerprint.{tag}", _text(child) or ""))
        found = v.signal_set(signals)
        if not found:
            raise FormatError("no fingerprint Interlink can match on")
    except FormatError as exc:
        yield RecordError(position, exc.reason)
        return
    if external_id is None:
        salvage.note(
            "id",
            "an entry needs its id and its member id: kept by its hash, and a later deletion "
            "cannot name it",
            entry_id or "",
        )
    entry = ListEntry(
        signals=found,
        category=category,
        external_id=external_id,
        media_kind=kind,
        extra=tuple(sorted(extra)),
    )
    yield from kept(entry, salvage.failures, position, "ncmec")


def _category(classification: str, scheme: str | None) -> Category | None:
    """The industry code, else a code of ``scheme`` when it has it, else ``None``."""
    for name, code in (("industry", classification.upper()), (scheme, classification)):
        if name is not None and code in SCHEMES.get(name, {}):
            return Category(name, code)
    return None


def _registered(tag: str) -> str | None:
    name = tag.lower().replace("-", "_")
    return name if name in registry.registry() else None


def _text(element: Element | None) -> str | None:
    return None if element is None else element.text
