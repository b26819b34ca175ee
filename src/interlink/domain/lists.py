"""Known-material lists and their entries, and the matches a scan finds against them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from interlink.domain.categories import Category
from interlink.domain.signals import Signal


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
    """What a match shows about the entry it hit."""

    entry_id: int
    list_id: int
    list_name: str
    category: Category | None
    series: str | None
    victim_identified: bool | None
