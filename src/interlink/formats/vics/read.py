"""Streaming VICS readers: the rich view (cases and media) and the hash-set view (entries).

Two shapes of file exist. A hash set lists media directly: ``{"@odata.context": ...#Media,
"value": [media, ...]}`` (some tools write a bare array of media). A case file lists cases,
each with its media: ``{"odata.metadata"|"@odata.context": ...#Cases, "value": [{case fields,
"Media": [media, ...]}]}``. The shape is told from the context, or from the first bytes when
the context is missing. Hash sets are parsed by ijson's C backend item by item; case files by
its event stream, so a case's header fields may come before or after its media (Qt-based
exporters sort keys alphabetically) and memory stays that of one media.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator
from typing import Any, BinaryIO, cast

import ijson

from interlink.domain.errors import FormatError
from interlink.domain.lists import ListEntry
from interlink.formats._salvage import Salvage, kept
from interlink.formats._text import DepthGuard, depth_guard, utf8_stream
from interlink.formats.base import ListInfo, ListRecord, RecordError, RecordWarning
from interlink.formats.vics.fast import entry_from_json
from interlink.formats.vics.fields import case_from_json, entry_of, media_from_json
from interlink.formats.vics.profiles import (
    DEFAULT_CATEGORY_MAP,
    CategoryMap,
    Context,
    numbering,
    parse_context,
)
from interlink.formats.vics.records import VicsCase, VicsMedia

#: Everything ``read_vics`` yields.
VicsRecord = ListInfo | VicsCase | VicsMedia | RecordError | RecordWarning
#: What one media or case object becomes.
_Converted = list[VicsCase | VicsMedia | ListEntry | RecordError | RecordWarning]

HEAD_BYTES = 1 << 16
#: Deepest JSON nesting read (VICS nests 7 levels; see ``_text.depth_guard`` for why a bound).
MAX_DEPTH = 64
_CONTEXT = re.compile(rb'"(?:@odata\.context|odata\.metadata)"\s*:\s*"([^"]{0,2048})"')
_VALUE = re.compile(rb'"value"\s*:\s*(\S)')
_CASE_MEDIA = re.compile(rb'"Media"\s*:\s*\[', re.IGNORECASE)
_SCALARS = frozenset({"null", "boolean", "integer", "double", "number", "string"})
_JSON_ERRORS = (ijson.JSONError, ijson.IncompleteJSONError, UnicodeDecodeError)
_MEDIA, _SKIP = "\x00media", "\x00skip"  # what a builder builds, when not a header key


def read_vics(
    stream: BinaryIO,
    *,
    categories: CategoryMap = DEFAULT_CATEGORY_MAP,
    category_scheme: str | None = None,
) -> Iterator[VicsRecord]:
    """Every case and media of a VICS 1.1-1.3 or 2.0 file, in file order.

    First a ``ListInfo`` (context, version, profile, kind); then ``VicsMedia`` records, each
    case's ``VicsCase`` after its media; a ``RecordError`` for each media that cannot be kept
    (a bad hash, no MD5), and after a record a ``RecordWarning`` for each of its fields that
    could not be read. ``categories`` gives the meaning of category numbers per profile;
    ``category_scheme`` the scheme they are codes of when the profile is not in it.
    """
    # With as_entries=False, _read yields VicsRecord only.
    records = _read(stream, categories, category_scheme, as_entries=False)
    return cast(Iterator[VicsRecord], records)


def read_vics_entries(
    stream: BinaryIO,
    *,
    categories: CategoryMap = DEFAULT_CATEGORY_MAP,
    category_scheme: str | None = None,
) -> Iterator[ListRecord]:
    """The hash-set view of any VICS file: a ``ListInfo``, then one ``ListEntry`` per media
    (keyed by its MD5; cases themselves are left out) or a ``RecordError``; each entry is
    followed by a ``RecordWarning`` per field that could not be read, whose raw text the
    entry keeps in ``extra`` as ``vics.<field>``."""
    # With as_entries=True, _read yields ListRecord only.
    records = _read(stream, categories, category_scheme, as_entries=True)
    return cast(Iterator[ListRecord], records)


def _read(
    stream: BinaryIO, categories: CategoryMap, category_scheme: str | None, *, as_entries: bool
) -> Iterator[VicsRecord | ListEntry]:
    source, guard = depth_guard(utf8_stream(stream), MAX_DEPTH)
    head = source.peek(HEAD_BYTES)[:HEAD_BYTES]
    start = head.lstrip()[:1]
    if start not in (b"{", b"["):
        yield RecordError("$", "not a JSON object or array", fatal=True)
        return
    found = _CONTEXT.search(head)
    context = parse_context(found.group(1).decode("utf-8", "replace") if found else "")
    yield ListInfo(_info(context))
    value = _VALUE.search(head)
    if start == b"{" and value is not None and value.group(1) != b"[":
        yield RecordError("$.value", "value is not an array", fatal=True)
        return
    is_case = context.kind is not None and context.kind.lower() == "cases"
    if context.kind is None:
        is_case = start == b"{" and _CASE_MEDIA.search(head) is not None
    convert = _Convert(context.profile, categories, category_scheme, as_entries, guard)
    if is_case:
        for record in _cases(source, convert):
            if not (as_entries and isinstance(record, VicsCase)):
                yield record
        return
    count = yield from _media_set(source, start == b"[", convert)
    if count == 0 and start == b"{" and value is None:
        yield RecordError("$", "no value array of media", fatal=True)


class _Convert:
    """One media object to its records: a ``VicsMedia``, or a ``ListEntry`` for the hash-set
    view, then a ``RecordWarning`` per field that could not be read; a ``RecordError`` naming
    where it was when it cannot be kept."""

    def __init__(
        self,
        profile: str | None,
        categories: CategoryMap,
        category_scheme: str | None,
        as_entries: bool,
        guard: DepthGuard,
    ) -> None:
        self.guard = guard
        self.profile = profile
        self.categories = categories
        self.category_scheme = category_scheme
        self.numbers = numbering(profile, categories, category_scheme)
        self.as_entries = as_entries

    def __call__(self, item: object, where: str, index: int, case: int | None) -> _Converted:
        """Convert ``item``, found at ``where[index]`` (only formatted on error or warning)."""
        salvage = Salvage()
        try:
            entry = None
            if self.as_entries:
                entry = entry_from_json(item, self.profile, self.numbers, salvage)
            if entry is None:
                media = media_from_json(
                    item,
                    case_index=case,
                    profile=self.profile,
                    mapping=self.categories,
                    salvage=salvage,
                    category_scheme=self.category_scheme,
                )
        except FormatError as exc:
            return [RecordError(f"{where}[{index}]", exc.reason)]
        position = f"{where}[{index}]"
        if not self.as_entries:
            return [media, *(RecordWarning(position, f.field, f.reason) for f in salvage.failures)]
        entry = entry if entry is not None else entry_of(media, self.profile)
        return list(kept(entry, salvage.failures, position, "vics"))


def _info(context: Context) -> tuple[tuple[str, str], ...]:
    items = [("format", "vics")]
    for key, value in (
        ("context", context.url),
        ("version", context.version),
        ("profile", context.profile),
        ("kind", context.kind),
    ):
        if value:
            items.append((key, value))
    return tuple(items)


def _media_set(
    source: BinaryIO, bare: bool, convert: _Convert
) -> Generator[VicsCase | VicsMedia | ListEntry | RecordError | RecordWarning, None, int]:
    base = "$" if bare else "$.value"
    index = 0
    try:
        for item in ijson.items(source, "item" if bare else "value.item", use_float=True):
            yield from convert(item, base, index, None)
            index += 1
    except _JSON_ERRORS as exc:
        yield RecordError(f"{base}[{index}]", convert.guard.failure or _broken(exc), fatal=True)
    return index


def _cases(
    source: BinaryIO, convert: _Convert
) -> Iterator[VicsCase | VicsMedia | ListEntry | RecordError | RecordWarning]:
    case = -1
    header: dict[str, Any] = {}
    key: str | None = None
    media_prefix: str | None = None
    media_seen = 0
    builder: ijson.ObjectBuilder | None = None
    built_for = _MEDIA  # a header key, or _MEDIA, or _SKIP
    end_prefix, end_event = "", ""
    position = "$"
    try:
        for prefix, event, value in ijson.parse(source, use_float=True):
            if builder is not None:
                builder.event(event, value)
                if prefix == end_prefix and event == end_event:
                    if built_for == _MEDIA:
                        yield from convert(
                            builder.value, f"$.value[{case}].Media", media_seen - 1, case
                        )
                    elif built_for != _SKIP:
                        header[built_for] = builder.value
                    builder = None
                continue
            if prefix == "value.item":
                if event == "start_map":
                    case, header, key, media_prefix, media_seen = case + 1, {}, None, None, 0
                elif event == "map_key":
                    key = value
                elif event == "end_map":
                    yield from _case(header, case, media_seen)
                continue
            if media_prefix is not None and prefix == media_prefix:
                position = f"$.value[{case}].Media[{media_seen}]"
                media_seen += 1
                if event != "start_map":
                    yield RecordError(position, "a media must be a JSON object")
                if event in ("start_map", "start_array"):
                    built_for = _MEDIA if event == "start_map" else _SKIP
                    end_event = "end_map" if event == "start_map" else "end_array"
                    builder, end_prefix = ijson.ObjectBuilder(), prefix
                    builder.event(event, value)
                continue
            if key is None or case < 0 or prefix != f"value.item.{key}":
                continue
            if key.lower() == "media" and event in ("start_array", "end_array"):
                media_prefix = prefix + ".item"
                continue
            if key.lower() == "media":
                yield RecordError(f"$.value[{case}].{key}", "Media is not an array")
            if event in ("start_map", "start_array"):
                end_event = "end_map" if event == "start_map" else "end_array"
                builder, built_for, end_prefix = ijson.ObjectBuilder(), key, prefix
                builder.event(event, value)
            elif event in _SCALARS:
                header[key] = value
    except _JSON_ERRORS as exc:
        inside_media = builder is not None and built_for == _MEDIA
        where = position if inside_media else f"$.value[{max(case, 0)}]"
        yield RecordError(where, convert.guard.failure or _broken(exc), fatal=True)


def _broken(exc: Exception) -> str:
    return f"the JSON breaks off here: {exc}"


def _case(header: dict[str, Any], case: int, media_seen: int) -> _Converted:
    fields = {name: value for name, value in header.items() if name.lower() != "media"}
    salvage = Salvage()
    position = f"$.value[{case}]"
    try:
        found = case_from_json(fields, index=case, media_count=media_seen, salvage=salvage)
    except FormatError as exc:
        return [RecordError(position, exc.reason)]
    return [found, *(RecordWarning(position, f.field, f.reason) for f in salvage.failures)]
