"""What one archive, with everything nested inside it, may still expand to.

One ``Budget`` is shared by an archive found in the exhibit and every archive nested in it, so
a recursive bomb (a zip of zips of zips) is stopped by the total, not only level by level. Bytes
are spent for expansion: what decompression produces beyond the compressed bytes it read. Stored
content costs nothing, so a huge archive of photos (a phone extraction) is read whole.
"""

from __future__ import annotations

import threading

from interlink.sources.base import Limits


class Budget:
    """Bytes and members left for one archive tree, from ``Limits``; safe across threads."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._bytes_left = limits.max_archive_bytes
        self._members_left = limits.max_members
        self._lock = threading.Lock()

    @property
    def bytes_left(self) -> int:
        """Bytes the tree may still produce."""
        return self._bytes_left

    @property
    def members_left(self) -> int:
        """Members the tree may still hold."""
        return self._members_left

    def take_bytes(self, count: int) -> bool:
        """Spend ``count`` bytes; false (and nothing spent) if fewer are left."""
        with self._lock:
            if count > self._bytes_left:
                return False
            self._bytes_left -= count
            return True

    def take_members(self, count: int) -> bool:
        """Spend ``count`` members; false (and nothing spent) if fewer are left."""
        with self._lock:
            if count > self._members_left:
                return False
            self._members_left -= count
            return True

    def bytes_message(self, count: int | None = None) -> str:
        """Why ``count`` (or some) more bytes of expansion were refused."""
        amount = f"{count} more bytes" if count is not None else "more"
        return (
            f"would expand by {amount}, over what is left ({self._bytes_left}) of the limit of "
            f"{self.limits.max_archive_bytes} bytes of expansion for this archive and those "
            "nested in it"
        )

    def members_message(self, count: int) -> str:
        """Why ``count`` more members were refused."""
        return (
            f"holds {count} more members, over what is left ({self._members_left}) "
            f"of the limit of {self.limits.max_members} members for this archive "
            "and those nested in it"
        )

    def ratio_exceeded(self, produced: int, consumed: int) -> bool:
        """Whether ``produced`` bytes out of ``consumed`` compressed bytes is over the ratio."""
        limits = self.limits
        return produced > limits.ratio_floor and produced > limits.max_ratio * max(consumed, 1)
