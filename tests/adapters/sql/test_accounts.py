"""Accounts in the store: second-factor and identity-provider secrets are sealed, so a reader
of the database alone learns neither."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import select, update

from interlink.adapters.secret_box import SecretBox, is_sealed
from interlink.adapters.sql.auth_schema import identity_providers, users
from interlink.adapters.sql.store import SqlStore
from interlink.auth import bearer
from interlink.domain.accounts import IdentityProvider
from interlink.domain.errors import ConfigurationError
from interlink.domain.principal import Principal, Role
from interlink.services import accounts, authentication
from interlink.services.cases import acting_agency

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _add(store: SqlStore, agency_id: uuid.UUID, name: str, secret: str | None) -> uuid.UUID:
    with store.transaction() as tx:
        return store.accounts.add_user(
            tx,
            name=name,
            agency_id=agency_id,
            roles=[Role.EXAMINER],
            password_hash=None,
            totp_secret=secret,
        )


def _stored(store: SqlStore, user_id: uuid.UUID) -> str:
    with store.engine.connect() as connection:
        return str(
            connection.execute(select(users.c.totp_secret).where(users.c.id == user_id)).scalar()
        )


def test_totp_and_client_secrets_are_sealed_at_rest(store_url: str, tmp_path: Path) -> None:
    store = SqlStore.open(store_url, secrets=SecretBox(tmp_path / "audit-key.pem"))
    agency = acting_agency(store, "nca", actor="operator")
    user_id = _add(store, agency.id, "eve", SECRET)
    assert is_sealed(_stored(store, user_id)) and SECRET not in _stored(store, user_id)
    found = store.accounts.credentials("eve")
    assert found is not None and found.totp_secret == SECRET and found.user.has_totp
    with store.transaction() as tx:
        store.accounts.set_user(tx, user_id, totp_secret="NEWSECRETNEWSECRET")
    assert "NEWSECRET" not in _stored(store, user_id)
    found = store.accounts.credentials("eve")
    assert found is not None and found.totp_secret == "NEWSECRETNEWSECRET"
    with store.transaction() as tx:
        store.accounts.set_provider(tx, IdentityProvider(agency.id, "https://idp", "c", "cs-1"))
    with store.engine.connect() as connection:
        raw = connection.execute(select(identity_providers.c.client_secret)).scalar()
    assert is_sealed(str(raw)) and "cs-1" not in str(raw)
    provider = store.accounts.provider(agency.id)
    assert provider is not None and provider.client_secret == "cs-1"
    store.close()


def test_a_secret_written_in_clear_is_sealed_at_its_next_use(
    store_url: str, tmp_path: Path
) -> None:
    bare = SqlStore.open(store_url)
    agency = acting_agency(bare, "nca", actor="operator")
    user_id = _add(bare, agency.id, "eve", SECRET)
    assert _stored(bare, user_id) == SECRET
    bare.close()
    store = SqlStore.open(store_url, secrets=SecretBox(tmp_path / "audit-key.pem"))
    found = store.accounts.credentials("eve")
    assert found is not None and found.totp_secret == SECRET
    assert is_sealed(_stored(store, user_id))
    found = store.accounts.credentials("eve")
    assert found is not None and found.totp_secret == SECRET
    store.close()


def test_a_sealed_secret_moved_to_another_user_does_not_open(
    store_url: str, tmp_path: Path
) -> None:
    """A database writer who copies their own sealed TOTP secret into an admin's row still
    cannot pass the admin's second factor."""
    store = SqlStore.open(store_url, secrets=SecretBox(tmp_path / "audit-key.pem"))
    agency = acting_agency(store, "nca", actor="operator")
    mallory = _add(store, agency.id, "mallory", SECRET)
    admin = _add(store, agency.id, "admin", "ADMINSECRETADMINSECRET")
    with store.transaction() as tx:
        tx.execute(
            update(users).where(users.c.id == admin).values(totp_secret=_stored(store, mallory))
        )
    with pytest.raises(ConfigurationError, match="moved from its row"):
        store.accounts.credentials("admin")
    store.close()


def test_tokens_with_users_reads_the_asked_tokens_and_their_users_at_once(store_url: str) -> None:
    store = SqlStore.open(store_url)
    try:
        agency = acting_agency(store, "node", actor="operator")
        root = Principal.local(agency.id, agency.name, "operator")
        for name in ("ivy", "eve"):
            accounts.add_user(
                store, root, name, agency="node", roles=frozenset({Role.VIEWER}), password=None
            )
        made = {
            name: authentication.create_token(store, root, user=name) for name in ("ivy", "eve")
        }
        digests = {name: bearer.digest(secret) for name, (_, secret) in made.items()}
        assert store.accounts.tokens_with_users([]) == {}
        found = store.accounts.tokens_with_users([*digests.values(), "0" * 64])
        assert set(found) == set(digests.values())
        for name, digest in digests.items():
            token, user = found[digest]
            assert (token.id, user.name, token.user) == (made[name][0].id, name, name)
    finally:
        store.close()
