from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interlink.domain.cases import Identifier, IdentifierKind
from interlink.index.brute import BruteForceHammingIndex
from interlink.linking.cases import (
    MAX_HOLDERS,
    UNKNOWN_TIME,
    CaseLink,
    Evidence,
    Holding,
    IdentifierHolding,
    LinkKind,
    PdqMedia,
    case_links,
    clusters,
    evidence_between,
    near_duplicate_evidence,
    near_pairs,
    pair_key,
    shared_identifiers,
    shared_keys,
    strength,
    weight,
)
from interlink.linking.identifiers import identifier_key, watch_keys
from tests.signals.pdq_helpers import flip, random_hash

A, B, C, D = sorted(uuid.uuid4() for _ in range(4))
T0 = datetime(2024, 3, 1, 12, tzinfo=UTC)


def test_evidence_orders_the_pair_and_its_media() -> None:
    forward = evidence_between(A, B, LinkKind.CAMERA, "canon:1", "m1", "m2")
    backward = evidence_between(B, A, LinkKind.CAMERA, "canon:1", "m2", "m1")
    assert forward == backward == Evidence(A, B, LinkKind.CAMERA, "canon:1", "m1", "m2")
    assert forward.media_of(B) == "m2"
    with pytest.raises(ValueError):
        evidence_between(A, A, LinkKind.CAMERA, "k")


def test_shared_keys_link_the_new_case_with_each_other_holder() -> None:
    new = [Holding(A, "s1", "s1"), Holding(A, "s2", "s2"), Holding(A, "s3", "s3")]
    stored = [
        Holding(A, "s1", "s1"),  # the case itself: ignored
        Holding(B, "s1", "s1"),
        Holding(C, "s1", "s1"),
        Holding(C, "s2", "s2"),
        Holding(D, "other", "other"),
    ]
    found = shared_keys(LinkKind.SHARED_MEDIA, A, new, stored)
    assert [(e.case_a, e.case_b, e.key) for e in found] == [
        (A, B, "s1"),
        (A, C, "s1"),
        (A, C, "s2"),
    ]


def test_keys_held_by_too_many_cases_link_nobody() -> None:
    many = sorted(uuid.uuid4() for _ in range(MAX_HOLDERS))
    stored = [Holding(case, "viral", "viral") for case in many]
    new_case = uuid.uuid4()
    assert shared_keys(LinkKind.SHARED_MEDIA, new_case, [Holding(new_case, "viral")], stored) == []
    assert (
        len(shared_keys(LinkKind.SHARED_MEDIA, new_case, [Holding(new_case, "viral")], stored[:-1]))
        == MAX_HOLDERS - 1
    )


def test_near_pairs_use_the_dihedral_variants_and_skip_the_media_itself() -> None:
    rng = random.Random(3)
    stored = {1: random_hash(rng), 2: random_hash(rng), 3: random_hash(rng)}
    media_of = {1: "x1", 2: "x2", 3: "q"}
    index = BruteForceHammingIndex()
    index.add(list(stored.values()), list(stored))
    mirrored = flip(stored[1], 12, rng)  # the query's flipped variant is near stored media 1
    query = PdqMedia("q", (stored[3], random_hash(rng), mirrored))
    assert near_pairs([query], index, media_of) == [("q", "x1", 12)]
    assert near_pairs([query], index, media_of, threshold=11) == []


def test_near_duplicates_skip_cases_already_holding_the_media_itself() -> None:
    pairs = [("mine", "theirs", 8)]
    stored = [Holding(B, "theirs"), Holding(C, "theirs"), Holding(C, "mine"), Holding(A, "theirs")]
    found = near_duplicate_evidence(A, pairs, stored)
    assert found == [
        Evidence(A, B, LinkKind.NEAR_DUPLICATE, pair_key("mine", "theirs"), "mine", "theirs", 8)
    ]
    assert pair_key("b", "a") == pair_key("a", "b") == "a~b"


def _ip(case: uuid.UUID, port: int | None, at: datetime | None) -> IdentifierHolding:
    key = identifier_key(Identifier(IdentifierKind.IP, "203.0.113.9", port=port, seen_at=at))
    return IdentifierHolding(case, key, at)


def test_ip_identifiers_link_only_within_the_window() -> None:
    near = shared_identifiers(A, [_ip(A, 5000, T0)], [_ip(B, 5000, T0 + timedelta(hours=2))])
    assert [(e.case_b, e.distance) for e in near] == [(B, 120)]
    assert shared_identifiers(A, [_ip(A, 5000, T0)], [_ip(B, 5000, T0 + timedelta(hours=7))]) == []
    assert shared_identifiers(A, [_ip(A, 5000, T0)], [_ip(B, 5001, T0)]) == []
    unknown = shared_identifiers(A, [_ip(A, 5000, T0)], [_ip(B, 5000, None)])
    assert [e.distance for e in unknown] == [UNKNOWN_TIME]
    # a timed sighting is preferred to an untimed one of the same key
    both = shared_identifiers(
        A, [_ip(A, 5000, T0)], [_ip(B, 5000, None), _ip(B, 5000, T0 + timedelta(minutes=5))]
    )
    assert [e.distance for e in both] == [5]
    assert weight(unknown[0]) < weight(near[0])


def test_identifier_keys_normalise_like_the_network_module() -> None:
    email = Identifier(IdentifierKind.EMAIL, " Some.One@Example.ORG ")
    assert identifier_key(email) == "email:some.one@example.org"
    phone = Identifier(IdentifierKind.PHONE, "0031 (6) 1234-5678")
    assert identifier_key(phone) == "phone:+31612345678"
    account = Identifier(IdentifierKind.ACCOUNT, " 1234 ", service="Example Chat")
    assert identifier_key(account) == "account:example chat/1234"
    device = Identifier(IdentifierKind.DEVICE, "35-209900-176148-1", service="IMEI")
    assert identifier_key(device) == "device:imei:352099001761481"
    mapped = Identifier(IdentifierKind.IP, "::ffff:192.0.2.1", port=80)
    assert watch_keys(mapped) == ("ip:192.0.2.1|80", "ip:192.0.2.1|*")


def test_strength_grows_with_evidence_and_shrinks_with_common_keys() -> None:
    one = [Evidence(A, B, LinkKind.SHARED_MEDIA, "s1", "s1", "s1")]
    two = [*one, Evidence(A, B, LinkKind.SHARED_MEDIA, "s2", "s2", "s2")]
    assert strength(one, {}) == 0.5
    assert strength(two, {}) == 0.75
    assert strength(one, {("shared_media", "s1"): 6}) == 0.1
    camera = [Evidence(A, B, LinkKind.CAMERA, "canon:1")]
    assert strength(camera, {}) > strength(one, {})
    close = Evidence(A, B, LinkKind.NEAR_DUPLICATE, "p", "x", "y", 0)
    far = Evidence(A, B, LinkKind.NEAR_DUPLICATE, "p", "x", "y", 31)
    assert weight(close) == 0.4 and 0.19 < weight(far) < 0.21


@settings(max_examples=50)
@given(st.lists(st.sampled_from(list(LinkKind)), min_size=1, max_size=8))
def test_strength_is_a_probability_that_more_evidence_never_lowers(kinds: list[LinkKind]) -> None:
    items = [Evidence(A, B, kind, f"k{i}") for i, kind in enumerate(kinds)]
    values = [strength(items[: n + 1], {}) for n in range(len(items))]
    assert all(0 < v <= 1 for v in values)
    assert values == sorted(values)


def test_links_group_evidence_by_pair_and_clusters_join_through_cases() -> None:
    evidence = [
        Evidence(A, B, LinkKind.SHARED_MEDIA, "s1", "s1", "s1"),
        Evidence(A, B, LinkKind.CAMERA, "canon:1"),
        Evidence(B, C, LinkKind.IDENTIFIER, "email:x@example.org"),
    ]
    links = case_links(evidence)
    assert [(link.case_a, link.case_b) for link in links] == [(A, B), (B, C)]
    assert links[0].counts() == {"camera": 1, "shared_media": 1}
    assert links[0].other(A) == B and links[0].other(B) == A
    assert clusters(links) == [frozenset({A, B, C})]
    assert clusters(links, min_strength=0.85) == [frozenset({A, B})]
    lone = CaseLink(C, D, 0.1, ())
    assert clusters([*links, lone], min_strength=0.5) == [frozenset({A, B, C})]


def test_place_evidence_links_other_cases_within_the_radius_only() -> None:
    from uuid import UUID

    from interlink.linking.cases import LinkKind, Located, place_evidence

    mine, near, far = (UUID(int=n) for n in (1, 2, 3))
    new = [Located(mine, "m1", 52.37021, 4.89517)]
    stored = [
        Located(near, "n1", 52.37061, 4.89517),  # about 45 m north
        Located(far, "f1", 52.38021, 4.89517),  # over a kilometre
        Located(mine, "m0", 52.37021, 4.89517),  # the case's own media never link it
    ]
    [piece] = place_evidence(mine, new, stored)
    assert piece.kind is LinkKind.PLACE and piece.media_of(mine) == "m1"
    assert 40 <= piece.distance <= 50
    crowded = stored + [Located(UUID(int=10 + i), f"x{i}", 52.37061, 4.89517) for i in range(60)]
    assert [p.case_b for p in place_evidence(mine, new, crowded)] == []
