"""Evidence sources: one module per container, each yielding entries with provenance.

Most callers need only ``open_exhibit``: it picks the source for a path and expands the
archives found inside, within ``Limits``.
"""

from interlink.sources.base import Entry, Limits, Source
from interlink.sources.exhibit import DEFAULT_LIMITS, Exhibit, open_exhibit
from interlink.sources.readonly import open_readonly

__all__ = [
    "DEFAULT_LIMITS",
    "Entry",
    "Exhibit",
    "Limits",
    "Source",
    "open_exhibit",
    "open_readonly",
]
