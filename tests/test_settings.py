"""Settings read from the environment."""

from __future__ import annotations

from pathlib import Path

from interlink.settings import Settings


def test_the_dask_scheduler_is_read_from_the_environment(tmp_path: Path) -> None:
    env = {"INTERLINK_HOME": str(tmp_path), "INTERLINK_DASK_SCHEDULER": " tcp://10.0.0.5:8786 "}
    assert Settings.load(env).dask_scheduler == "tcp://10.0.0.5:8786"
    assert Settings.load({"INTERLINK_HOME": str(tmp_path)}).dask_scheduler is None
    assert Settings.load({**env, "INTERLINK_DASK_SCHEDULER": ""}).dask_scheduler is None
