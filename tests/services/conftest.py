"""Fixtures shared by the service tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from interlink.adapters.sql.store import SqlStore


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    """A fresh, migrated store on each backend in turn."""
    opened = SqlStore.open(store_url)
    yield opened
    opened.close()
