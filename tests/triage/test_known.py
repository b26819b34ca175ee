import random

from interlink.domain.lists import EntrySignal
from interlink.domain.scan import EntryMatch
from interlink.signals import vpdq
from interlink.signals.vpdq import VpdqFeature
from interlink.signals.vpdq_excerpt import EXCERPT_SIGNAL
from interlink.triage.known import KnownMatcher, Query
from tests.signals.pdq_helpers import flip, random_hash


def _video(seconds: int, seed: int) -> tuple[VpdqFeature, ...]:
    rng = random.Random(seed)
    return tuple(VpdqFeature(i, random_hash(rng), 90, float(i)) for i in range(seconds))


def _copy(frames: tuple[VpdqFeature, ...]) -> tuple[VpdqFeature, ...]:
    rng = random.Random(9)
    return tuple(VpdqFeature(k, flip(f.pdq, 10, rng), 80, float(k)) for k, f in enumerate(frames))


KNOWN = _video(20, 1)
MATCHER = KnownMatcher.of([EntrySignal(5, 2, vpdq.NAME, vpdq.dumps(KNOWN))], {2: 31})


def _match(frames: tuple[VpdqFeature, ...]) -> list[EntryMatch]:
    return MATCHER.match(Query({}, None, frames))


def test_a_full_copy_is_a_full_match_and_an_excerpt_an_excerpt_match() -> None:
    assert _match(_copy(KNOWN)) == [EntryMatch(5, 2, vpdq.NAME, 0)]
    # 17 of the 20 seconds pass Meta's rule: still a full match, not an excerpt.
    assert _match(_copy(KNOWN[2:19])) == [EntryMatch(5, 2, vpdq.NAME, 15)]
    assert _match(_copy(KNOWN[7:13])) == [EntryMatch(5, 2, EXCERPT_SIGNAL, 0)]


def test_unrelated_and_title_card_videos_do_not_match() -> None:
    assert _match(_video(12, 2)) == []
    assert _match(_copy(KNOWN[:2] + _video(10, 3))) == []
