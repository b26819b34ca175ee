import pytest

from interlink.domain.errors import ConfigurationError
from interlink.formats import registry


def test_every_format_of_the_issue_is_registered_once() -> None:
    assert set(registry.FORMATS) == {"vics", "icse", "ncmec", "hma"}
    assert registry.get("ncmec").write is None
    assert all(registry.get(name).write is not None for name in ("vics", "icse", "hma"))
    with pytest.raises(ConfigurationError, match="twice"):
        registry.build((registry.BUILTINS[0], registry.BUILTINS[0]))
    with pytest.raises(ConfigurationError, match="unknown format"):
        registry.get("xls")
