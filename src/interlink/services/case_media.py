"""A case's media as a principal sees them: the list with clues (``media:blurred``), the
blurred greyscale thumbnail of one, and its clear thumbnail only through an explicit reveal
(``media:reveal``, after a second factor, with the reason the user typed), every one audited.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from interlink.adapters.sql.store import SqlStore
from interlink.domain.cases import Case
from interlink.domain.errors import AccessDeniedError, InvalidFieldError, NotFoundError
from interlink.domain.principal import AuthMethod, Capability, Principal
from interlink.media.thumbnails import wellness_jpeg
from interlink.services.casefile import audit_read, case_of
from interlink.services.exposure import require_reveal_allowed

#: Shortest reason accepted for a reveal.
MIN_REASON = 5


def media_list(store: SqlStore, principal: Principal, case: str) -> list[dict[str, Any]]:
    """The media of an own case, each with the paths it was seen at and its clues
    (audited)."""
    rows, _ = media_page(store, principal, case, after=None, limit=None)
    return rows


def media_page(
    store: SqlStore, principal: Principal, case: str, *, after: str | None, limit: int | None
) -> tuple[list[dict[str, Any]], bool]:
    """Up to ``limit`` (``None``: every one) media of an own case by SHA-256 after ``after``,
    each with the paths it was seen at and its clues, and whether more follow; the store's
    query cuts the page (audited)."""
    record = case_of(store, principal, case, Capability.MEDIA_BLURRED)
    wanted = None if limit is None else limit + 1
    held = store.links.case_media(record.id, after=after, limit=wanted)
    shown = sorted(held)[:limit]
    clues = store.media.clues_of(shown)
    rows = []
    for sha in shown:
        found = clues.get(sha)
        rows.append(
            {
                "sha256": sha,
                "paths": held[sha],
                "clues": json.loads(json.dumps(asdict(found), default=str)) if found else None,
            }
        )
    audit_read(store, principal, "media.list", "case", str(record.id), {"media": len(rows)})
    return rows, len(held) > len(shown)


def _held(
    store: SqlStore, principal: Principal, case: str, sha256: str, need: Capability
) -> tuple[Case, str, bytes]:
    record = case_of(store, principal, case, need)
    value = sha256.strip().lower()
    if value not in store.links.case_media(record.id):
        raise NotFoundError("media", sha256)
    clear = store.media.thumbnail(value)
    if clear is None:
        raise NotFoundError("thumbnail", sha256)
    return record, value, clear


def blurred(store: SqlStore, principal: Principal, case: str, sha256: str) -> bytes:
    """The blurred greyscale thumbnail of a media of an own case (audited)."""
    record, value, clear = _held(store, principal, case, sha256, Capability.MEDIA_BLURRED)
    audit_read(store, principal, "media.view", "case", str(record.id), {"sha256": value})
    return wellness_jpeg(clear)


def reveal(store: SqlStore, principal: Principal, case: str, sha256: str, *, reason: str) -> bytes:
    """The clear thumbnail of a media of an own case, for a principal that may reveal media
    and logged in with a second factor, with the reason it typed (audited: who, what, when,
    why)."""
    principal.require(Capability.MEDIA_REVEAL)
    if principal.second_factor_at is None and principal.method is not AuthMethod.LOCAL:
        raise AccessDeniedError("revealing media needs a login with a second factor")
    text = reason.strip()
    if len(text) < MIN_REASON:
        raise InvalidFieldError(
            "reason", reason, f"give the reason (at least {MIN_REASON} characters)"
        )
    record, value, clear = _held(store, principal, case, sha256, Capability.MEDIA_REVEAL)
    require_reveal_allowed(store, principal)
    audit_read(
        store,
        principal,
        "media.reveal",
        "case",
        str(record.id),
        {"sha256": value, "reason": text},
    )
    return clear
