"""The audit log as a principal may read it: an agency admin its own agency's users'
records, verification for agency and node admins (the result only, no content)."""

from __future__ import annotations

from interlink.adapters.sql.audit import AuditRecord, ChainCheck
from interlink.adapters.sql.audit_pages import AuditPages
from interlink.adapters.sql.store import SqlStore
from interlink.domain.principal import AuthMethod, Capability, Principal


def audit_page(
    store: SqlStore, principal: Principal, *, after_id: int = 0, limit: int = 100
) -> list[AuditRecord]:
    """Records after ``after_id`` in chain order that the principal may read (the local
    operator: all of them; an agency admin: those of its agency's users)."""
    principal.require(Capability.AUDIT_READ)
    prefix = None if principal.method is AuthMethod.LOCAL else f"{principal.agency}/"
    return AuditPages(store.engine).page(after_id=after_id, limit=limit, actor_prefix=prefix)


def verify(store: SqlStore, principal: Principal) -> ChainCheck:
    """Recompute the whole chain."""
    principal.require(Capability.AUDIT_VERIFY)
    return store.audit.verify()
