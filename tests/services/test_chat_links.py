"""URLs and group invite links met in chats link cases and hit watches, across agencies."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from interlink.adapters.sql.store import SqlStore
from interlink.domain.cases import Agency
from interlink.linking.deconfliction import TriggerKind
from interlink.services import cases, watches
from interlink.services.chats import import_chats
from interlink.services.scan import ScanOptions
from tests.chats.exports import telegram_chat, telegram_message, write_json

INLINE = ScanOptions(workers=0)


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    opened = SqlStore.open(store_url)
    yield opened
    opened.close()


def _agency(store: SqlStore, name: str, country: str) -> Agency:
    return cases.acting_agency(store, name, country, f"{name.lower()}@example.test", actor=name)


def _chat(folder: Path, *texts: str, ident: int = 4242) -> Path:
    messages = [
        telegram_message(n, "Sam", "user1001", text) for n, text in enumerate(texts, start=1)
    ]
    return write_json(folder / "result.json", telegram_chat(messages, ident=ident))


def test_a_url_in_chats_links_the_cases_of_two_agencies(store: SqlStore, tmp_path: Path) -> None:
    first, second = _agency(store, "Unit", "GB"), _agency(store, "Other", "FR")
    import_chats(
        store,
        _chat(tmp_path / "a", "the album is at https://Files.Example.org/a/B7x?k=1"),
        case="A-1",
        agency=first,
        scan=INLINE,
    )
    linked = import_chats(
        store,
        _chat(tmp_path / "b", "see files.example.org/a/B7x?k=1 tonight", ident=77),
        case="B-1",
        agency=second,
        scan=INLINE,
    )
    keys = {e.key for e in linked.links.evidence}
    assert "url:files.example.org/a/B7x?k=1" in keys
    # The path is case-sensitive: another page of the same site is no link.
    other = import_chats(
        store,
        _chat(tmp_path / "c", "see files.example.org/a/b7x?k=1", ident=78),
        case="C-1",
        agency=second,
        scan=INLINE,
    )
    assert not any(e.key.startswith("url:") for e in other.links.evidence)


def test_an_invite_link_is_linked_once_as_the_invite(store: SqlStore, tmp_path: Path) -> None:
    first, second = _agency(store, "Unit", "GB"), _agency(store, "Other", "FR")
    import_chats(
        store,
        _chat(tmp_path / "a", "join https://t.me/+AbCdEfGh1234"),
        case="A-1",
        agency=first,
        scan=INLINE,
    )
    linked = import_chats(
        store,
        _chat(tmp_path / "b", "t.me/joinchat/AbCdEfGh1234 is the group", ident=77),
        case="B-1",
        agency=second,
        scan=INLINE,
    )
    keys = {e.key for e in linked.links.evidence if not e.key.startswith("account:")}
    assert keys == {"invite:telegram:AbCdEfGh1234"}


@pytest.mark.parametrize(
    ("kind", "watched", "written"),
    [
        (TriggerKind.INVITE, "https://t.me/+AbCdEfGh1234", "come to t.me/joinchat/AbCdEfGh1234"),
        (TriggerKind.INVITE, "whatsapp:InviteCode123", "https://chat.whatsapp.com/InviteCode123"),
        (TriggerKind.URL, "HTTPS://Files.Example.org/a/B7x", "files at files.example.org/a/B7x"),
    ],
)
def test_a_watch_on_an_invite_or_url_hits_when_another_agency_imports_it(
    store: SqlStore, tmp_path: Path, kind: TriggerKind, watched: str, written: str
) -> None:
    owner, importer = _agency(store, "Owner", "FR"), _agency(store, "Importer", "GB")
    placed = watches.add_watch(
        store, owner, [watches.TriggerSpec(kind, watched)], title="the group"
    )
    assert not placed.hits
    import_chats(
        store,
        _chat(tmp_path / "a", "hello there", written),
        case="SEIZED-1",
        agency=importer,
        scan=INLINE,
    )
    [hit] = store.watches.hits(owner=owner.id)
    assert hit.alert_id == placed.alert.id
    assert hit.agency_id == importer.id
    assert hit.case_id == cases.own_case(store, "SEIZED-1", importer).id
    [view] = [v for v in watches.hit_views(store, owner) if v["side"] == "owner"]
    assert view["agency"]["name"] == "Importer"


def test_a_watch_placed_after_the_import_hits_what_is_held(store: SqlStore, tmp_path: Path) -> None:
    owner, importer = _agency(store, "Owner", "FR"), _agency(store, "Importer", "GB")
    import_chats(
        store,
        _chat(tmp_path / "a", "the list is on https://paste.example.net/r/Zq81"),
        case="SEIZED-1",
        agency=importer,
        scan=INLINE,
    )
    placed = watches.add_watch(
        store,
        owner,
        [watches.TriggerSpec(TriggerKind.URL, "paste.example.net/r/Zq81")],
        title="the paste",
    )
    [hit] = placed.hits
    assert hit.agency_id == importer.id


def test_a_watch_on_another_url_does_not_hit(store: SqlStore, tmp_path: Path) -> None:
    owner, importer = _agency(store, "Owner", "FR"), _agency(store, "Importer", "GB")
    watches.add_watch(
        store,
        owner,
        [watches.TriggerSpec(TriggerKind.URL, "https://paste.example.net/r/Zq82")],
        title="another paste",
    )
    import_chats(
        store,
        _chat(tmp_path / "a", "the list is on https://paste.example.net/r/Zq81"),
        case="SEIZED-1",
        agency=importer,
        scan=INLINE,
    )
    assert not store.watches.hits(owner=owner.id)


def test_links_made_a_page_at_a_time_are_those_made_at_once(
    store: SqlStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = _agency(store, "Unit", "GB"), _agency(store, "Other", "FR")
    texts = [f"mail me at user{n}@example.org or see https://example.org/p/{n}" for n in range(5)]
    import_chats(store, _chat(tmp_path / "a", *texts), case="A-1", agency=first, scan=INLINE)
    whole = import_chats(
        store, _chat(tmp_path / "b", *texts, ident=77), case="B-1", agency=second, scan=INLINE
    )
    monkeypatch.setattr("interlink.services.chat_links.LINK_PAGE", 3)
    paged = import_chats(
        store, _chat(tmp_path / "c", *texts, ident=78), case="C-1", agency=second, scan=INLINE
    )
    a1 = cases.own_case(store, "A-1", first).id
    keys = sorted(e.key for e in whole.links.evidence if a1 in (e.case_a, e.case_b))
    assert len(keys) == 10 + 1  # five e-mails, five URLs, the sender's account
    assert sorted(e.key for e in paged.links.evidence if a1 in (e.case_a, e.case_b)) == keys
    again = import_chats(
        store, _chat(tmp_path / "c", *texts, ident=78), case="C-1", agency=second, scan=INLINE
    )
    assert again.counts() == paged.counts() and not again.links.evidence
