"""Provenance chains: where a copy of a file sits inside an exhibit.

Modelled on dfVFS path specifications: a ``SourceRef`` names an exhibit and a chain of layers,
each a container type and a path inside the layer before it (a folder, then a zip inside it,
then a tar inside that, ...). It is hashable, ordered, and round-trips through JSON and text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from interlink.domain.errors import FormatError

#: Container kinds a layer may have.
LAYER_KINDS = frozenset(
    {"folder", "file", "zip", "tar", "7z", "gzip", "bzip2", "xz", "report", "video"}
    | {"partition", "fs", "carved"}
)


@dataclass(frozen=True, slots=True, order=True)
class Layer:
    """One step of a provenance chain: ``path`` inside a container of kind ``kind``.

    ``path`` is a POSIX-style relative path. Names that were not valid UTF-8 in the source are
    kept with their undecodable bytes written as ``\\xNN`` escapes. ``attrs`` are sorted
    ``(name, value)`` facts that pin the layer down where a path alone cannot: a partition's
    index, offset and type; a file system's type, a file's inode or MFT entry, its data
    stream, its MACB times and whether it is ``deleted``; a carved range (see
    ``docs/architecture/disk-images.md``). They are part of the reference's identity.
    """

    kind: str
    path: str
    attrs: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in LAYER_KINDS:
            raise ValueError(f"unknown layer kind {self.kind!r}")
        if list(self.attrs) != sorted(self.attrs):
            raise ValueError("layer attributes must be sorted by name")

    def attr(self, name: str) -> str | None:
        """The value of attribute ``name``, if the layer has it."""
        return dict(self.attrs).get(name)

    def display(self) -> str:
        """``path``, then ``[name=value,...]`` when the layer has attributes."""
        if not self.attrs:
            return self.path
        return self.path + "[" + ",".join(f"{k}={v}" for k, v in self.attrs) + "]"

    def to_json(self) -> dict[str, Any]:
        """``{"kind", "path"}`` plus ``"attrs"`` (an object) when there are any."""
        data: dict[str, Any] = {"kind": self.kind, "path": self.path}
        if self.attrs:
            data["attrs"] = dict(self.attrs)
        return data

    @classmethod
    def from_json(cls, item: Any) -> Layer:
        """Read what ``to_json`` wrote (``KeyError``/``TypeError``/``ValueError`` otherwise)."""
        attrs = tuple(sorted((str(k), str(v)) for k, v in dict(item.get("attrs", {})).items()))
        return cls(str(item["kind"]), str(item["path"]), attrs)


@dataclass(frozen=True, slots=True, order=True)
class SourceRef:
    """Where one copy of a file is: ``exhibit`` then the chain of layers, outermost first."""

    exhibit: str
    layers: tuple[Layer, ...] = ()

    def child(self, kind: str, path: str, **attrs: str) -> SourceRef:
        """The reference of ``path`` inside a container of ``kind`` that this reference names,
        with the layer's ``attrs`` (see ``Layer``)."""
        return SourceRef(
            self.exhibit, (*self.layers, Layer(kind, path, tuple(sorted(attrs.items()))))
        )

    @property
    def depth(self) -> int:
        """How many containers deep this reference is (0 for the exhibit itself)."""
        return len(self.layers)

    @property
    def name(self) -> str:
        """The last path element (the file name), or the exhibit for the root."""
        if not self.layers:
            return self.exhibit
        return self.layers[-1].path.rsplit("/", 1)[-1]

    def display(self) -> str:
        """A readable form: ``exhibit:path!inner/path!...``."""
        return self.exhibit + ":" + "!".join(layer.display() for layer in self.layers)

    def __str__(self) -> str:
        return self.display()

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready mapping that ``from_json`` reads back."""
        return {
            "exhibit": self.exhibit,
            "layers": [layer.to_json() for layer in self.layers],
        }

    @classmethod
    def from_json(cls, data: Any) -> SourceRef:
        """Read what ``to_json`` wrote; raise ``FormatError`` on anything else."""
        try:
            layers = tuple(Layer.from_json(item) for item in data["layers"])
            return cls(str(data["exhibit"]), layers)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise FormatError(f"not a source reference: {exc}") from exc

    def key(self) -> str:
        """A canonical text key, unique per reference (used for storage and resume)."""
        return json.dumps(self.to_json(), separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_key(cls, key: str) -> SourceRef:
        """Read what ``key`` wrote."""
        try:
            return cls.from_json(json.loads(key))
        except json.JSONDecodeError as exc:
            raise FormatError(f"not a source reference key: {exc}") from exc


def safe_name(raw: bytes | str) -> tuple[str, bool]:
    """Decode a file name for storage: ``(text, was_utf8)``.

    Undecodable bytes become ``\\xNN`` escapes, so the name is always valid text and still
    tells the examiner which bytes it had.
    """
    if isinstance(raw, str):
        try:
            raw.encode("utf-8")
            return raw, True
        except UnicodeEncodeError:
            raw = raw.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("utf-8"), True
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace"), False
