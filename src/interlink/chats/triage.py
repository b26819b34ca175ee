"""Which conversation to read first: grooming-risk cues per message, explained by spans, and
a risk score per conversation.

Cues (``CUES``): ``age`` (an age stated or asked), ``photo_request``, ``secrecy``,
``platform_move``, ``gift``, ``meeting``, ``threat``; the patterns are per language in
``interlink.chats.cues``. A conversation's score is the number of distinct cues it shows,
plus a fraction below one that orders conversations with the same number of cues: 0.1 per
further message showing a cue and 0.3 for an age gap (a stated age under 18 and another
participant's stated age at least 4 years above it, 18 or more), at most 0.9. So every
conversation with two cues ranks above every conversation with one.

The first alert of a conversation is the 1-based position of the message at which it first
shows two distinct cues (the early-detection measure of Vogt et al., ACL 2021, counts how
many messages a warning needs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from interlink.chats.cues import LANGUAGES
from interlink.chats.prefilter import Screen, guard
from interlink.domain.chats import CueHit, Span

CUES: tuple[str, ...] = (
    "age",
    "photo_request",
    "secrecy",
    "platform_move",
    "gift",
    "meeting",
    "threat",
)
#: Distinct cues at which a conversation raises an alert.
ALERT_CUES = 2
ADULT = 18
MIN_GAP = 4


@dataclass(frozen=True, slots=True)
class Detected:
    """A cue in one message: its spans and, for a stated age, the age."""

    cue: str
    spans: tuple[Span, ...]
    age: int | None = None


#: The cue a stated age is (its patterns carry the age).
_STATED = "age:stated"


@lru_cache(maxsize=1)
def _compiled() -> tuple[tuple[str, ...], Screen]:
    """Every pattern of every language, the cue of each, and the screen over them all."""
    flags = re.IGNORECASE | re.UNICODE
    cues: list[str] = []
    patterns: list[str] = []
    for language in LANGUAGES:
        for cue, found in language.PATTERNS.items():
            cues += [cue] * len(found)
            patterns += found
        cues += ["age"] * len(language.AGE_ASKED)
        patterns += language.AGE_ASKED
        cues += [_STATED] * len(language.AGE_STATED)
        patterns += language.AGE_STATED
    return tuple(cues), Screen(guard(patterns, flags))


def detect(text: str) -> list[Detected]:
    """The cues ``text`` shows, each with the spans that show it (every pattern of every
    language is tried that the screen of required literals lets through)."""
    if not text:
        return []
    cues, screen = _compiled()
    normal = text.replace("\u2019", "'")
    spans: dict[str, list[Span]] = {}
    age: int | None = None
    for index in screen.candidates(normal.lower()):
        cue = cues[index]
        for match in screen.patterns[index].pattern.finditer(normal):
            if cue == _STATED:
                value = int(match.group("age"))
                if not 5 <= value <= 99:
                    continue
                age = value if age is None else age
            spans.setdefault("age" if cue == _STATED else cue, []).append(
                Span(match.start(), match.end())
            )
    return [
        Detected(
            cue,
            tuple(sorted(set(spans[cue]), key=lambda s: (s.start, s.end))),
            age if cue == "age" else None,
        )
        for cue in CUES
        if cue in spans
    ]


@dataclass(frozen=True, slots=True)
class Risk:
    """A conversation's score, its cue hits (chronological), the position of its first
    alert (``None``: none), and the age gap found (younger, older) if any."""

    score: float
    cues: tuple[CueHit, ...]
    first_alert: int | None
    age_gap: tuple[int, int] | None = None

    @property
    def distinct(self) -> tuple[str, ...]:
        """The cues shown, in ``CUES`` order."""
        shown = {hit.cue for hit in self.cues}
        return tuple(cue for cue in CUES if cue in shown)


def age_gap(ages: Iterable[tuple[str, int]]) -> tuple[int, int] | None:
    """From ``(sender, stated age)`` pairs, the (younger, older) pair of two different
    senders where the younger is under 18 and the older at least 18 and 4 years older."""
    by_sender: dict[str, int] = {}
    for sender, age in ages:
        by_sender.setdefault(sender, age)
    minors = [(a, s) for s, a in by_sender.items() if a < ADULT]
    adults = [(a, s) for s, a in by_sender.items() if a >= ADULT]
    best: tuple[int, int] | None = None
    for young, ys in minors:
        for old, os_ in adults:
            if (
                ys != os_
                and old - young >= MIN_GAP
                and (best is None or old - young > best[1] - best[0])
            ):
                best = (young, old)
    return best


def assess(hits: Sequence[CueHit], ages: Iterable[tuple[str, int]] = ()) -> Risk:
    """The risk of a conversation from its cue hits (any order) and the ages its
    participants stated ``(sender, age)``."""
    ordered = tuple(
        sorted(hits, key=lambda h: (h.index, CUES.index(h.cue) if h.cue in CUES else 99))
    )
    seen: set[str] = set()
    first: int | None = None
    for hit in ordered:
        seen.add(hit.cue)
        if first is None and len(seen) >= ALERT_CUES:
            first = hit.index + 1
    gap = age_gap(ages)
    extra = 0.1 * (len({h.index for h in ordered}) - len(seen)) if ordered else 0.0
    bonus = min(0.9, max(0.0, extra) + (0.3 if gap else 0.0))
    return Risk(round(len(seen) + bonus, 2), ordered, first, gap)
