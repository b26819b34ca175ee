"""One change and its audit record, committed together."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from interlink.adapters.sql.store import SqlStore


def change(
    store: SqlStore,
    write: Callable[[Connection], object],
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    before: Any = None,
    after: Any = None,
) -> None:
    """Run ``write`` and append the audit record of the change (who, what, before, after) in
    one transaction: both are stored, or neither."""
    with store.transaction() as tx:
        write(tx)
        store.audit.append(
            tx,
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            before=before,
            after=after,
        )
