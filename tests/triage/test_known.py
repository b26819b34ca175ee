import random
from pathlib import Path

import numpy as np
from PIL import Image

from interlink.domain.lists import EntrySignal
from interlink.domain.scan import EntryMatch
from interlink.media.synthetic import scene
from interlink.signals import orb, pdq, vpdq
from interlink.signals.vpdq import VpdqFeature
from interlink.signals.vpdq_excerpt import EXCERPT_SIGNAL
from interlink.triage.known import KnownIndexes, KnownMatcher, Query
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


def _image_signals(seed: int) -> tuple[str, pdq.PdqHash, str]:
    """ORB value, PDQ and the ORB query value of a generated scene, and of it turned 12
    degrees and cropped (PDQ no longer matches it)."""
    rgb = scene(360, 480, seed)
    image = Image.fromarray(rgb)
    edited = np.asarray(
        image.rotate(12, resample=Image.Resampling.BICUBIC).crop((30, 20, 450, 340))
    )
    luma = np.asarray(image.convert("L"))
    edited_luma = np.asarray(Image.fromarray(edited).convert("L"))
    return (
        orb.dumps(orb.extract(luma)),
        pdq.hash_rgb(edited),
        orb.dumps(orb.extract(edited_luma, orb.QUERY_FEATURES)),
    )


def test_an_edited_image_matches_by_orb_and_pdq_or_exact_wins(tmp_path: Path) -> None:
    known, _, query = _image_signals(3)
    original = pdq.hash_rgb(scene(360, 480, 3))
    signals = [
        EntrySignal(7, 4, orb.NAME, known),
        EntrySignal(7, 4, pdq.NAME, original.value, original.quality),
        EntrySignal(8, 4, "md5", "ab" * 16),
        EntrySignal(8, 4, orb.NAME, known),
    ]
    matcher = KnownMatcher.of(signals, {4: 31})
    _, edited_pdq, _ = _image_signals(3)
    found = matcher.match(Query({}, edited_pdq, (), query))
    assert [(m.entry_id, m.signal_type) for m in found] == [(7, orb.NAME), (8, orb.NAME)]
    assert all(m.distance <= orb.THRESHOLD for m in found)
    # The unedited image matches entry 7 by PDQ and entry 8 by MD5: no ORB match beside them.
    unedited = orb.dumps(orb.extract(np.asarray(Image.fromarray(scene(360, 480, 3)).convert("L"))))
    exact = matcher.match(Query({"md5": "ab" * 16}, original, (), unedited))
    assert sorted((m.entry_id, m.signal_type) for m in exact) == [(7, pdq.NAME), (8, "md5")]
    assert matcher.match(Query({}, None, (), _image_signals(4)[2])) == []
    indexes = KnownIndexes.build(signals)
    indexes.save(tmp_path / "known")
    again = KnownMatcher(KnownIndexes.load(tmp_path / "known"), {4: 31})
    assert again.match(Query({}, edited_pdq, (), query)) == found
