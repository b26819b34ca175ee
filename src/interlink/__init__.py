"""Interlink: recognise known material, surface what is new, link cases, find networks.

The public API is what this module exports; ``tests/test_public_api.py`` pins it. Each name is
imported from its module on first use (PEP 562), so that ``import interlink.cli.app`` (every
command's start) does not load the domain model it does not need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from interlink.domain.categories import Category
    from interlink.domain.errors import InterlinkError
    from interlink.domain.lists import HashList, ListEntry, Match
    from interlink.domain.media import Media, MediaKind, Sighting
    from interlink.domain.problems import Problem, ProblemKind
    from interlink.domain.provenance import Layer, SourceRef
    from interlink.domain.signals import Signal

__version__ = "0.1.0"

#: Each exported name and the module defining it.
_EXPORTS = {
    "Category": "interlink.domain.categories",
    "HashList": "interlink.domain.lists",
    "InterlinkError": "interlink.domain.errors",
    "Layer": "interlink.domain.provenance",
    "ListEntry": "interlink.domain.lists",
    "Match": "interlink.domain.lists",
    "Media": "interlink.domain.media",
    "MediaKind": "interlink.domain.media",
    "Problem": "interlink.domain.problems",
    "ProblemKind": "interlink.domain.problems",
    "Sighting": "interlink.domain.media",
    "Signal": "interlink.domain.signals",
    "SourceRef": "interlink.domain.provenance",
}

__all__ = [
    "Category",
    "HashList",
    "InterlinkError",
    "Layer",
    "ListEntry",
    "Match",
    "Media",
    "MediaKind",
    "Problem",
    "ProblemKind",
    "Sighting",
    "Signal",
    "SourceRef",
    "__version__",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'interlink' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
