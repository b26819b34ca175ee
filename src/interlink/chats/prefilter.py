"""Cheap necessary conditions for regular expressions: groups of literal strings, one of each
group being in every match.

A message is tried against a cue pattern only when its lower-cased text contains one of the
pattern's required literals (one of each group), which most messages do not. The literals of
all patterns are found in one pass over the text (an Aho-Corasick automaton, every occurrence
including overlapping ones, so the answer is exactly ``literal in text`` for each), much
cheaper than running a hundred patterns or a hundred ``in`` tests. The analysis walks each
pattern as Python's own parser reads it (``re._parser``), so it follows the pattern exactly;
a pattern without a mandatory literal is always tried, or only on texts holding a digit when
it needs one (a ``\\d``).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import ahocorasick

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


def _needs_digit(items: Any) -> bool:
    """Whether every match of the parsed sequence holds a digit (a mandatory digit class)."""
    for op, value in items:
        if op is _c.IN and value == [(_c.CATEGORY, _c.CATEGORY_DIGIT)]:
            return True
        if op is _c.SUBPATTERN and _needs_digit(value[-1]):
            return True
        if op is _c.BRANCH and all(_needs_digit(branch) for branch in value[1]):
            return True
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and value[0] >= 1 and _needs_digit(value[2]):
            return True
    return False


def needs_digit(pattern: str) -> bool:
    """Whether every match of ``pattern`` contains a decimal digit."""
    return _needs_digit(_parser.parse(pattern, re.IGNORECASE))


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
    digit: bool = False

    def may_match(self, lowered: str) -> bool:
        """Whether the lower-cased text could match (``False`` is certain)."""
        return all(any(s in lowered for s in group) for group in self.literals)


def guard(patterns: Sequence[str], flags: int) -> tuple[Guarded, ...]:
    """Each pattern compiled with ``flags`` beside its required literals."""
    return tuple(
        Guarded(re.compile(p, flags), required_literals(p), needs_digit(p)) for p in patterns
    )


_DIGIT = re.compile(r"\d")


class Screen:
    """Finds which of many guarded patterns may match a text. Each pattern is filed under the
    literals of its most telling group; those literals are found in the text in one pass,
    and only the patterns filed under a literal present are checked further (each of their
    groups present) and then tried. Patterns without literals are always tried (those needing
    a digit only on a text holding one)."""

    def __init__(self, patterns: Sequence[Guarded]) -> None:
        self.patterns = tuple(patterns)
        self._by_literal: dict[str, list[int]] = {}
        self._always: list[int] = []
        self._digit: list[int] = []
        for index, item in enumerate(self.patterns):
            best = _best(list(item.literals))
            if best is None:
                (self._digit if item.digit else self._always).append(index)
                continue
            for s in best:
                self._by_literal.setdefault(s, []).append(index)
        self._automaton: Any = ahocorasick.Automaton()
        for s in self._by_literal:
            self._automaton.add_word(s, s)
        if self._by_literal:
            self._automaton.make_automaton()

    def candidates(self, lowered: str) -> list[int]:
        """Indexes of the patterns that may match the lower-cased text, ascending."""
        hits = {s for _, s in self._automaton.iter(lowered)} if self._by_literal else ()
        digit = bool(self._digit) and _DIGIT.search(lowered) is not None
        if not hits and not digit and not self._always:
            return []  # most texts: nothing to try
        chosen = set(self._always)
        if digit:
            chosen.update(self._digit)
        for s in hits:
            chosen.update(self._by_literal[s])
        found = []
        for i in sorted(chosen):
            for group in self.patterns[i].literals:
                for s in group:
                    if s in lowered:
                        break
                else:
                    break  # no literal of this group: the pattern cannot match
            else:
                found.append(i)
        return found
