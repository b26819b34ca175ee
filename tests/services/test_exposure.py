"""The reveal's wellness rules: a fresh second factor (10 minutes), and clear views counted per
UTC day from the audit log against the daily budget."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from interlink.adapters.sql.store import SqlStore
from interlink.domain.errors import AccessDeniedError
from interlink.domain.principal import AuthMethod, Principal, Role
from interlink.services import exposure

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    opened = SqlStore.open(store_url)
    yield opened
    opened.close()


def _examiner(second_factor_at: datetime | None) -> Principal:
    return Principal(
        user_id=uuid.uuid4(),
        name="ex",
        agency_id=uuid.uuid4(),
        agency="alpha",
        roles=frozenset({Role.EXAMINER}),
        method=AuthMethod.PASSWORD,
        second_factor_at=second_factor_at,
    )


def _reveal(store: SqlStore, actor: str) -> None:
    with store.transaction() as tx:
        store.audit.append(
            tx, actor=actor, action="media.reveal", object_type="case", object_id="c"
        )


def test_a_second_factor_is_fresh_for_ten_minutes() -> None:
    given = NOW - timedelta(minutes=9, seconds=59)
    assert exposure.fresh_until(_examiner(given), NOW) == given + timedelta(minutes=10)
    assert exposure.fresh_until(_examiner(NOW - timedelta(minutes=10)), NOW) is None
    assert exposure.fresh_until(_examiner(None), NOW) is None


def test_a_stale_second_factor_refuses_the_reveal(store: SqlStore) -> None:
    stale = _examiner(NOW - timedelta(minutes=11))
    with pytest.raises(AccessDeniedError, match="10 minutes"):
        exposure.require_reveal_allowed(store, stale, now=NOW)
    fresh = replace(stale, second_factor_at=NOW - timedelta(minutes=1))
    assert exposure.require_reveal_allowed(store, fresh, now=NOW).today == 0


def test_reveals_count_per_utc_day_against_the_budget(store: SqlStore) -> None:
    now = datetime.now(UTC)
    who = _examiner(now)
    _reveal(store, "alpha/someone-else")  # someone else's: not counted
    for _ in range(3):
        _reveal(store, who.actor)
    found = exposure.exposure_of(store, who, now=now)
    assert (found.today, found.budget, found.remaining) == (3, 50, 47)
    tomorrow = now + timedelta(days=1)
    assert exposure.exposure_of(store, who, now=tomorrow).today == 0
    for _ in range(found.remaining):
        _reveal(store, who.actor)
    with pytest.raises(AccessDeniedError, match="budget"):
        exposure.require_reveal_allowed(store, who, now=now)
