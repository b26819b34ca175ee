"""List-sync batches: the payload a node signs when a peer pulls a list from it (pure).

A batch carries the changes of one list after the peer's cursor: upserts (the entry as the
policy discloses it) and tombstones, each under an opaque key and with its change number::

    {"type": "interlink.list-batch/1", "origin": FP, "origin_agency": "BKA",
     "recipient": FP, "list": "known", "version": "2026-11", "disclosure": "category",
     "since": 120, "until": 170, "more": false, "issued_at": "2026-12-07T01:00:00+00:00",
     "changes": [{"seq": 121, "key": HEX, "op": "upsert", "entry": {...}},
                 {"seq": 122, "key": HEX, "op": "delete"}]}

The key is ``SHA-256(origin | list | entry_key)``: stable across versions (so a change updates
the same entry on the peer) without revealing the origin's own ids.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from interlink.domain.categories import Category
from interlink.domain.errors import FormatError, InvalidSignalError
from interlink.domain.lists import ListEntry
from interlink.domain.signals import Signal

BATCH_TYPE = "interlink.list-batch/1"


def opaque_key(origin: str, list_name: str, entry_key: str) -> str:
    """The key under which an entry crosses to peers."""
    return hashlib.sha256(f"{origin}|{list_name}|{entry_key}".encode()).hexdigest()


def entry_document(entry: ListEntry) -> dict[str, Any]:
    """An entry (already reduced to what the policy discloses) as batch JSON."""
    extra = dict(entry.extra)
    return {
        "signals": [[s.type, s.value, s.quality] for s in entry.signals],
        "category": [entry.category.scheme, entry.category.code] if entry.category else None,
        "series": entry.series,
        "victim_identified": entry.victim_identified,
        "offender_identified": entry.offender_identified,
        "distributed": entry.distributed,
        "media_kind": entry.media_kind,
        "agency": extra.get("agency"),
    }


@dataclass(frozen=True, slots=True)
class Change:
    """One change of a received batch."""

    seq: int
    key: str
    entry: ListEntry | None  # None: a tombstone
    agency: str | None = None


@dataclass(frozen=True, slots=True)
class Batch:
    """A verified batch's payload, read."""

    origin: str
    origin_agency: str
    recipient: str
    list_name: str
    version: str
    disclosure: str
    since: int
    until: int
    more: bool
    changes: tuple[Change, ...]


def _optional_bool(value: Any, field: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise FormatError(f"{field} must be true, false or null", "batch")


def _optional_str(value: Any, field: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise FormatError(f"{field} must be a string or null", "batch")


def _category(value: Any) -> Category | None:
    """The category, or ``None`` when absent or of a scheme this node does not know (the rest
    of the entry is kept)."""
    if not (isinstance(value, list) and len(value) == 2):
        return None
    try:
        return Category(str(value[0]), str(value[1]))
    except InvalidSignalError:
        return None


def _entry(key: str, body: Any) -> tuple[ListEntry, str | None]:
    if not isinstance(body, dict):
        raise FormatError("an upsert needs an entry object", f"batch change {key}")
    signals = []
    for item in body.get("signals") or []:
        if not (isinstance(item, list) and len(item) == 3):
            raise FormatError("a signal is [type, value, quality]", f"batch change {key}")
        kind, value, quality = item
        if not isinstance(kind, str) or not isinstance(value, str):
            raise FormatError("a signal's type and value are strings", f"batch change {key}")
        signals.append(Signal(kind, value, quality if isinstance(quality, int) else None))
    entry = ListEntry(
        signals=tuple(signals),
        category=_category(body.get("category")),
        series=_optional_str(body.get("series"), "series"),
        victim_identified=_optional_bool(body.get("victim_identified"), "victim_identified"),
        offender_identified=_optional_bool(body.get("offender_identified"), "offender_identified"),
        distributed=_optional_bool(body.get("distributed"), "distributed"),
        external_id=key,
        media_kind=_optional_str(body.get("media_kind"), "media_kind"),
    )
    return entry, _optional_str(body.get("agency"), "agency")


def read_batch(payload: dict[str, Any]) -> Batch:
    """Read a verified batch payload; ``FormatError`` if it is not one."""
    if payload.get("type") != BATCH_TYPE:
        raise FormatError(f"not a {BATCH_TYPE} document", "batch")
    try:
        changes: list[Change] = []
        for raw in payload["changes"]:
            seq, key, op = int(raw["seq"]), str(raw["key"]), raw["op"]
            if op == "delete":
                changes.append(Change(seq, key, None))
            elif op == "upsert":
                entry, agency = _entry(key, raw.get("entry"))
                changes.append(Change(seq, key, entry, agency))
            else:
                raise FormatError(f"unknown op {op!r}", f"batch change {seq}")
        return Batch(
            origin=str(payload["origin"]),
            origin_agency=str(payload["origin_agency"]),
            recipient=str(payload["recipient"]),
            list_name=str(payload["list"]),
            version=str(payload.get("version", "")),
            disclosure=str(payload["disclosure"]),
            since=int(payload["since"]),
            until=int(payload["until"]),
            more=bool(payload["more"]),
            changes=tuple(changes),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise FormatError(f"malformed batch: {exc}", "batch") from exc


def batch_payload(
    *,
    origin: str,
    origin_agency: str,
    recipient: str,
    list_name: str,
    version: str,
    disclosure: str,
    since: int,
    until: int,
    more: bool,
    issued_at: str,
    changes: Sequence[tuple[int, str, ListEntry | None]],
) -> dict[str, Any]:
    """The payload of one batch; ``changes`` are ``(seq, opaque key, entry or None)``."""
    return {
        "type": BATCH_TYPE,
        "origin": origin,
        "origin_agency": origin_agency,
        "recipient": recipient,
        "list": list_name,
        "version": version,
        "disclosure": disclosure,
        "since": since,
        "until": until,
        "more": more,
        "issued_at": issued_at,
        "changes": [
            {"seq": seq, "key": key, "op": "delete"}
            if entry is None
            else {"seq": seq, "key": key, "op": "upsert", "entry": entry_document(entry)}
            for seq, key, entry in changes
        ],
    }
