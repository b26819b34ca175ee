"""The demo user can log in with the printed password and a code from the printed secret."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest

from interlink.adapters.sql.store import SqlStore
from interlink.auth import passwords
from interlink.demo.access import DEMO_ROLES, demo_login
from interlink.domain.errors import AuthenticationError
from interlink.services import authentication


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    before = passwords.use_parameters(time_cost=1, memory_cost=1024, parallelism=1)
    opened = SqlStore.open(f"sqlite:///{tmp_path / 'demo.db'}")
    yield opened
    opened.close()
    passwords.restore(before)


def test_the_printed_credentials_log_in_with_a_second_factor(store: SqlStore) -> None:
    login = demo_login(store)
    with pytest.raises(AuthenticationError):
        authentication.login(store, login.name, login.password, None)
    session = authentication.login(
        store, login.name, login.password, pyotp.TOTP(login.totp_secret).now()
    )
    assert session.principal.roles == DEMO_ROLES
    assert session.principal.second_factor_at is not None
    assert login.totp_secret in login.otpauth_uri
