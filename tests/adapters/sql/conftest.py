"""Fixtures shared by the SQL adapter's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from interlink.adapters.sql import audit_queue
from interlink.adapters.sql.store import SqlStore


@pytest.fixture
def quiet_store(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[SqlStore]:
    """A PostgreSQL store whose audit chainer does not run by itself: the tests chain (and
    trace, and count) the queue themselves."""
    monkeypatch.setattr(audit_queue, "CHAIN_SECONDS", 3600.0)
    opened = SqlStore.open(postgres_url)
    try:
        yield opened
    finally:
        opened.close()
