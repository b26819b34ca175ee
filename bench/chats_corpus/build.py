"""Builds the evaluation corpus from ``templates``: seeded, so every run reads the same.

A risky conversation is small talk with two to five distinct cues put in along the way (an
age first more often than not, a threat last when there is one); an ordinary one is small
talk between friends or family with ordinary lines that share words with a cue, and at most
one legitimate cue (adults arranging to meet, a parent asking for wedding photos). Every
message carries the cues it was written to show: the ground truth.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from bench.chats_corpus import heldout, templates
from bench.chats_corpus.templates import HARD, ORDINARY_CUES, SMALL_TALK

ORDER = ("age", "photo_request", "platform_move", "gift", "secrecy", "meeting", "threat")


@dataclass(frozen=True)
class Line:
    """One message: who sends it, its text, and the cues it shows."""

    sender: str
    text: str
    cues: frozenset[str]


@dataclass(frozen=True)
class Chat:
    """A conversation of the corpus; ``risky`` when written with two or more cues."""

    ident: str
    language: str
    risky: bool
    lines: tuple[Line, ...]

    @property
    def cues(self) -> frozenset[str]:
        """The cues its messages show."""
        return frozenset(cue for line in self.lines for cue in line.cues)


def _fill(text: str, rng: random.Random) -> str:
    return text.format(young=rng.randint(11, 15), adult=rng.randint(26, 45))


def _talk(language: str, rng: random.Random, count: int) -> list[Line]:
    return [
        Line(rng.choice("AB"), rng.choice(SMALL_TALK[language]), frozenset()) for _ in range(count)
    ]


def risky(
    ident: str, language: str, rng: random.Random, phrasings: dict[str, dict[str, tuple[str, ...]]]
) -> Chat:
    """A conversation with two to five distinct cues, put in ``phrasings``."""
    chosen = rng.sample(ORDER, rng.randint(2, 5))
    if rng.random() < 0.6 and "age" not in chosen:
        chosen[0] = "age"
    chosen.sort(key=ORDER.index)
    lines = _talk(language, rng, rng.randint(2, 8))
    for cue in chosen:
        for _ in range(rng.choice((1, 1, 2))):
            text = _fill(rng.choice(phrasings[language][cue]), rng)
            lines.append(Line("A", text, frozenset({cue})))
            lines += _talk(language, rng, rng.randint(1, 6))
    return Chat(ident, language, True, tuple(lines))


def ordinary(ident: str, language: str, rng: random.Random) -> Chat:
    """Small talk with ordinary lines that share a cue's words, and at most one cue."""
    lines = _talk(language, rng, rng.randint(10, 40))
    for _ in range(rng.randint(2, 4)):
        lines.insert(
            rng.randrange(len(lines)),
            Line(rng.choice("AB"), rng.choice(HARD[language]), frozenset()),
        )
    if rng.random() < 0.4:
        cue, text = rng.choice(ORDINARY_CUES[language])
        lines.insert(rng.randrange(len(lines)), Line("A", text, frozenset({cue})))
    return Chat(ident, language, False, tuple(lines))


def corpus(per_language: int = 40, seed: int = 7, *, held_out: bool = False) -> list[Chat]:
    """``per_language`` risky and as many ordinary conversations in each language; the
    risky ones phrased by ``heldout`` when ``held_out``, else by ``templates``."""
    rng = random.Random(seed)
    phrasings = heldout.CUES if held_out else templates.CUES
    chats: list[Chat] = []
    for language in sorted(phrasings):
        for n in range(per_language):
            chats.append(risky(f"{language}-risky-{n}", language, rng, phrasings))
            chats.append(ordinary(f"{language}-ordinary-{n}", language, rng))
    return chats
