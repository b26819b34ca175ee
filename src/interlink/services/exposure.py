"""Wellness rules around the clear view of media: a reveal needs a second factor given within
the last ``FRESH_SECOND_FACTOR`` (else the user confirms it again by logging in anew), and
each user's clear views are counted per UTC day against a daily budget.

The budget is the one the user's agency admin set (``set_daily_budget``, audited with before
and after), else the node's default (``DEFAULT_DAILY_BUDGET``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from interlink.adapters.sql import agency_settings
from interlink.adapters.sql import exposure as exposure_sql
from interlink.adapters.sql.store import SqlStore
from interlink.domain.errors import AccessDeniedError, InvalidFieldError
from interlink.domain.principal import AuthMethod, Capability, Principal

#: How long a second factor stays fresh enough to reveal media.
FRESH_SECOND_FACTOR = timedelta(minutes=10)
#: Clear views a user may have per UTC day.
DEFAULT_DAILY_BUDGET = 50
#: The largest daily budget an agency admin may set.
MAX_DAILY_BUDGET = 1000


@dataclass(frozen=True, slots=True)
class Exposure:
    """A user's clear views today, the day's budget, and until when its second factor is
    fresh (``None``: not fresh now)."""

    today: int
    budget: int
    fresh_until: datetime | None

    @property
    def remaining(self) -> int:
        """Reveals left today."""
        return max(0, self.budget - self.today)

    def as_json(self) -> dict[str, object]:
        """The figures as the web page and the API show them."""
        return {
            "today": self.today,
            "budget": self.budget,
            "remaining": self.remaining,
            "fresh_until": self.fresh_until.isoformat() if self.fresh_until else None,
        }


def _day_start(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def fresh_until(principal: Principal, now: datetime) -> datetime | None:
    """Until when ``principal``'s second factor is fresh, or ``None`` if it is not now (a
    laptop install's local user has no second factor to give and is always fresh)."""
    if principal.method is AuthMethod.LOCAL:
        return now + FRESH_SECOND_FACTOR
    given = principal.second_factor_at
    if given is None:
        return None
    until = given.astimezone(UTC) + FRESH_SECOND_FACTOR
    return until if until > now else None


def exposure_of(store: SqlStore, principal: Principal, *, now: datetime | None = None) -> Exposure:
    """``principal``'s clear views today, its budget, and its second factor's freshness."""
    now = now or datetime.now(UTC)
    today = exposure_sql.reveals_since(store.engine, principal.actor, _day_start(now))
    return Exposure(today, daily_budget(store, principal), fresh_until(principal, now))


def daily_budget(store: SqlStore, principal: Principal) -> int:
    """The daily budget of clear views for ``principal``'s agency."""
    found = agency_settings.reveal_budget(store.engine, principal.agency_id)
    return DEFAULT_DAILY_BUDGET if found is None else found


def budget_setting(store: SqlStore, principal: Principal) -> int:
    """The daily budget of the principal's agency as its agency admin sees it to change it."""
    principal.require(Capability.USERS_AGENCY)
    return daily_budget(store, principal)


def set_daily_budget(store: SqlStore, principal: Principal, budget: int) -> int:
    """Set the daily budget of clear views of the principal's agency (its agency admin;
    audited with before and after); ``InvalidFieldError`` naming ``budget`` outside
    0..``MAX_DAILY_BUDGET``."""
    principal.require(Capability.USERS_AGENCY)
    if not 0 <= budget <= MAX_DAILY_BUDGET:
        raise InvalidFieldError("budget", str(budget), f"from 0 to {MAX_DAILY_BUDGET}")
    before = daily_budget(store, principal)
    now = datetime.now(UTC)
    with store.transaction() as tx:
        agency_settings.set_reveal_budget(tx, principal.agency_id, budget, now)
        store.audit.append(
            tx,
            actor=principal.actor,
            action="agency.reveal_budget",
            object_type="agency",
            object_id=str(principal.agency_id),
            before={"budget": before},
            after={"budget": budget},
        )
    return budget


def require_reveal_allowed(
    store: SqlStore, principal: Principal, *, now: datetime | None = None
) -> Exposure:
    """``AccessDeniedError`` unless ``principal`` gave its second factor within
    ``FRESH_SECOND_FACTOR`` and has reveals left in today's budget."""
    found = exposure_of(store, principal, now=now)
    if found.fresh_until is None:
        raise AccessDeniedError(
            "revealing media needs a second factor given within the last "
            f"{int(FRESH_SECOND_FACTOR.total_seconds() // 60)} minutes: log in again"
        )
    if found.remaining <= 0:
        raise AccessDeniedError(
            f"today's budget of {found.budget} clear views is used up; it renews at 00:00 UTC"
        )
    return found
