"""A server's tokens' last uses: written in the background in one transaction per round, never
waited for by the request, never lost because a request's event loop ended, retried after a
failed write."""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection

from interlink.adapters.sql.store import SqlStore
from interlink.auth.token_cache import TokenCache
from interlink.domain.principal import Principal, Role
from interlink.services import accounts, authentication, token_auth
from interlink.services.cases import acting_agency
from interlink.services.token_last_use import RETRIES, LastUseWriter


def _tokens(store: SqlStore, count: int) -> list[tuple[uuid.UUID, str]]:
    agency = acting_agency(store, "node", actor="operator")
    root = Principal.local(agency.id, agency.name, "operator")
    accounts.add_user(
        store, root, "ivy", agency="node", roles=frozenset({Role.INVESTIGATOR}), password=None
    )
    made = [authentication.create_token(store, root, user="ivy") for _ in range(count)]
    return [(token.id, secret) for token, secret in made]


def _last_use(store: SqlStore, token_id: uuid.UUID) -> datetime | None:
    found = store.accounts.token(token_id)
    assert found is not None
    return found.last_used_at


def test_uses_handed_over_are_written_in_one_transaction_newest_kept(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SqlStore.open(store_url)
    tokens = _tokens(store, 3)
    writer = LastUseWriter(store)
    gate = threading.Event()
    original = store.accounts.touch_tokens
    seen: list[int] = []

    def held(tx: Connection, uses: Mapping[uuid.UUID, datetime]) -> None:
        gate.wait(10)
        seen.append(len(uses))
        original(tx, uses)

    monkeypatch.setattr(store.accounts, "touch_tokens", held)
    first = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    writer.note(tokens[0][0], first)  # taken by the thread, held at the gate
    for _ in range(50):
        if writer._writing:
            break
        threading.Event().wait(0.01)
    for token_id, _ in tokens:  # while the first write is held: one write for all of these
        writer.note(token_id, first + timedelta(seconds=5))
    writer.note(tokens[1][0], first + timedelta(seconds=1))  # older than what it has: kept
    assert _last_use(store, tokens[0][0]) is None  # nothing waited for the write
    gate.set()
    assert writer.flush(10)
    assert seen == [1, 3]
    for token_id, _ in tokens:
        assert _last_use(store, token_id) == first + timedelta(seconds=5)
    writer.note(tokens[2][0], first)  # older than what is stored: the stored one stays
    writer.close()
    assert _last_use(store, tokens[2][0]) == first + timedelta(seconds=5)
    store.close()


def test_a_use_handed_over_from_a_coroutine_is_written_after_its_loop_ended(
    store_url: str,
) -> None:
    store = SqlStore.open(store_url)
    [(token_id, secret)] = _tokens(store, 1)
    writer = LastUseWriter(store)
    principal = asyncio.run(
        token_auth.token_principal_async(store, secret, cache=TokenCache(), last_uses=writer)
    )
    assert principal.token_id == token_id
    assert writer.flush(10)
    assert _last_use(store, token_id) is not None
    writer.close()
    writer.note(token_id, datetime.now(UTC) + timedelta(seconds=1))  # after close: starts again
    writer.close()
    assert writer.writes == 2
    store.close()


def test_a_failed_write_is_logged_and_tried_again(
    store_url: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SqlStore.open(store_url)
    [(token_id, _)] = _tokens(store, 1)
    writer = LastUseWriter(store)
    original = store.accounts.touch_tokens
    calls = 0

    def failing_once(tx: Connection, uses: Mapping[uuid.UUID, datetime]) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("database gone")
        original(tx, uses)

    monkeypatch.setattr(store.accounts, "touch_tokens", failing_once)
    caplog.set_level(logging.ERROR)
    at = datetime(2026, 1, 1, tzinfo=UTC)
    writer.note(token_id, at)
    assert writer.flush(10)
    assert calls == 2 and _last_use(store, token_id) == at
    assert "writing 1 tokens' last use failed" in caplog.text

    def always_failing(tx: Connection, uses: Mapping[uuid.UUID, datetime]) -> None:
        raise RuntimeError("database gone")

    monkeypatch.setattr(store.accounts, "touch_tokens", always_failing)
    writer.note(token_id, at + timedelta(days=1))
    assert writer.flush(10)  # given up after RETRIES writes, logged
    assert "gave up writing 1 tokens' last use" in caplog.text
    assert _last_use(store, token_id) == at
    assert RETRIES >= 2
    writer.close()
    store.close()
