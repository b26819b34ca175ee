"""Login lockout: after ``MAX_FAILURES`` consecutive failures an account is locked for
``LOCK_SECONDS``; a success clears the count. Pure policy over the stored counters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60


@dataclass(frozen=True, slots=True)
class LoginState:
    """An account's failure count and the end of its lock, if locked."""

    failures: int = 0
    locked_until: datetime | None = None

    def locked(self, now: datetime) -> bool:
        """Whether the account refuses logins at ``now``."""
        return self.locked_until is not None and now < self.locked_until

    def after_failure(self, now: datetime) -> LoginState:
        """The state after one more failed attempt at ``now``."""
        failures = self.failures + 1
        if failures >= MAX_FAILURES:
            return LoginState(0, now + timedelta(seconds=LOCK_SECONDS))
        return LoginState(failures, self.locked_until)
