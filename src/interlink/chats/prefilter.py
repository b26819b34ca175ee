"""Cheap necessary conditions for regular expressions: groups of literal strings, one of each
group being in every match.

A message is tried against a cue pattern only when its lower-cased text contains one of the
pattern's required literals (one of each group), which most messages do not:
``str.__contains__`` is much cheaper than running a hundred patterns. The analysis walks
each pattern as Python's own parser reads it (``re._parser``), so it follows the pattern
exactly; a pattern without a mandatory literal is always tried.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

_parser: Any = importlib.import_module("re._parser")
_c: Any = importlib.import_module("re._constants")


Groups = list[frozenset[str]]


def _best(groups: Groups) -> frozenset[str] | None:
    return max(groups, key=lambda g: min(len(s) for s in g), default=None)


def _required(items: Any) -> Groups:
    """Groups of strings such that every match of the parsed sequence contains one string of
    each group."""
    groups: Groups = []
    run: list[str] = []

    def flush() -> None:
        if run:
            groups.append(frozenset({"".join(run)}))
            run.clear()

    for op, value in items:
        if op is _c.LITERAL:
            run.append(chr(value).lower())
            continue
        flush()
        if op is _c.SUBPATTERN:
            groups.extend(_required(value[-1]))
        elif op is _c.BRANCH:
            best = [_best(_required(branch)) for branch in value[1]]
            if all(best):
                groups.append(frozenset().union(*(b for b in best if b)))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and value[0] >= 1:
            groups.extend(_required(value[2]))
    flush()
    return groups


def required_literals(pattern: str) -> tuple[frozenset[str], ...]:
    """Groups of lower-case strings such that every match of ``pattern`` (matched
    case-insensitively) contains one string of each group; groups holding a string shorter
    than two characters are left out (they would not tell texts apart)."""
    groups = _required(_parser.parse(pattern, re.IGNORECASE))
    return tuple(g for g in groups if min(len(s) for s in g) >= 2)


@dataclass(frozen=True, slots=True)
class Guarded:
    """A compiled pattern and the literals that must be present for it to match."""

    pattern: re.Pattern[str]
    literals: tuple[frozenset[str], ...]

    def may_match(self, lowered: str) -> bool:
        """Whether the lower-cased text could match (``False`` is certain)."""
        return all(any(s in lowered for s in group) for group in self.literals)


def guard(patterns: Sequence[str], flags: int) -> tuple[Guarded, ...]:
    """Each pattern compiled with ``flags`` beside its required literals."""
    return tuple(Guarded(re.compile(p, flags), required_literals(p)) for p in patterns)


class Screen:
    """Finds which of many guarded patterns may match a text. Each pattern is filed under the
    literals of its most telling group; the text is searched once for each of those literals,
    and only the patterns filed under a literal present are checked further (each of their
    groups present) and then tried. Patterns without literals are always tried."""

    def __init__(self, patterns: Sequence[Guarded]) -> None:
        self.patterns = tuple(patterns)
        self._by_literal: dict[str, list[int]] = {}
        self._always: list[int] = []
        for index, item in enumerate(self.patterns):
            best = _best(list(item.literals))
            if best is None:
                self._always.append(index)
                continue
            for s in best:
                self._by_literal.setdefault(s, []).append(index)
        self._literals = tuple(sorted(self._by_literal))

    def candidates(self, lowered: str) -> list[int]:
        """Indexes of the patterns that may match the lower-cased text, ascending."""
        chosen = set(self._always)
        for s in self._literals:
            if s in lowered:
                chosen.update(self._by_literal[s])
        return [
            i
            for i in sorted(chosen)
            if all(any(s in lowered for s in group) for group in self.patterns[i].literals)
        ]
