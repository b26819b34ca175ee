from __future__ import annotations

from typing import Any

from interlink.triage.html import render_report
from interlink.triage.links import add_links, links_section
from interlink.triage.report import CaseData, build_report

POLITIE = {
    "name": "Politie",
    "country": "NL",
    "country_name": "Netherlands",
    "contact": "vid@politie.example",
}
BKA = {"name": "BKA", "country": "DE", "country_name": "Germany", "contact": "bka@example.org"}


def _view() -> dict[str, Any]:
    return {
        "case": "DE-7",
        "links": [
            {
                "case": "NL-1",
                "agency": POLITIE,
                "strength": 0.94,
                "counts": {"camera": 1, "shared_media": 12},
                "evidence": [
                    {
                        "kind": "shared_media",
                        "key": "a" * 64,
                        "distance": 0,
                        "media": [{"sha256": "a" * 64, "paths": ["ex:dir/own <b>.jpg"]}],
                        "other_media": None,
                    },
                    {
                        "kind": "identifier",
                        "key": "email:x@example.org",
                        "distance": 0,
                        "media": [],
                        "other_media": None,
                    },
                ],
            }
        ],
        "cluster": {"cases": 3, "countries": ["DE", "FR", "NL"]},
        "series": [
            {
                "series": "Blue Sky",
                "media": 3,
                "victims": [{"status": "unidentified", "agency": POLITIE}],
            },
            {"series": "Red Door", "media": 1, "victims": []},
        ],
        "watch_hits": [
            {
                "side": "hitter",
                "title": "Producer's camera",
                "priority": "high",
                "message": "call first",
                "triggers": [{"kind": "camera", "value": "canon:4711"}],
                "agency": POLITIE,
                "case": None,
                "items": 1,
            },
            {
                "side": "owner",
                "title": "Our series",
                "priority": "normal",
                "triggers": [{"kind": "series", "value": "red door"}],
                "agency": BKA,
                "case": "FR-3",
                "items": 2,
            },
        ],
    }


def test_headlines_say_what_the_investigator_must_learn() -> None:
    section = links_section(_view())
    assert section["headlines"] == [
        "1 camera also shot media of case NL-1 of Politie (Netherlands)",
        "12 media are also in case NL-1 of Politie (Netherlands)",
        "3 show series Blue Sky, whose victim is unidentified",
        "1 show series Red Door, whose victim is not recorded",
        "Politie (Netherlands) watches this camera (high): Producer's camera; "
        "contact vid@politie.example",
        "your watch 'Our series' was hit by 2 item(s) of BKA (Germany) in case FR-3",
    ]
    assert section["cluster"] == {"cases": 3, "countries": ["DE", "FR", "NL"]}
    assert links_section({})["headlines"] == []


def test_the_report_gains_a_links_section_rendered_escaped() -> None:
    report = build_report(
        CaseData(case="DE-7", sightings=[], problems=[], pdq={}, matches={}, entries={})
    )
    with_links = add_links(report, _view())
    assert "links" not in report and with_links["links"]["linked_cases"][0]["case"] == "NL-1"
    page = render_report(with_links, lambda sha: None)
    assert "Links to other cases (1)" in page
    assert "12 media are also in case NL-1 of Politie (Netherlands)" in page
    assert "own &lt;b&gt;.jpg" in page and "own <b>.jpg" not in page
    assert "email:x@example.org" in page and "vid@politie.example" in page
    assert "(not disclosed)" in page
    plain = render_report(report, lambda sha: None)
    assert "Links to other cases" not in plain
