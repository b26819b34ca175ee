"""Copying a one-shot member stream into a ``Spool`` within the archive's limits."""

from __future__ import annotations

from collections.abc import Callable

from interlink.domain.errors import EvidenceReadError
from interlink.sources.budget import Budget
from interlink.sources.streams import CHUNK, Readable, Spool, classify_error


class RatioGuard:
    """Watches the bytes a decompressor produced against the compressed bytes it consumed.

    ``consumed`` reports the compressed bytes read so far (``None`` when the data is stored,
    not compressed, and no ratio applies).
    """

    def __init__(self, budget: Budget, consumed: Callable[[], int] | None) -> None:
        self._budget = budget
        self._consumed = consumed
        self.produced = 0
        self._charged = 0

    def add(self, count: int) -> bool:
        """Record ``count`` more bytes produced; false once over the ratio limit."""
        self.produced += count
        if self._consumed is None:
            return True
        return not self._budget.ratio_exceeded(self.produced, self._consumed())

    def charge(self) -> bool:
        """Spend from the budget what was produced beyond the compressed bytes consumed so far
        (everything produced, when nothing is compressed); false once the budget is out."""
        consumed = self._consumed() if self._consumed is not None else 0
        due = self.produced - consumed - self._charged
        if due <= 0:
            return True
        if not self._budget.take_bytes(due):
            return False
        self._charged += due
        return True

    def message(self) -> str:
        """Why the guard stopped."""
        consumed = self._consumed() if self._consumed is not None else 0
        return (
            f"expands {consumed} compressed bytes to over {self.produced} bytes, over the "
            f"ratio limit of {self._budget.limits.max_ratio:g}"
        )


def spool_stream(
    source: Readable,
    location: str,
    budget: Budget,
    ratio: RatioGuard,
    *,
    declared: int | None,
    charge: bool,
) -> Spool:
    """A finished copy of ``source`` (which this closes), or ``EvidenceReadError``.

    With ``declared``, the copy must have exactly that many bytes (a longer one is an
    ``archive_bomb``, a shorter one ``truncated``). With ``charge``, what the copy expands
    beyond the compressed bytes read is spent from ``budget`` as it goes (``RatioGuard.charge``).
    """
    spool = Spool(location, budget.limits.spool_bytes)
    try:
        _copy(source, spool, location, budget, ratio, declared, charge)
    except BaseException:
        spool.close()
        raise
    finally:
        source.close()
    return spool


def _copy(
    source: Readable,
    spool: Spool,
    location: str,
    budget: Budget,
    ratio: RatioGuard,
    declared: int | None,
    charge: bool,
) -> None:
    while True:
        want = CHUNK if declared is None else min(CHUNK, declared - spool.size + 1)
        try:
            data = source.read(want) or b""
        except EvidenceReadError:
            raise
        except Exception as exc:
            # Decoders of hostile data raise anything; each failure is this member's problem.
            kind, reason = classify_error(exc)
            raise EvidenceReadError(location, kind, reason) from exc
        if not data:
            break
        spool.write(data)
        if declared is not None and spool.size > declared:
            raise EvidenceReadError(
                location, "archive_bomb", f"holds more than its declared {declared} bytes"
            )
        if not ratio.add(len(data)):
            raise EvidenceReadError(location, "archive_bomb", ratio.message())
        if charge and not ratio.charge():
            raise EvidenceReadError(location, "archive_bomb", budget.bytes_message())
    if declared is not None and spool.size < declared:
        raise EvidenceReadError(
            location, "truncated", f"ends after {spool.size} of its declared {declared} bytes"
        )
