"""A list's versions and what changed between two of them: the entries a later import added,
removed, or described differently (category, series, flags), each shown as it was in the
older version and as it is in the newer. Versions are the list's import generations as the
store recorded them (``adapters.sql.list_history``); between two versions the changes of
every import in between are folded, so an entry added then removed again is no change.
"""

from __future__ import annotations

from typing import Any

from interlink.adapters.sql.list_history import DESCRIBED, Description
from interlink.adapters.sql.store import SqlStore
from interlink.domain.errors import InvalidFieldError, NotFoundError

#: Changed entries a comparison lists (its counts are always exact).
ROWS = 10_000


def versions(
    store: SqlStore, name: str, *, after: int | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """The list's versions, oldest first, each with what it changed (``None`` for the first
    version the store holds); only those after generation ``after``, at most ``limit``, when
    given (the store's query does the cutting)."""
    stored = store.lists.get(name)
    return [
        {
            "generation": v.generation,
            "version": v.version,
            "source": v.source,
            "imported_at": v.imported_at.isoformat(),
            "added": v.added,
            "changed": v.changed,
            "removed": v.removed,
        }
        for v in store.list_history.versions(stored.id, after=after, limit=limit)
    ]


def _kind(before: Description | None, after: Description | None) -> str | None:
    if before is None:
        return None if after is None else "added"
    if after is None:
        return "removed"
    return None if before == after else "changed"


def _row(
    key: str, kind: str, before: Description | None, after: Description | None
) -> dict[str, Any]:
    was, now = before or {}, after or {}
    return {
        "item": key,
        "change": kind,
        "category_before": was.get("category"),
        "category_after": now.get("category"),
        "fields": sorted(f for f in DESCRIBED if was.get(f) != now.get(f))
        if kind == "changed"
        else [],
        "before": before,
        "after": after,
    }


def changes(
    store: SqlStore,
    name: str,
    *,
    after: int | None = None,
    upto: int | None = None,
    limit: int = ROWS,
    after_item: str | None = None,
) -> dict[str, Any]:
    """What the list's version ``upto`` (default: the newest) holds differently from version
    ``after`` (default: the one before ``upto``): exact counts of entries added, removed and
    changed, and up to ``limit`` of them by entry key, those after ``after_item`` when given
    (``truncated``: more follow). ``NotFoundError`` for a version the list does not have;
    ``InvalidFieldError`` unless ``after`` is older than ``upto``."""
    stored = store.lists.get(name)
    known = [v.generation for v in store.list_history.versions(stored.id)]
    if not known:
        raise NotFoundError("list version", f"{name} (no version recorded)")
    newer = known[-1] if upto is None else upto
    if newer not in known:
        raise NotFoundError("list version", f"{name} {newer}")
    older = after if after is not None else max((g for g in known if g < newer), default=newer)
    if older not in known:
        raise NotFoundError("list version", f"{name} {older}")
    if older > newer or (older == newer and after is not None):
        raise InvalidFieldError("from", str(older), "must be a version older than the one compared")
    folded: dict[str, list[Description | None]] = {}
    for change in store.list_history.changes(stored.id, older, newer):
        found = folded.get(change.entry_key)
        if found is None:
            folded[change.entry_key] = [change.before, change.after]
        else:
            found[1] = change.after
    counts = {"added": 0, "removed": 0, "changed": 0}
    rows: list[dict[str, Any]] = []
    more = False
    for key in sorted(folded):
        before, now = folded[key]
        kind = _kind(before, now)
        if kind is None:
            continue
        counts[kind] += 1
        if after_item is not None and key <= after_item:
            continue
        if len(rows) < limit:
            rows.append(_row(key, kind, before, now))
        else:
            more = True
    return {"name": name, "from": older, "to": newer, **counts, "items": rows, "truncated": more}
