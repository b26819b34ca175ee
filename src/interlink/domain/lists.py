"""Known-material lists and their entries, and the matches a scan finds against them."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime

from interlink.domain.categories import Category
from interlink.domain.errors import InvalidFieldError
from interlink.domain.signals import Signal

#: Lists whose names start so hold an agency's grading votes; only grading writes them.
GRADES_PREFIX = "grades-"
#: Names the API and the pages give to views of all lists (``/lists/conflicts``,
#: ``/lists/votes/...``): a list so named could not be reached at its own address.
RESERVED_NAMES = frozenset({"conflicts", "votes"})


def writable_list_name(name: str) -> str:
    """``name`` if a list file or a folder of files may be written into the list so named;
    ``InvalidFieldError`` for a list of votes (``grades-<agency>``), which an import would
    silently replace or forge (votes come only from the grading service), and for the
    ``RESERVED_NAMES``."""
    if name.startswith(GRADES_PREFIX):
        raise InvalidFieldError(
            "name", name, f"lists named {GRADES_PREFIX}... hold grading votes; vote instead"
        )
    if name.strip().lower() in RESERVED_NAMES:
        raise InvalidFieldError("name", name, "the address of a view of all lists; choose another")
    return name


@dataclass(frozen=True, slots=True)
class HashList:
    """A named list of known material from one source, at one version."""

    name: str
    source: str = ""
    version: str = ""
    imported_at: datetime | None = None
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One known item: every signal the list gives for it, and what is known about it.

    Flags are ``None`` when the list does not say.
    """

    signals: tuple[Signal, ...]
    category: Category | None = None
    series: str | None = None
    victim_identified: bool | None = None
    offender_identified: bool | None = None
    distributed: bool | None = None
    external_id: str | None = None
    media_kind: str | None = None
    extra: tuple[tuple[str, str], ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Match:
    """A media matched a list entry on one signal at a distance (0 for exact signals)."""

    list_name: str
    signal_type: str
    distance: int
    entry_id: int
    category: Category | None = None
    series: str | None = None
    victim_identified: bool | None = None


@dataclass(frozen=True, slots=True)
class EntrySignal:
    """One signal of one stored list entry (what match indexes are built from)."""

    entry_id: int
    list_id: int
    type: str
    value: str
    quality: int | None = None


@dataclass(frozen=True, slots=True)
class EntryInfo:
    """What a match shows about the entry it hit (``external_id``: the list's own id for it)."""

    entry_id: int
    list_id: int
    list_name: str
    category: Category | None
    series: str | None
    victim_identified: bool | None
    agency: str | None = None
    external_id: str | None = None


#: Exact signal types in the order they identify an entry best.
KEY_TYPES: tuple[str, ...] = ("sha256", "sha1", "md5", "photodna", "pdq", "vpdq")


def hash_key(entry: ListEntry) -> str | None:
    """The entry's strongest hash as ``type:value``: what identifies the same item across
    lists."""
    for kind in KEY_TYPES:
        for signal in entry.signals:
            if signal.type == kind:
                value = signal.value
                if kind == "vpdq":
                    value = hashlib.sha256(value.encode("utf-8")).hexdigest()
                return f"{kind}:{value}"
    return None


def entry_key(entry: ListEntry) -> str | None:
    """The entry's identity within its list across versions: the list's own id for it when it
    has one, else its strongest hash."""
    if entry.external_id:
        return f"id:{entry.external_id}"
    return hash_key(entry)


def content_hash(entry: ListEntry) -> str:
    """A digest of everything the entry says, to tell a changed entry from an unchanged one."""
    body = json.dumps(
        {
            "signals": sorted([s.type, s.value, s.quality] for s in entry.signals),
            "category": entry.category.display() if entry.category else None,
            "series": entry.series,
            "flags": [entry.victim_identified, entry.offender_identified, entry.distributed],
            "media_kind": entry.media_kind,
            "extra": sorted(entry.extra),
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


#: ``extra`` keys that name who vouches for an entry, by format (ICSE, NCMEC, HMA).
AGENCY_KEYS: tuple[str, ...] = ("agency", "member_name", "member_id", "collab")


def vouching_agency(entry: ListEntry, default: str) -> str:
    """Who vouches for the entry: the agency its file names, else ``default`` (the list)."""
    extra = dict(entry.extra)
    for key in AGENCY_KEYS:
        if extra.get(key):
            return extra[key]
    return default
