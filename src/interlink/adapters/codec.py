"""A safe codec for Interlink's frozen records: JSON for the structure, NumPy arrays beside it.

Unlike pickle, decoding never runs code: it only rebuilds dataclasses, enums and containers
whose classes live in the ``interlink`` package and are named in the data; anything else is
refused. Used to persist large analysis results (network builds) in the store.
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import io
import json
import zipfile
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Any

import numpy as np

from interlink.domain.errors import FormatError

_PREFIX = "interlink."
_STRUCTURE = "structure.json"


def encode(value: Any) -> bytes:
    """``value`` (records, containers, arrays, times, enums) as one self-describing blob."""
    arrays: list[np.ndarray[Any, Any]] = []
    structure = _encode(value, arrays)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(_STRUCTURE, json.dumps(structure, separators=(",", ":")))
        for index, array in enumerate(arrays):
            with archive.open(f"{index}.npy", "w", force_zip64=True) as member:
                np.save(member, array, allow_pickle=False)
    return buffer.getvalue()


def decode(blob: bytes) -> Any:
    """The value ``encode`` wrote; ``FormatError`` if the blob is damaged or names a class
    outside Interlink."""
    try:
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            structure = json.loads(archive.read(_STRUCTURE))
            arrays = {
                int(name.removesuffix(".npy")): np.load(
                    io.BytesIO(archive.read(name)), allow_pickle=False
                )
                for name in archive.namelist()
                if name.endswith(".npy")
            }
        return _decode(structure, arrays)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
        raise FormatError(f"not a stored record: {exc}") from exc


def _name(kind: type) -> str:
    return f"{kind.__module__}:{kind.__qualname__}"


def _encode(value: Any, arrays: list[np.ndarray[Any, Any]]) -> Any:
    if isinstance(value, enum.Enum):  # before str and int: StrEnum and IntEnum are both
        return {"$enum": _name(type(value)), "v": value.value}
    if value is None or isinstance(value, bool | str | int | float):
        return value
    if isinstance(value, np.ndarray):
        arrays.append(value)
        return {"$np": len(arrays) - 1}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, timedelta):
        return {"$td": value.total_seconds()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {
            f.name: _encode(getattr(value, f.name), arrays) for f in dataclasses.fields(value)
        }
        return {"$dc": _name(type(value)), "f": fields}
    if isinstance(value, tuple):
        return {"$t": [_encode(v, arrays) for v in value]}
    if isinstance(value, list):
        return [_encode(v, arrays) for v in value]
    if isinstance(value, frozenset | set):
        items = sorted((_encode(v, arrays) for v in value), key=json.dumps)
        return {"$fs" if isinstance(value, frozenset) else "$set": items}
    if isinstance(value, MappingProxyType | dict):
        pairs = [[_encode(k, arrays), _encode(v, arrays)] for k, v in value.items()]
        return {"$mp" if isinstance(value, MappingProxyType) else "$d": pairs}
    raise TypeError(f"cannot store a {type(value).__name__}")


def _class(name: str) -> type:
    module, _, qualname = name.partition(":")
    if not module.startswith(_PREFIX):
        raise ValueError(f"refusing to rebuild {name!r}: not an Interlink class")
    found: Any = importlib.import_module(module)
    for part in qualname.split("."):
        found = getattr(found, part)
    if not isinstance(found, type):
        raise ValueError(f"{name!r} is not a class")
    return found


def _decode(value: Any, arrays: dict[int, np.ndarray[Any, Any]]) -> Any:
    if isinstance(value, list):
        return [_decode(v, arrays) for v in value]
    if not isinstance(value, dict):
        return value
    if "$np" in value:
        return arrays[int(value["$np"])]
    if "$t" in value:
        return tuple(_decode(v, arrays) for v in value["$t"])
    if "$fs" in value:
        return frozenset(_decode(v, arrays) for v in value["$fs"])
    if "$set" in value:
        return {_decode(v, arrays) for v in value["$set"]}
    if "$d" in value or "$mp" in value:
        stored = value["$mp"] if "$mp" in value else value["$d"]
        pairs = {_decode(k, arrays): _decode(v, arrays) for k, v in stored}
        return MappingProxyType(pairs) if "$mp" in value else pairs
    if "$dt" in value:
        return datetime.fromisoformat(value["$dt"])
    if "$date" in value:
        return date.fromisoformat(value["$date"])
    if "$td" in value:
        return timedelta(seconds=value["$td"])
    if "$enum" in value:
        return _class(value["$enum"])(value["v"])
    if "$dc" in value:
        kind = _class(value["$dc"])
        if not dataclasses.is_dataclass(kind):
            raise ValueError(f"{value['$dc']!r} is not a record")
        fields = {k: _decode(v, arrays) for k, v in value["f"].items()}
        return kind(**fields)
    raise ValueError(f"unknown stored value {sorted(value)[:3]}")
