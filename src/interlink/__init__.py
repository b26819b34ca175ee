"""Interlink: recognise known material, surface what is new, link cases, find networks.

The public API is what this module exports; ``tests/test_public_api.py`` pins it.
"""

from interlink.domain.categories import Category
from interlink.domain.errors import InterlinkError
from interlink.domain.lists import HashList, ListEntry, Match
from interlink.domain.media import Media, MediaKind, Sighting
from interlink.domain.problems import Problem, ProblemKind
from interlink.domain.provenance import Layer, SourceRef
from interlink.domain.signals import Signal

__version__ = "0.1.0"

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
