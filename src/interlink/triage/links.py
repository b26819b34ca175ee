"""The links section of a case report: other agencies' cases sharing material, accounts or
cameras with this one, the series its media show with their victims' status, and the watch
hits touching it, with one plain sentence for each. Pure: a links view
(``services.case_links.case_links``) in, a JSON-ready section out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: For each kind of evidence: noun (one, many), verb (one, many).
_WORDS = {
    "shared_media": ("media", "media", "is also in", "are also in"),
    "near_duplicate": ("near-duplicate image", "near-duplicate images", "is in", "are in"),
    "camera": ("camera", "cameras", "also shot media of", "also shot media of"),
    "image_unique_id": ("EXIF image id", "EXIF image ids", "also appears in", "also appear in"),
    "identifier": ("identifier", "identifiers", "is also met in", "are also met in"),
    "place": (
        "place",
        "places",
        "is also where media were taken for",
        "are also where media were taken for",
    ),
}


def _where(link: Mapping[str, Any]) -> str:
    card = link.get("agency") or {}
    agency = card.get("name", "an unknown agency")
    country = card.get("country_name") or card.get("country") or "?"
    return f"case {link['case']} of {agency} ({country})"


def _link_sentences(link: Mapping[str, Any]) -> list[str]:
    found = []
    for kind, count in link["counts"].items():
        name = kind.replace("_", " ")
        one, many, verb_one, verb_many = _WORDS.get(kind, (name, name, "is in", "are in"))
        noun, verb = (one, verb_one) if count == 1 else (many, verb_many)
        found.append(f"{count} {noun} {verb} {_where(link)}")
    return found


def _series_sentence(series: Mapping[str, Any]) -> str:
    states = sorted({v["status"] for v in series["victims"]})
    victim = f"whose victim is {' / '.join(states)}" if states else "whose victim is not recorded"
    return f"{series['media']} show series {series['series']}, {victim}"


def _hit_sentence(hit: Mapping[str, Any]) -> str:
    card = hit["agency"]
    who = f"{card['name']} ({card.get('country_name') or card['country']})"
    kinds = ", ".join(sorted({t["kind"] for t in hit["triggers"]})) or "item"
    if hit["side"] == "hitter":
        return (
            f"{who} watches this {kinds} ({hit['priority']}): {hit['title']}; "
            f"contact {card['contact'] or 'not given'}"
        )
    case = f" in case {hit['case']}" if hit.get("case") else ""
    return f"your watch {hit['title']!r} was hit by {hit['items']} item(s) of {who}{case}"


def links_section(view: Mapping[str, Any]) -> dict[str, Any]:
    """The report's links section for a links view."""
    headlines: list[str] = []
    for link in view.get("links", ()):
        headlines += _link_sentences(link)
    headlines += [_series_sentence(s) for s in view.get("series", ())]
    headlines += [_hit_sentence(h) for h in view.get("watch_hits", ())]
    return {
        "headlines": headlines,
        "linked_cases": list(view.get("links", ())),
        "cluster": view.get("cluster"),
        "series": list(view.get("series", ())),
        "watch_hits": list(view.get("watch_hits", ())),
    }


def add_links(report: Mapping[str, Any], view: Mapping[str, Any]) -> dict[str, Any]:
    """``report`` with its ``links`` section built from ``view``."""
    return {**report, "links": links_section(view)}
