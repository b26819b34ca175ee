from __future__ import annotations

import uuid

import pytest

from interlink.domain.errors import AccessDeniedError, InvalidFieldError
from interlink.domain.principal import (
    AuthMethod,
    Capability,
    Principal,
    Role,
    capabilities_of,
    needs_second_factor,
    parse_roles,
    parse_scopes,
)


def _principal(*roles: Role, scopes: frozenset[Capability] | None = None) -> Principal:
    return Principal(
        uuid.uuid4(),
        "ann",
        uuid.uuid4(),
        "alpha",
        frozenset(roles),
        AuthMethod.TOKEN,
        scopes=scopes,
    )


def test_roles_grant_what_the_issue_gives_them() -> None:
    assert capabilities_of([Role.VIEWER]) == {Capability.FIGURES_READ}
    investigator = capabilities_of([Role.INVESTIGATOR])
    assert Capability.MEDIA_BLURRED in investigator and Capability.MEDIA_REVEAL not in investigator
    assert {Capability.SCANS_RUN, Capability.MEDIA_REVEAL, Capability.GRADING} <= capabilities_of(
        [Role.EXAMINER]
    )
    assert {Capability.LISTS_WRITE, Capability.VOTES} <= capabilities_of([Role.CURATOR])
    assert Capability.USERS_AGENCY in capabilities_of([Role.AGENCY_ADMIN])
    node = capabilities_of([Role.NODE_ADMIN])
    assert Capability.USERS_NODE in node
    assert not node & {Capability.CASES_READ, Capability.MEDIA_BLURRED, Capability.FIGURES_READ}


def test_only_roles_that_reveal_media_need_a_second_factor() -> None:
    assert needs_second_factor([Role.EXAMINER])
    assert not needs_second_factor([Role.INVESTIGATOR, Role.CURATOR, Role.NODE_ADMIN])


def test_token_scopes_narrow_the_roles() -> None:
    full = _principal(Role.INVESTIGATOR)
    narrow = _principal(
        Role.INVESTIGATOR, scopes=frozenset({Capability.FIGURES_READ, Capability.USERS_NODE})
    )
    assert full.can(Capability.CASES_READ)
    assert narrow.capabilities == {Capability.FIGURES_READ}
    with pytest.raises(AccessDeniedError, match="cases:read"):
        narrow.require(Capability.CASES_READ)
    assert narrow.actor == "alpha/ann" and narrow.scope.agency_id == narrow.agency_id


def test_the_local_operator_holds_every_role() -> None:
    local = Principal.local(uuid.uuid4(), "local", "sam")
    assert local.roles == frozenset(Role) and local.actor == "sam"


def test_unknown_roles_and_scopes_are_named() -> None:
    assert parse_roles(["viewer", " curator"]) == {Role.VIEWER, Role.CURATOR}
    with pytest.raises(InvalidFieldError, match="boss"):
        parse_roles(["boss"])
    with pytest.raises(InvalidFieldError):
        parse_roles([])
    with pytest.raises(InvalidFieldError, match="everything"):
        parse_scopes(["everything"])
