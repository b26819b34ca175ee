"""How long-running services report progress to whichever face called them."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Receives progress: a growing estimate of the total, and items done."""

    def grow(self, items: int) -> None:
        """``items`` more items are known to be coming."""
        ...

    def advance(self, items: int = 1) -> None:
        """``items`` more items are done."""
        ...


class NoProgress:
    """Progress that goes nowhere (for library use and tests)."""

    def grow(self, items: int) -> None:
        """Ignore."""

    def advance(self, items: int = 1) -> None:
        """Ignore."""
