"""The audit log as a principal may read it: an agency admin its own agency's users'
records, verification for agency and node admins (the result only, no content)."""

from __future__ import annotations

from typing import Any

from interlink.adapters.sql.audit import AuditRecord, ChainCheck
from interlink.adapters.sql.audit_pages import AuditPages
from interlink.adapters.sql.store import SqlStore
from interlink.domain.errors import InvalidFieldError
from interlink.domain.principal import AuthMethod, Capability, Principal
from interlink.settings import Settings


def audit_page(
    store: SqlStore,
    principal: Principal,
    *,
    after_id: int = 0,
    limit: int = 100,
    newest_first: bool = False,
    containing: str | None = None,
) -> list[AuditRecord]:
    """Records after ``after_id`` in chain order (``newest_first``: before it, newest first)
    that the principal may read (the local operator: all of them; an agency admin: those of
    its agency's users), over the whole log only those whose actor, action, object type or
    object id contains ``containing`` (any case): the filter is the query's, so a page is
    full and its cursor goes on where it stopped."""
    principal.require(Capability.AUDIT_READ)
    prefix = None if principal.method is AuthMethod.LOCAL else f"{principal.agency}/"
    store.audit.settle()
    return AuditPages(store.engine).page(
        after_id=after_id,
        limit=limit,
        actor_prefix=prefix,
        newest_first=newest_first,
        containing=(containing or "").strip() or None,
    )


def audit_listing(
    store: SqlStore,
    principal: Principal,
    *,
    sort: str | None,
    containing: str | None,
    after_id: int,
    limit: int,
    default_sort: str = "id",
) -> tuple[list[AuditRecord], bool]:
    """A page of :func:`audit_page` as a listing asks for it: ``sort`` ``id`` (chain order)
    or ``-id`` (newest first; default ``default_sort``), the filter text, the id after which
    it goes on; its records and whether more follow."""
    order = (sort or default_sort).strip()
    if order not in ("id", "-id"):
        raise InvalidFieldError("sort", order, "sort by id or -id (newest first)")
    found = audit_page(
        store,
        principal,
        after_id=after_id,
        limit=limit + 1,
        newest_first=order == "-id",
        containing=containing,
    )
    return found[:limit], len(found) > limit


def verify(store: SqlStore, principal: Principal) -> ChainCheck:
    """Recompute the whole chain."""
    principal.require(Capability.AUDIT_VERIFY)
    return store.audit.verify()


def checkpoint(store: SqlStore, settings: Settings, principal: Principal) -> dict[str, Any]:
    """Sign the chain's head now, as ``interlink audit checkpoint`` does (a node admin; the
    node's key is created on first use); the exported form of the new checkpoint."""
    from interlink.adapters.audit_key import ensure_key
    from interlink.services.audit import checkpoint_now

    principal.require(Capability.NODE_SETTINGS)
    key, _ = ensure_key(settings.audit_key_path)
    return checkpoint_now(store, key)


def checkpoints(store: SqlStore, settings: Settings, principal: Principal) -> list[dict[str, Any]]:
    """Every stored checkpoint in its exported form, by number (``public_key`` is ``None``
    when the node has no key file to show it)."""
    from interlink.adapters.audit_key import load_key
    from interlink.audit_verifier import ALGORITHM, CHECKPOINT_FORMAT

    principal.require(Capability.AUDIT_VERIFY)
    path = settings.audit_key_path
    public_key = load_key(path).public_key.hex() if path.exists() else None
    return [
        {
            "format": CHECKPOINT_FORMAT,
            "checkpoint": stored.fields(),
            "algorithm": ALGORITHM,
            "public_key": public_key,
            "signature": stored.signature,
        }
        for stored in store.checkpoints.all()
    ]
