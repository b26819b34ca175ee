"""A server's token cache: a token is read once per ``ttl`` (by the SHA-256 of its secret,
never the secret), every use is still audited, and a revocation or a disabled user in the
same process takes effect at once."""

from __future__ import annotations

import pytest

from interlink.adapters.sql.store import SqlStore
from interlink.auth import bearer
from interlink.auth.token_cache import TokenCache
from interlink.domain.errors import AuthenticationError
from interlink.domain.principal import Principal, Role
from interlink.services import accounts, authentication, token_auth
from interlink.services.cases import acting_agency


def _setup(store: SqlStore) -> tuple[Principal, str]:
    agency = acting_agency(store, "node", actor="operator")
    root = Principal.local(agency.id, agency.name, "operator")
    accounts.add_user(
        store, root, "ivy", agency="node", roles=frozenset({Role.INVESTIGATOR}), password=None
    )
    _, secret = authentication.create_token(store, root, user="ivy")
    return root, secret


def _uses(store: SqlStore) -> int:
    return sum(1 for r in store.audit.records() if r.action == "token.use")


def test_a_cached_token_is_not_read_again_but_every_use_is_audited(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SqlStore.open(store_url)
    _, secret = _setup(store)
    cache = TokenCache(ttl=3600)
    reads = 0
    original = store.accounts.token_by_hash

    def counting(digest: str) -> object:
        nonlocal reads
        reads += 1
        return original(digest)

    monkeypatch.setattr(store.accounts, "token_by_hash", counting)
    for _ in range(5):
        assert token_auth.token_principal(store, secret, cache=cache).name == "ivy"
    assert reads == 1
    assert _uses(store) == 5
    assert list(cache._entries) == [bearer.digest(secret)]
    assert secret not in repr(cache._entries)
    store.close()


def test_revocation_and_disabling_take_effect_at_once(store_url: str) -> None:
    store = SqlStore.open(store_url)
    root, secret = _setup(store)
    cache = TokenCache(ttl=3600)
    principal = token_auth.token_principal(store, secret, cache=cache)
    assert principal.token_id is not None
    authentication.revoke_token(store, root, principal.token_id)
    with pytest.raises(AuthenticationError):
        token_auth.token_principal(store, secret, cache=cache)
    _, second = authentication.create_token(store, root, user="ivy")
    token_auth.token_principal(store, second, cache=cache)
    accounts.disable_user(store, root, "ivy")
    with pytest.raises(AuthenticationError):
        token_auth.token_principal(store, second, cache=cache)
    store.close()


def test_an_entry_expires_after_its_ttl(store_url: str) -> None:
    store = SqlStore.open(store_url)
    _, secret = _setup(store)
    cache = TokenCache(ttl=0.0)
    token_auth.token_principal(store, secret, cache=cache)
    assert cache.get(bearer.digest(secret)) is None
    store.close()
