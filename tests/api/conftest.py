"""Cheap argon2id parameters for the API tests (the production default is deliberately
slow; the stored hash carries its parameters either way)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from interlink.auth import passwords


@pytest.fixture(autouse=True)
def cheap_passwords() -> Iterator[None]:
    before = passwords.use_parameters(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords.restore(before)
