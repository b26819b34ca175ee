"""The compose file's structure: the services a cluster deployment needs, wired together."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import typer
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


def _command(program: str, words: list[str]) -> tuple[Any, list[str]]:
    """The click command ``program words...`` runs, and the words left for it."""
    if program == "interlink":
        from interlink.cli.app import app

        command: Any = typer.main.get_command(app)
    elif program == "dask":
        from distributed.cli import dask_scheduler, dask_worker

        command = click.Group(
            "dask", commands={"scheduler": dask_scheduler.main, "worker": dask_worker.main}
        )
    else:
        raise AssertionError(f"no such program here: {program}")
    # Typer's commands are of the click it vendors: groups are told by what they do.
    while hasattr(command, "get_command") and words and not words[0].startswith("-"):
        found = command.get_command(type(command).context_class(command), words[0])
        assert found is not None, f"{program}: no command {words[0]!r}"
        command, words = found, words[1:]
    return command, words


def test_every_service_command_is_a_real_command_with_real_options() -> None:
    for name, service in _compose()["services"].items():
        if "command" not in service:
            continue
        program, *words = service["command"]
        command, rest = _command(program, words)
        assert not hasattr(command, "get_command"), f"{name}: {words} names a group"
        options = {o for p in command.params for o in (*p.opts, *p.secondary_opts)}
        for word in rest:
            if word.startswith("--"):
                assert word.split("=", 1)[0] in options, f"{name}: {word} is not an option"


def test_the_server_and_job_worker_run_the_queued_scans_on_the_cluster() -> None:
    services = _compose()["services"]
    assert services["server"]["command"][:2] == ["interlink", "serve"]
    assert services["jobs"]["command"] == ["interlink", "worker"]
    for name in ("server", "jobs"):
        environment = services[name]["environment"]
        assert environment["INTERLINK_DASK_SCHEDULER"] == "tcp://scheduler:8786"
        assert environment["INTERLINK_EVIDENCE_ROOTS"] == "/evidence"
        assert "${INTERLINK_EVIDENCE:-/srv/evidence}:/evidence:ro" in services[name]["volumes"]
