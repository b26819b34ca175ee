from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interlink.domain.cases import (
    USER_ASSIGNED,
    Agency,
    Identifier,
    IdentifierKind,
    Series,
    Suspect,
    SuspectStatus,
    Victim,
    VictimStatus,
    acquisition_hash,
    country_code,
    country_name,
    series_key,
)
from interlink.domain.errors import ConflictError, InvalidFieldError, TransitionError

AGENCY = uuid.uuid4()


@pytest.mark.parametrize(("given_code", "expected"), [("nl", "NL"), (" De ", "DE"), ("ZZ", "ZZ")])
def test_country_codes_are_normalised(given_code: str, expected: str) -> None:
    assert country_code(given_code) == expected


@pytest.mark.parametrize("bad", ["", "N", "NLD", "UK", "EU", "Q1", "12"])
def test_country_codes_outside_iso_3166_are_refused(bad: str) -> None:
    with pytest.raises(InvalidFieldError) as raised:
        country_code(bad)
    assert raised.value.field == "country"


def test_user_assigned_codes_are_the_iso_ranges() -> None:
    assert {"AA", "QM", "QZ", "XA", "XZ", "ZZ"} <= USER_ASSIGNED
    assert not {"QL", "AB", "ZY"} & USER_ASSIGNED
    assert len(USER_ASSIGNED) == 2 + 14 + 26


def test_agency_validates_country_and_name() -> None:
    agency = Agency.create(" Politie ", "nl", " vid@example.org ")
    assert (agency.name, agency.country, agency.contact) == ("Politie", "NL", "vid@example.org")
    assert country_name("NL") == "Netherlands" and country_name("ZZ") == "ZZ"
    with pytest.raises(InvalidFieldError):
        Agency(uuid.uuid4(), "x", "nl")  # a record holds the normalised code only
    with pytest.raises(InvalidFieldError):
        Agency.create("x", "XX1")
    with pytest.raises(InvalidFieldError):
        Agency.create("  ", "FR")


def test_victim_moves_one_step_at_a_time() -> None:
    victim = Victim(uuid.uuid4(), "V-17", AGENCY)
    identified = victim.advance(VictimStatus.IDENTIFIED)
    assert (
        identified.status is VictimStatus.IDENTIFIED and victim.status is VictimStatus.UNIDENTIFIED
    )
    assert identified.advance(VictimStatus.SAFEGUARDED).status is VictimStatus.SAFEGUARDED
    with pytest.raises(TransitionError) as raised:
        victim.advance(VictimStatus.SAFEGUARDED)
    assert (raised.value.current, raised.value.wanted) == ("unidentified", "safeguarded")
    assert isinstance(raised.value, ConflictError)
    with pytest.raises(TransitionError):
        identified.advance(VictimStatus.UNIDENTIFIED)
    with pytest.raises(TransitionError):
        identified.advance(VictimStatus.IDENTIFIED)


@given(st.lists(st.sampled_from(list(VictimStatus)), max_size=6))
def test_victim_status_never_moves_back(moves: list[VictimStatus]) -> None:
    order = list(VictimStatus)
    victim = Victim(uuid.uuid4(), "V", AGENCY)
    for move in moves:
        before = victim.status
        try:
            victim = victim.advance(move)
        except TransitionError:
            assert victim.status is before
        else:
            assert order.index(victim.status) == order.index(before) + 1


def test_suspect_moves_forward_and_may_skip() -> None:
    suspect = Suspect(uuid.uuid4(), "S-1", AGENCY)
    assert not suspect.identified
    charged = suspect.advance(SuspectStatus.IDENTIFIED).advance(SuspectStatus.CHARGED)
    assert charged.identified and charged.status is SuspectStatus.CHARGED
    with pytest.raises(TransitionError):
        charged.advance(SuspectStatus.ARRESTED)
    with pytest.raises(TransitionError):
        charged.advance(SuspectStatus.CHARGED)


def test_identifiers_are_checked() -> None:
    seen = datetime(2024, 5, 1, 10, tzinfo=UTC)
    ip = Identifier(IdentifierKind.IP, "2001:db8::1", port=443, seen_at=seen)
    assert ip.port == 443
    with pytest.raises(InvalidFieldError):
        Identifier(IdentifierKind.IP, "300.1.1.1")
    with pytest.raises(InvalidFieldError):
        Identifier(IdentifierKind.IP, "10.0.0.1", port=70000)
    with pytest.raises(InvalidFieldError):
        Identifier(IdentifierKind.IP, "10.0.0.1", seen_at=seen.replace(tzinfo=None))
    with pytest.raises(InvalidFieldError):
        Identifier(IdentifierKind.EMAIL, "a@b.example", port=25)
    with pytest.raises(InvalidFieldError):
        Identifier(IdentifierKind.DEVICE, "3520990000000")
    with pytest.raises(InvalidFieldError):
        Identifier(IdentifierKind.PHONE, " ")
    local = Identifier(
        IdentifierKind.IP, "10.0.0.1", seen_at=seen.astimezone(timezone(timedelta(hours=2)))
    )
    assert local.seen_at == seen


def test_series_and_acquisition_hashes_normalise() -> None:
    assert series_key("  Blue   Sky ") == "blue sky" == Series(uuid.uuid4(), "BLUE sky").key
    assert acquisition_hash(" " + "AB" * 16 + " ") == "ab" * 16
    assert acquisition_hash("") == ""
    with pytest.raises(InvalidFieldError):
        acquisition_hash("ab" * 10)
    with pytest.raises(InvalidFieldError):
        acquisition_hash("zz" * 16)
