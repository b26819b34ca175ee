"""Schemathesis against the OpenAPI document: generated requests, valid and not, as an
investigator of agency ``alpha``; no response is a 500 and every response conforms to the
document (status, content type, schema). Bounded in examples and time."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from interlink.auth import passwords
from interlink.domain.principal import Role
from tests.api.node import Node, build_node


def _node() -> Node:
    # Schemathesis parametrizes at collection, so the node is made when the module loads.
    tmp = Path(tempfile.mkdtemp(prefix="interlink-schema-"))
    before = passwords.use_parameters(time_cost=1, memory_cost=1024, parallelism=1)
    try:
        return build_node(f"sqlite:///{tmp / 'node.db'}", tmp)
    finally:
        passwords.restore(before)


NODE = _node()
NODE.app.openapi()  # built once here, so that loading it is quick on a busy machine
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", NODE.app, timeout=300)


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_document(case: Any) -> None:
    if case.path.endswith("/auth/logout"):
        return  # it would end nothing, but keeps the run independent of order
    token = NODE.tokens[("alpha", Role.INVESTIGATOR)]
    response = case.call(headers={"Authorization": f"Bearer {token}"}, timeout=300)
    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
