import json
import zipfile
from datetime import UTC, datetime, timedelta
from io import BytesIO
from types import MappingProxyType

import numpy as np
import pytest

from interlink.adapters.codec import decode, encode
from interlink.domain.categories import Category
from interlink.domain.errors import FormatError
from interlink.domain.problems import ProblemKind
from interlink.domain.provenance import SourceRef


def test_records_containers_and_arrays_round_trip() -> None:
    value = {
        "ref": SourceRef("E").child("zip", "a.jpg"),
        "kind": ProblemKind.CORRUPT,
        "when": datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        "span": timedelta(hours=6),
        "tags": frozenset({"a", "b"}),
        "pairs": MappingProxyType({1: (Category("uk", "A"), None)}),
        "array": np.arange(10, dtype=np.int32),
        "scalar": np.float32(1.5),
        "nested": [(1, 2.5, "x", True)],
    }
    back = decode(encode(value))
    array = back.pop("array")
    assert np.array_equal(array, np.arange(10)) and array.dtype == np.int32
    value.pop("array")
    assert back.pop("scalar") == value.pop("scalar") == 1.5
    assert back == value
    assert isinstance(back["pairs"], MappingProxyType) and isinstance(back["kind"], ProblemKind)


def test_classes_outside_interlink_are_refused() -> None:
    blob = BytesIO()
    with zipfile.ZipFile(blob, "w") as archive:
        archive.writestr(
            "structure.json", json.dumps({"$dc": "subprocess:Popen", "f": {"args": "true"}})
        )
    with pytest.raises(FormatError, match="not an Interlink class"):
        decode(blob.getvalue())
    with pytest.raises(FormatError):
        decode(b"not a zip")
    with pytest.raises(TypeError):
        encode(object())
