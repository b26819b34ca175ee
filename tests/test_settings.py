"""Settings read from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from interlink.domain.errors import ConfigurationError
from interlink.settings import Settings


def test_the_robust_signal_is_on_unless_the_node_turns_it_off(tmp_path: Path) -> None:
    env = {"INTERLINK_HOME": str(tmp_path)}
    assert Settings.load(env).robust_signal
    assert not Settings.load({**env, "INTERLINK_ROBUST_SIGNAL": "OFF"}).robust_signal
    assert Settings.load({**env, "INTERLINK_ROBUST_SIGNAL": " on "}).robust_signal
    with pytest.raises(ConfigurationError, match="INTERLINK_ROBUST_SIGNAL"):
        Settings.load({**env, "INTERLINK_ROBUST_SIGNAL": "maybe"})


def test_the_dask_scheduler_is_read_from_the_environment(tmp_path: Path) -> None:
    env = {"INTERLINK_HOME": str(tmp_path), "INTERLINK_DASK_SCHEDULER": " tcp://127.0.0.1:8786 "}
    assert Settings.load(env).dask_scheduler == "tcp://127.0.0.1:8786"
    assert Settings.load({"INTERLINK_HOME": str(tmp_path)}).dask_scheduler is None
    assert Settings.load({**env, "INTERLINK_DASK_SCHEDULER": ""}).dask_scheduler is None
