from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interlink.chats.cues import LANGUAGES
from interlink.chats.prefilter import Screen, guard, required_literals

PATTERNS = [
    p
    for language in LANGUAGES
    for p in (
        *language.AGE_STATED,
        *language.AGE_ASKED,
        *(q for group in language.PATTERNS.values() for q in group),
    )
]
SCREEN = Screen(guard(PATTERNS, re.IGNORECASE))
WORDS = sorted({w for p in PATTERNS for w in re.findall(r"[a-zàâçéèêëîïôûù']{2,}", p)})


def test_required_literals_follow_the_pattern() -> None:
    assert required_literals(r"\bhow old (?:are|r) you\b") == (
        frozenset({"how old "}),
        frozenset({" you"}),
    )
    assert required_literals(r"(?:a|bb)?cc") == (frozenset({"cc"}),)
    assert required_literals(r"\d+") == ()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from([*WORDS, "i'm", "14", "ans", "?", "me", "you"]), max_size=8))
def test_the_screen_lets_every_match_through(words: list[str]) -> None:
    text = " ".join(words)
    candidates = set(SCREEN.candidates(text.lower()))
    for index, item in enumerate(SCREEN.patterns):
        if item.pattern.search(text):
            assert index in candidates, (text, item.pattern.pattern)
