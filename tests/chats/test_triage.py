from __future__ import annotations

import pytest

from interlink.chats.triage import CUES, age_gap, assess, detect
from interlink.domain.chats import CueHit


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("how old are you?", "age"),
        ("I'm 13 btw", "age"),
        ("t'as quel âge ?", "age"),
        ("j'ai 12 ans", "age"),
        ("send me a pic", "photo_request"),
        ("envoie-moi une photo", "photo_request"),
        ("don't tell your parents", "secrecy"),
        ("c'est notre secret", "secrecy"),
        ("add me on snap", "platform_move"),
        ("on continue sur telegram", "platform_move"),
        ("I'll buy you a new phone", "gift"),
        ("je t'offre des robux", "gift"),
        ("we should meet up", "meeting"),
        ("tu habites où ?", "meeting"),
        ("I'll tell everyone", "threat"),
        ("sinon je le dis", "threat"),
    ],
)
def test_each_cue_in_english_and_french(text: str, cue: str) -> None:
    found = {d.cue: d for d in detect(text)}
    assert cue in found
    span = found[cue].spans[0]
    assert text[span.start : span.end].strip()


@pytest.mark.parametrize(
    "text",
    [
        "I'm 15 minutes late, sorry",
        "the meeting is at 10",
        "send the report by friday",
        "my daughter is 14 years old today",
        "",
    ],
)
def test_ordinary_text_shows_no_cue(text: str) -> None:
    assert detect(text) == []


def test_stated_age_is_read() -> None:
    [age] = detect("lol I'm 14")
    assert age.cue == "age" and age.age == 14


def test_age_gap_needs_a_minor_and_an_adult_of_different_senders() -> None:
    assert age_gap([("a", 14), ("b", 31)]) == (14, 31)
    assert age_gap([("a", 14), ("b", 16)]) is None
    assert age_gap([("a", 14), ("a", 31)]) is None


def test_score_ranks_every_two_cue_conversation_above_any_one_cue_one() -> None:
    many_hits_one_cue = [CueHit("meeting", i, str(i)) for i in range(30)]
    two_cues = [CueHit("age", 0, "0"), CueHit("secrecy", 5, "5")]
    one = assess(many_hits_one_cue)
    two = assess(two_cues)
    assert one.score < 2 <= two.score
    assert two.first_alert == 6 and one.first_alert is None
    assert two.distinct == ("age", "secrecy")
    gap = assess(two_cues, [("kid", 13), ("adult", 35)])
    assert gap.score > two.score and gap.age_gap == (13, 35)
    assert set(CUES) == {
        "age",
        "photo_request",
        "secrecy",
        "platform_move",
        "gift",
        "meeting",
        "threat",
    }
