import pytest

from interlink.domain.errors import ConfigurationError
from interlink.settings import Settings


def test_the_robust_signal_is_on_unless_the_node_turns_it_off() -> None:
    env = {"INTERLINK_HOME": "/tmp/interlink-settings-test"}
    assert Settings.load(env).robust_signal
    assert not Settings.load({**env, "INTERLINK_ROBUST_SIGNAL": "OFF"}).robust_signal
    assert Settings.load({**env, "INTERLINK_ROBUST_SIGNAL": " on "}).robust_signal
    with pytest.raises(ConfigurationError, match="INTERLINK_ROBUST_SIGNAL"):
        Settings.load({**env, "INTERLINK_ROBUST_SIGNAL": "maybe"})
