import io

import pytest

from interlink.domain.errors import ConfigurationError
from interlink.domain.lists import ListEntry
from interlink.formats import registry
from interlink.formats.base import RecordError, WriteReport


def test_every_format_of_the_issue_is_registered_once() -> None:
    assert set(registry.FORMATS) == {"csv", "vics", "icse", "ncmec", "hma", "vpdq"}
    assert registry.get("ncmec").write is None and registry.get("vpdq").write is None
    assert all(registry.get(name).write is not None for name in ("csv", "vics", "icse", "hma"))
    with pytest.raises(ConfigurationError, match="twice"):
        registry.build((registry.BUILTINS[0], registry.BUILTINS[0]))
    with pytest.raises(ConfigurationError, match="unknown format"):
        registry.get("xls")


def test_the_simple_csv_keeps_the_common_contract() -> None:
    data = b"md5,series\n" + b"a" * 32 + b",S\nnot-a-hash,T\n"
    good, bad = registry.get("csv").read(io.BytesIO(data))
    assert isinstance(good, ListEntry) and good.series == "S"
    assert isinstance(bad, RecordError) and bad.position == "line 3"
    writer = registry.get("csv").write
    assert writer is not None
    assert writer([good], io.BytesIO()) == WriteReport(written=1)
