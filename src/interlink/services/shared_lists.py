"""The node's known lists as a ``Principal`` uses them: reading (``lists:read``), importing,
enabling and disabling (``lists:write``), the conflicting votes between lists, exports.
Every read and change is audited by the list services it calls."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, BinaryIO

from interlink.adapters.sql.list_views import Conflict
from interlink.adapters.sql.store import SqlStore
from interlink.domain.errors import InvalidFieldError, TooLargeError
from interlink.domain.principal import Capability, Principal
from interlink.formats import registry
from interlink.services import list_compare, list_versions
from interlink.services import lists as service

_CHUNK = 1 << 20


def summary(stored: Any) -> dict[str, Any]:
    """A list's row in a listing."""
    return {
        "name": stored.list.name,
        "source": stored.list.source,
        "version": stored.list.version,
        "imported_at": stored.list.imported_at.isoformat() if stored.list.imported_at else None,
        "enabled": stored.list.enabled,
        "entries": stored.entries,
        "pdq_threshold": stored.pdq_threshold,
    }


def detail(store: SqlStore, name: str, trusted_votes: int) -> dict[str, Any]:
    """A list in detail: its summary, categories, signals, agencies, flags, trusted items."""
    stored = store.lists.get(name)
    stats = store.list_views.stats(stored.id, trusted_votes)
    return {
        **summary(stored),
        "by_category": stats.by_category,
        "by_signal": stats.by_signal,
        "by_agency": stats.by_agency,
        "flags": stats.flags,
        "trusted": stats.trusted,
        "trusted_votes": trusted_votes,
    }


def all_lists(store: SqlStore, principal: Principal) -> list[dict[str, Any]]:
    """Every list on the node with its size."""
    principal.require(Capability.LISTS_READ)
    return [summary(s) for s in store.lists.all()]


def list_page(
    store: SqlStore, principal: Principal, *, after: str | None, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    """Up to ``limit`` lists with their sizes by name after ``after``, and the name to go on
    after (``None``: the last); the store's query cuts the page."""
    principal.require(Capability.LISTS_READ)
    found = store.lists.all(after=after, limit=limit + 1)
    rows = [summary(s) for s in found[:limit]]
    return rows, (found[limit - 1].list.name if len(found) > limit else None)


def show(store: SqlStore, principal: Principal, name: str, trusted_votes: int) -> dict[str, Any]:
    """One list in detail (audited)."""
    principal.require(Capability.LISTS_READ)
    found = detail(store, name, trusted_votes)
    service.audit_read(store, "show", [name], actor=principal.actor)
    return found


def diff(store: SqlStore, principal: Principal, a: str, b: str) -> list_compare.ListDiff:
    """Two lists compared item by item (audited)."""
    principal.require(Capability.LISTS_READ)
    result = list_compare.diff_lists(store, a, b)
    service.audit_read(store, "diff", [a, b], actor=principal.actor)
    return result


def versions(store: SqlStore, principal: Principal, name: str) -> list[dict[str, Any]]:
    """The list's versions, oldest first, with what each changed (audited)."""
    principal.require(Capability.LISTS_READ)
    found = list_versions.versions(store, name)
    service.audit_read(store, "versions", [name], actor=principal.actor)
    return found


def version_page(
    store: SqlStore, principal: Principal, name: str, *, after: int | None, limit: int
) -> tuple[list[dict[str, Any]], bool]:
    """Up to ``limit`` of the list's versions after generation ``after`` (``None``: from the
    oldest), oldest first, and whether more follow (audited)."""
    principal.require(Capability.LISTS_READ)
    found = list_versions.versions(store, name, after=after, limit=limit + 1)
    service.audit_read(store, "versions", [name], actor=principal.actor)
    return found[:limit], len(found) > limit


def changes(
    store: SqlStore,
    principal: Principal,
    name: str,
    after: int | None,
    upto: int | None,
    *,
    limit: int = list_versions.ROWS,
    after_item: str | None = None,
) -> dict[str, Any]:
    """What version ``upto`` of the list changed since version ``after`` (defaults: the
    newest and the one before it), entry by entry: up to ``limit`` entries by key, those
    after ``after_item`` when given (audited)."""
    principal.require(Capability.LISTS_READ)
    found = list_versions.changes(
        store, name, after=after, upto=upto, limit=limit, after_item=after_item
    )
    service.audit_read(store, "changes", [name], actor=principal.actor)
    return found


def conflict_json(conflict: Conflict) -> dict[str, Any]:
    """An item the lists disagree on, with every vote (agencies and lists per category)."""
    return {
        "signal": conflict.signal_type,
        "value": conflict.value,
        "votes": [
            {"category": v.category.display(), "agencies": list(v.agencies), "lists": list(v.lists)}
            for v in conflict.votes
        ],
    }


def votes(store: SqlStore, principal: Principal, limit: int) -> list[dict[str, Any]]:
    """Items the enabled lists put in different categories, with every vote (audited)."""
    principal.require(Capability.VOTES)
    found = list(store.list_views.conflicts(limit))
    service.audit_read(store, "conflicts", [], actor=principal.actor)
    return [conflict_json(c) for c in found]


def vote_page(
    store: SqlStore, principal: Principal, *, after: tuple[str, str] | None, limit: int
) -> tuple[list[dict[str, Any]], tuple[str, str] | None]:
    """Up to ``limit`` items the enabled lists put in different categories, by signal and
    value after ``after``, with every vote, and the (signal, value) to go on after (``None``:
    the last); the store's query cuts the page (audited)."""
    principal.require(Capability.VOTES)
    found = list(store.list_views.conflicts(limit + 1, after=after))
    service.audit_read(store, "conflicts", [], actor=principal.actor)
    last = found[limit - 1] if len(found) > limit else None
    return [conflict_json(c) for c in found[:limit]], (
        None if last is None else (last.signal_type, last.value)
    )


def set_enabled(store: SqlStore, principal: Principal, name: str, enabled: bool) -> None:
    """Enable or disable matching against a list (audited)."""
    principal.require(Capability.LISTS_WRITE)
    service.set_enabled(store, name, enabled, actor=principal.actor)


def _format(name: str, *, writing: bool) -> str:
    chosen = registry.FORMATS.get(name)
    if chosen is None or (writing and chosen.write is None):
        usable = sorted(n for n, f in registry.FORMATS.items() if f.write or not writing)
        raise InvalidFieldError("format", name, f"not one of {', '.join(usable)}")
    return name


def import_upload(
    store: SqlStore,
    principal: Principal,
    upload: BinaryIO,
    *,
    name: str,
    fmt: str,
    version: str,
    mode: service.Mode,
    limit: int,
) -> service.ImportResult:
    """Import an uploaded list file as a version of list ``name`` (audited); the upload is
    refused (``TooLargeError``, nothing stored) past ``limit`` bytes."""
    principal.require(Capability.LISTS_WRITE)
    if not name.strip():
        raise InvalidFieldError("name", name, "must not be empty")
    if fmt != "auto":
        _format(fmt, writing=False)
    with tempfile.TemporaryDirectory(prefix="interlink-upload-") as folder:
        path = Path(folder) / "upload"
        size = 0
        with path.open("wb") as out:
            while chunk := upload.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise TooLargeError("file", limit)
                out.write(chunk)
        return service.import_list(
            store,
            path,
            name=name.strip(),
            fmt=fmt,
            version=version,
            mode=mode,
            actor=principal.actor,
        )


def export(store: SqlStore, principal: Principal, name: str, fmt: str) -> bytes:
    """The list ``name`` written in ``fmt`` (audited)."""
    principal.require(Capability.LISTS_READ)
    _format(fmt, writing=True)
    with tempfile.TemporaryDirectory(prefix="interlink-export-") as folder:
        path = Path(folder) / f"{name}.out"
        service.export_list(store, name, fmt, path, actor=principal.actor)
        return path.read_bytes()
