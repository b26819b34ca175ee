"""The rank of a WhatsApp message among the identical messages before it in its file, in
memory bounded by the file's disorder rather than by its length.

A WhatsApp export has no message ids: a message's key is the digest of its time text, sender
and text, and of its rank among the messages of the file with the same three (the same line
twice is two messages). Identical messages share their time text, and an export is written in
time order, so a message can only repeat one of the current run of headers with the same time
text, unless the times go back (a phone clock set back, the hour repeated when summer time
ends). The first pass over the file (``whatsapp.day_first``) records each such step back, as
the interval of times it revisits (``Revisits``); the second pass (``Ranks``) keeps the counts
of a run of headers only when its time lies in one of those intervals, and forgets the others
when the time text changes. The ranks are those a table of every message of the file gives.
"""

from __future__ import annotations

from bisect import bisect_right

#: A header's time as comparable numbers: ``(year, month, day, hour, minute, second)``.
Moment = tuple[int, ...]

#: Intervals kept apart before close ones are merged (a file far out of time order).
_INTERVALS = 4096


def moments(a: str, b: str, c: str, clock: tuple[int, int, int]) -> tuple[Moment, Moment]:
    """A header's time read day first and month first (the same for a year-first date).
    Any function of the time text would keep the ranks exact; the one that follows the
    file's real order keeps the fewest counts."""
    if len(a) == 4:
        same = (int(a), int(b), int(c), *clock)
        return same, same
    year, x, y = int(c) + (2000 if len(c) == 2 else 0), int(a), int(b)
    return (year, y, x, *clock), (year, x, y, *clock)


class Revisits:
    """The times a file goes back over: at each change of time text to a time not after the
    latest time before it, the interval from that time to the latest."""

    __slots__ = ("_his", "_los", "day_first", "intervals", "latest", "steps")

    def __init__(self, *, day_first: bool) -> None:
        self.day_first = day_first  # the reading of the dates (``moments``)
        self.intervals: list[tuple[Moment, Moment]] = []
        self.latest: Moment | None = None
        self.steps = 0
        self._los: list[Moment] = []
        self._his: list[Moment] = []

    def add(self, moment: Moment) -> None:
        """The time of a header whose time text differs from the previous header's."""
        latest = self.latest
        if latest is None or moment > latest:
            self.latest = moment
            return
        self.steps += 1
        self.intervals.append((moment, latest))
        if len(self.intervals) > _INTERVALS:
            self._merge(coarsen=True)

    def close(self) -> None:
        """Merge the intervals for ``covers``."""
        self._merge(coarsen=False)
        self._los = [lo for lo, _ in self.intervals]
        self._his = [hi for _, hi in self.intervals]

    def covers(self, moment: Moment) -> bool:
        """Whether ``moment`` lies in an interval (after ``close``)."""
        at = bisect_right(self._los, moment) - 1
        return at >= 0 and moment <= self._his[at]

    def _merge(self, *, coarsen: bool) -> None:
        merged: list[tuple[Moment, Moment]] = []
        for lo, hi in sorted(self.intervals):
            if merged and lo <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
            else:
                merged.append((lo, hi))
        if coarsen and len(merged) > _INTERVALS // 2:
            # Still many apart: each pair becomes the interval around both (it covers more
            # times, so more counts are kept, and the ranks stay exact).
            merged = [
                (merged[i][0], merged[min(i + 1, len(merged) - 1)][1])
                for i in range(0, len(merged), 2)
            ]
        self.intervals = merged


class Ranks:
    """The rank of each message of one file, read in order (see the module docstring)."""

    __slots__ = ("_keep", "_kept", "_run", "revisits")

    def __init__(self, revisits: Revisits) -> None:
        self.revisits = revisits
        self._run: dict[str, int] = {}
        self._kept: dict[str, int] = {}
        self._keep = False

    def start(self, moment: Moment) -> None:
        """A run of headers with a new time text begins, at ``moment``."""
        if self._keep:
            self._kept.update(self._run)
        self._run = {}
        self._keep = self.revisits.covers(moment)

    def rank(self, base: str) -> int:
        """The rank (from 1) of a message whose time text, sender and text digest to
        ``base``, in the current run."""
        count = self._run.get(base)
        if count is None:
            count = self._kept.get(base, 0) if self._keep else 0
        count += 1
        self._run[base] = count
        return count

    def held(self) -> int:
        """Counts held now (for tests and measurements)."""
        return len(self._run) + len(self._kept)
