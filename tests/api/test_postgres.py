"""A subset of the authorisation matrix, and isolation between agencies, on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from interlink.domain.principal import Role
from tests.api.node import Node, build_node
from tests.api.test_matrix import check_matrix


@pytest.fixture
def pg_node(postgres_url: str, tmp_path: Path) -> Iterator[Node]:
    built = build_node(postgres_url, tmp_path)
    yield built
    built.store.close()


@pytest.mark.postgres
def test_matrix_subset_on_postgresql(pg_node: Node) -> None:
    wrong = check_matrix(pg_node, (None, Role.INVESTIGATOR, Role.AGENCY_ADMIN))
    assert not wrong, "\n".join(wrong)
