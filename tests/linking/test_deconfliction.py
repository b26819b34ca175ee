from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from interlink.domain.cases import Agency
from interlink.domain.errors import InvalidFieldError, InvalidSignalError
from interlink.linking.cases import PdqMedia
from interlink.linking.deconfliction import (
    Alert,
    AlertTrigger,
    Disclosure,
    MediaFacts,
    Priority,
    TriggerKind,
    discloses,
    find_hits,
    hitter_view,
    identifier_observations,
    media_observations,
    owner_view,
    pdq_observations,
    trigger_value,
)
from tests.signals.pdq_helpers import flip, random_hash

NOW = datetime(2025, 1, 10, 9, tzinfo=UTC)
OWNER = Agency.create("Politie", "NL", "vid@politie.example")
OTHER = Agency.create("BKA", "DE", "zentrale@bka.example")
OWN_CASE, OTHER_CASE = uuid.uuid4(), uuid.uuid4()


def test_trigger_values_are_normalised() -> None:
    assert trigger_value(TriggerKind.SHA256, " " + "AB" * 32) == "ab" * 32
    assert trigger_value(TriggerKind.SERIES, " Blue  SKY ") == "blue sky"
    assert trigger_value(TriggerKind.CAMERA, "Canon Inc.: 0012345") == "canon:12345"
    assert trigger_value(TriggerKind.CAMERA, "0012345") == "*:12345"
    assert trigger_value(TriggerKind.EMAIL, "A@B.example") == "email:a@b.example"
    assert trigger_value(TriggerKind.ACCOUNT, "Chat/u-1") == "account:chat/u-1"
    assert trigger_value(TriggerKind.DEVICE, "IMEI:35-2099") == "device:imei:352099"
    assert trigger_value(TriggerKind.IP, "192.0.2.1") == "ip:192.0.2.1|*"
    assert trigger_value(TriggerKind.IP, "192.0.2.1", port=8080) == "ip:192.0.2.1|8080"
    with pytest.raises(InvalidSignalError):
        trigger_value(TriggerKind.MD5, "abc")
    with pytest.raises(InvalidFieldError):
        trigger_value(TriggerKind.CAMERA, "Canon:0000")
    with pytest.raises(InvalidFieldError):
        trigger_value(TriggerKind.SERIES, "  ")


def _alert(**changes: object) -> Alert:
    fields: dict[str, object] = {
        "id": uuid.uuid4(),
        "agency_id": OWNER.id,
        "title": "Camera of series Blue Sky",
        "case_id": OWN_CASE,
        "created_at": NOW - timedelta(days=1),
    }
    fields.update(changes)
    return Alert(**fields)  # type: ignore[arg-type]


def test_active_watches_hit_other_cases_only() -> None:
    alert = _alert()
    trigger = AlertTrigger(1, alert.id, TriggerKind.CAMERA, "*:12345")
    media = [MediaFacts("s1", camera_key="canon:12345"), MediaFacts("s2", camera_key="nikon:9")]
    seen = media_observations(OTHER_CASE, OTHER.id, media)
    hits = find_hits({alert.id: alert}, [trigger], seen, NOW)
    assert [(h.trigger_id, h.case_id, h.agency_id, h.subject) for h in hits] == [
        (1, OTHER_CASE, OTHER.id, "s1")
    ]
    own = media_observations(OWN_CASE, OWNER.id, media)
    assert find_hits({alert.id: alert}, [trigger], own, NOW) == []
    expired = _alert(id=alert.id, expires_at=NOW)
    assert find_hits({alert.id: expired}, [trigger], seen, NOW) == []
    withdrawn = _alert(id=alert.id, withdrawn_at=NOW - timedelta(seconds=1))
    assert find_hits({alert.id: withdrawn}, [trigger], seen, NOW) == []
    assert find_hits({}, [trigger], seen, NOW) == []


def test_series_hashes_and_identifiers_hit() -> None:
    alert = _alert()
    triggers = [
        AlertTrigger(1, alert.id, TriggerKind.SERIES, "blue sky"),
        AlertTrigger(2, alert.id, TriggerKind.MD5, "0" * 32),
        AlertTrigger(3, alert.id, TriggerKind.IP, "ip:192.0.2.1|*"),
    ]
    seen = media_observations(
        OTHER_CASE, OTHER.id, [MediaFacts("s1", md5="0" * 32, series=("blue sky",))]
    )
    seen += identifier_observations(OTHER_CASE, OTHER.id, ["ip:192.0.2.1|443", "email:x@y.z"])
    hits = find_hits({alert.id: alert}, triggers, seen, NOW)
    assert [(h.trigger_id, h.subject) for h in hits] == [
        (1, "s1"),
        (2, "s1"),
        (3, "ip:192.0.2.1|443"),
    ]


def test_pdq_triggers_hit_near_and_flipped_copies() -> None:
    rng = random.Random(11)
    watched = random_hash(rng)
    alert = _alert()
    triggers = [AlertTrigger(7, alert.id, TriggerKind.PDQ, watched)]
    media = [
        PdqMedia("near", (random_hash(rng), flip(watched, 20, rng))),
        PdqMedia("far", (flip(watched, 60, rng),)),
    ]
    seen = pdq_observations(OTHER_CASE, OTHER.id, media, triggers)
    hits = find_hits({alert.id: alert}, triggers, seen, NOW)
    assert [(h.subject, h.distance) for h in hits] == [("near", 20)]
    assert pdq_observations(OTHER_CASE, OTHER.id, media, []) == []


def test_disclosure_levels_are_ordered() -> None:
    assert discloses(Disclosure.EVIDENCE, Disclosure.CASE)
    assert discloses(Disclosure.CASE, Disclosure.CASE)
    assert not discloses(Disclosure.AGENCY, Disclosure.CASE)


@pytest.mark.parametrize("disclosure", list(Disclosure))
def test_views_reveal_no_more_than_the_watch_allows(disclosure: Disclosure) -> None:
    alert = _alert(disclosure=disclosure, priority=Priority.HIGH, message="Call before acting")
    trigger = AlertTrigger(1, alert.id, TriggerKind.SERIES, "blue sky")
    hits = find_hits(
        {alert.id: alert},
        [trigger],
        media_observations(OTHER_CASE, OTHER.id, [MediaFacts("s" * 64, series=("blue sky",))]),
        NOW,
    )
    owner = owner_view(alert, hits, {1: trigger}, OTHER, "BKA-2025-17")
    hitter = hitter_view(alert, hits, {1: trigger}, OWNER, "NL-OP-WILLOW", "BKA-2025-17")
    assert owner["agency"]["contact"] == "zentrale@bka.example"
    assert hitter["agency"] == {
        "name": "Politie",
        "country": "NL",
        "country_name": "Netherlands",
        "contact": "vid@politie.example",
    }
    assert owner["items"] == hitter["items"] == 1
    assert hitter["message"] == "Call before acting" and hitter["priority"] == "high"
    shows_case = disclosure is not Disclosure.AGENCY
    assert ("BKA-2025-17" in json.dumps(owner)) is shows_case
    assert ("NL-OP-WILLOW" in json.dumps(hitter)) is shows_case
    assert ("s" * 64 in json.dumps(owner)) is (disclosure is Disclosure.EVIDENCE)
    assert hitter["subjects"] == ["s" * 64]  # its own item, always
