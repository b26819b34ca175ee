"""How grave the material a media carries is, from its category, on a 0-1 scale.

Used by the network capital score. The scale orders each scheme's codes as the schemes
themselves do (industry A1 > A2 > B1 > B2; UK A > B > C; Project VIC 1 > 2) and puts codes of
different schemes that describe the same material at the same height. Material that is not
pertinent scores 0. A media no list knows (new material, not yet categorised) scores
``NEW_MEDIA``: it may well be abuse material, but nobody has confirmed what it shows.
"""

from __future__ import annotations

from types import MappingProxyType

from interlink.domain.categories import Category

SEVERITY: MappingProxyType[tuple[str, str], float] = MappingProxyType(
    {
        ("industry", "A1"): 1.0,
        ("industry", "A2"): 0.8,
        ("industry", "B1"): 0.7,
        ("industry", "B2"): 0.5,
        ("uk", "A"): 1.0,
        ("uk", "B"): 0.7,
        ("uk", "C"): 0.4,
        ("projectvic-us", "0"): 0.0,  # non-pertinent
        ("projectvic-us", "1"): 0.8,  # child abuse material
        ("projectvic-us", "2"): 0.3,  # child exploitive, age difficult
        ("projectvic-us", "3"): 0.3,  # CGI / animation, child exploitive
        ("projectvic-us", "4"): 0.1,  # comparison images
        ("dhs-legacy", "0"): 0.5,  # uncategorised: as a known media without a category
        ("dhs-legacy", "1"): 0.9,  # child exploitation, illegal
        ("dhs-legacy", "2"): 0.3,  # child exploitation, non-illegal / age difficult
        ("dhs-legacy", "3"): 0.3,  # CGI / animation
        ("dhs-legacy", "4"): 0.1,  # exemplar / comparison
        ("dhs-legacy", "5"): 0.0,  # non-pertinent
        ("icse-baseline", "baseline"): 0.8,
        ("icse-baseline", "not-baseline"): 0.3,
    }
)
#: A media no list knows.
NEW_MEDIA = 0.2
#: A known media whose list gives no category.
KNOWN_UNCATEGORISED = 0.5


def severity(category: Category | None, known: bool) -> float:
    """The 0-1 severity of a media with ``category`` (``known``: some list or the store has
    it)."""
    if category is None:
        return KNOWN_UNCATEGORISED if known else NEW_MEDIA
    return SEVERITY.get((category.scheme, category.code), KNOWN_UNCATEGORISED)
