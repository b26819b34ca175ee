"""The compose file's structure: the services a cluster deployment needs, wired together."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

COMPOSE = Path(__file__).parents[2] / "deploy" / "compose.yaml"


def _compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_the_compose_file_names_the_cluster_services() -> None:
    services = _compose()["services"]
    assert {"postgres", "scheduler", "worker", "coordinator"} <= set(services)
    assert services["scheduler"]["command"][:2] == ["dask", "scheduler"]
    assert services["worker"]["command"][:3] == ["dask", "worker", "tcp://scheduler:8786"]
    assert services["coordinator"]["command"][:2] == ["interlink", "scan"]


def test_workers_and_coordinator_share_the_evidence_read_only_at_one_path() -> None:
    services = _compose()["services"]
    for name in ("worker", "coordinator"):
        [mount] = services[name]["volumes"]
        assert mount.endswith(":/evidence:ro"), name
        environment = services[name]["environment"]
        assert environment["INTERLINK_DASK_SCHEDULER"] == "tcp://scheduler:8786"
        assert environment["INTERLINK_DB"].startswith("postgresql+psycopg://")


def test_every_published_port_is_on_the_loopback_address() -> None:
    for name, service in _compose()["services"].items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), name
