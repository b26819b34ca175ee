"""Bearer tokens as a server checks them: from its cache, re-read in the background while in
use (a token revoked by another process dropped then), each use audited, and the same from a
coroutine."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest
from sqlalchemy import update

from interlink.adapters.sql.auth_schema import api_tokens
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


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 20
    while not condition():
        assert time.monotonic() < deadline, "the background re-read never came"
        time.sleep(0.01)


def test_a_token_in_use_is_read_again_in_the_background(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SqlStore.open(store_url)
    _, secret = _setup(store)
    digest = bearer.digest(secret)
    cache = TokenCache(ttl=2.0)
    single = 0
    original = store.accounts.token_by_hash

    def counting(found: str) -> object:
        nonlocal single
        single += 1
        return original(found)

    monkeypatch.setattr(store.accounts, "token_by_hash", counting)
    token_auth.token_principal(store, secret, cache=cache)
    first = cache.get(digest)
    assert first is not None and single == 1
    time.sleep(1.1)  # older than half the ttl: the next use starts a re-read
    token_auth.token_principal(store, secret, cache=cache)
    _wait_for(lambda: (e := cache.get(digest)) is not None and e.read_at > first.read_at)
    time.sleep(max(0.0, first.read_at + 2.05 - time.monotonic()))  # the first read's ttl is over
    assert cache.get(digest) is not None
    assert token_auth.token_principal(store, secret, cache=cache).name == "ivy"
    assert single == 1
    store.close()


def test_a_token_revoked_by_another_process_is_dropped_by_the_re_read(store_url: str) -> None:
    store = SqlStore.open(store_url)
    _, secret = _setup(store)
    digest = bearer.digest(secret)
    cache = TokenCache(ttl=0.6)
    token_auth.token_principal(store, secret, cache=cache)
    with store.engine.begin() as connection:  # as another server process would: no invalidate
        connection.execute(
            update(api_tokens)
            .where(api_tokens.c.token_hash == digest)
            .values(revoked_at=api_tokens.c.created_at)
        )
    time.sleep(0.35)
    token_auth.token_principal(store, secret, cache=cache)  # still trusted: within its ttl
    _wait_for(lambda: cache.get(digest) is None)
    with pytest.raises(AuthenticationError):
        token_auth.token_principal(store, secret, cache=cache)
    store.close()


def test_a_re_read_begun_before_the_cache_was_emptied_is_not_put_back(store_url: str) -> None:
    store = SqlStore.open(store_url)
    _, secret = _setup(store)
    digest = bearer.digest(secret)
    cache = TokenCache(ttl=0.4)
    token_auth.token_principal(store, secret, cache=cache)
    time.sleep(0.25)
    due = cache.refresh_due()
    assert due is not None and due[1] == [digest]
    assert cache.refresh_due() is None  # one re-read at a time
    found = store.accounts.tokens_with_users(due[1])
    cache.clear()  # a revocation in this process, meanwhile
    cache.refreshed(due[0], due[1], found, time.monotonic())
    assert cache.get(digest) is None
    store.close()


def test_from_a_coroutine_a_token_is_checked_and_its_use_audited(store_url: str) -> None:
    store = SqlStore.open(store_url)
    root, secret = _setup(store)
    cache = TokenCache()

    def uses() -> int:
        return sum(1 for r in store.audit.records() if r.action == "token.use")

    before = uses()
    principal = asyncio.run(token_auth.token_principal_async(store, secret, cache=cache))
    again = asyncio.run(token_auth.token_principal_async(store, secret, cache=cache))
    assert principal.name == again.name == "ivy" and uses() == before + 2
    assert principal.token_id is not None
    authentication.revoke_token(store, root, principal.token_id)
    with pytest.raises(AuthenticationError):
        asyncio.run(token_auth.token_principal_async(store, secret, cache=cache))
    with pytest.raises(AuthenticationError):
        asyncio.run(token_auth.token_principal_async(store, "not a token", cache=cache))
    store.close()
