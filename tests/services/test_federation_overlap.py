"""Private overlap between nodes: what is learnt, what crosses the wire, what is refused."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from interlink.adapters.sql.holdings import Contact, SeizedItem
from interlink.domain.errors import PolicyRefusalError
from interlink.domain.lists import HashList, ListEntry
from interlink.domain.signals import Signal
from interlink.services.overlap_query import query_overlap
from interlink.services.peers import get_peer
from tests.federation.nodes import Node, make_node, peer, transport

POLICY = """
format = "interlink-federation-policy/1"
[overlap]
mode = "{mode}"
per_day = 2
lists = ["known"]
contact = true
near_duplicates = {near}
"""


def _hex(rng: random.Random, digits: int) -> str:
    return f"{rng.getrandbits(digits * 4):0{digits}x}"


def _item(rng: random.Random) -> SeizedItem:
    return SeizedItem(_hex(rng, 64), _hex(rng, 32), _hex(rng, 40), _hex(rng, 64))


def _flip(pdq: str, bits: list[int]) -> str:
    value = int(pdq, 16)
    for bit in bits:
        value ^= 1 << bit
    return f"{value:064x}"


def _entry(item: SeizedItem, *, pdq_only: bool = False) -> ListEntry:
    signals = [Signal("pdq", str(item.pdq), 100)]
    if not pdq_only:
        signals += [
            Signal("sha256", item.sha256),
            Signal("md5", item.md5),
            Signal("sha1", item.sha1),
        ]
    return ListEntry(signals=tuple(signals), extra=(("agency", "BKA Unit 7"),))


World = tuple[Node, Node, list[SeizedItem], list[ListEntry]]


@pytest.fixture
def both(store_url: str, tmp_path: Path) -> Iterator[World]:
    """The partner on each backend in turn."""
    yield from _world(store_url, tmp_path)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """Both nodes on SQLite files."""
    yield from _world(f"sqlite:///{tmp_path / 'b.db'}", tmp_path)


def _world(url: str, tmp_path: Path) -> Iterator[World]:
    rng = random.Random(15)
    a = make_node(tmp_path / "a", f"sqlite:///{tmp_path / 'a.db'}", "node-a", "NCA")
    b = make_node(tmp_path / "b", url, "node-b", "BKA")
    seizure = [_item(rng) for _ in range(200)]
    held = [_entry(item) for item in seizure[:9]]
    # Three near-duplicates: B holds other files whose PDQ is a few bits off ours.
    held += [
        _entry(
            SeizedItem(
                _hex(rng, 64), _hex(rng, 32), _hex(rng, 40), _flip(str(i.pdq), [3, 77, 200])
            ),
            pdq_only=True,
        )
        for i in seizure[9:12]
    ]
    others = [_entry(_item(rng)) for _ in range(300)]
    with b.store.transaction() as tx:
        list_id = b.store.lists.create(
            tx, HashList("known", "t", "v1", datetime.now(UTC)), fmt="csv", pdq_threshold=31
        )
        b.store.lists.add_entries(tx, list_id, held + others)
    yield a, b, seizure, others
    a.store.close()
    b.store.close()


def _wire(t: object) -> bytes:
    return b"".join(t.sent) + b"".join(t.received)  # type: ignore[attr-defined]


def _absent(wire: bytes, values: list[str]) -> None:
    lowered = wire.lower()
    for value in values:
        assert value.encode() not in lowered, value
        assert bytes.fromhex(value) not in wire, value


@pytest.mark.slow
def test_intersection_finds_exact_and_near_matches_and_leaks_nothing_else(both: World) -> None:
    a, b, seizure, others = both
    peer(b, a, "a", POLICY.format(mode="intersection", near="true"))
    peer(a, b, "b")
    wire = transport(b)
    result = query_overlap(
        a.store, a.node, get_peer(a.store, "b"), wire, seizure, actor="t", case="OP-1"
    )
    assert result.shared == 12
    assert {m.sha256 for m in result.matches} == {i.sha256 for i in seizure[:12]}
    near = [m for m in result.matches if m.via == "pdq"]
    assert len(near) == 3 and all(m.distance == 3 for m in near)
    assert all(m.contacts == (Contact("BKA Unit 7", "known", "list"),) for m in result.matches)
    traffic = _wire(wire)
    for item in seizure[12:]:
        _absent(traffic, [item.sha256, item.md5, item.sha1, str(item.pdq)])
    for entry in others:
        _absent(traffic, [s.value for s in entry.signals])
    assert any(r.action == "federation.overlap.query" for r in a.store.audit.records())
    actions = [r.action for r in b.store.audit.records()]
    assert {
        "federation.overlap.open",
        "federation.overlap.answer",
        "federation.overlap.reveal",
    } <= set(actions)
    assert a.store.audit.verify().ok and b.store.audit.verify().ok


def test_size_mode_counts_only_and_the_quota_holds(world: World) -> None:
    a, b, seizure, _ = world
    peer(b, a, "a", POLICY.format(mode="size", near="false"))
    peer(a, b, "b")
    partner = get_peer(a.store, "b")
    wire = transport(b)
    result = query_overlap(a.store, a.node, partner, wire, seizure, actor="t")
    assert (result.mode, result.shared, result.matches) == ("size", 9, ())
    assert result.by_kind == {"md5": 9, "sha1": 9, "sha256": 9}
    for item in seizure[:9]:
        _absent(_wire(wire), [item.sha256, item.md5, item.sha1])
    query_overlap(a.store, a.node, partner, transport(b), seizure, actor="t")
    with pytest.raises(PolicyRefusalError, match="a day are spent"):
        query_overlap(a.store, a.node, partner, transport(b), seizure, actor="t")


def test_a_peer_without_overlap_rights_is_refused_and_audited(world: World) -> None:
    a, b, seizure, _ = world
    peer(b, a, "a")
    peer(a, b, "b")
    wire = transport(b)
    with pytest.raises(PolicyRefusalError, match="allows no overlap"):
        query_overlap(a.store, a.node, get_peer(a.store, "b"), wire, seizure, actor="t")
    assert [r.action for r in b.store.audit.records()][-1] == "federation.overlap.refused"
    assert [r.action for r in a.store.audit.records()][-1] == "federation.overlap.refused"
    assert wire.received == []
    for item in seizure:
        _absent(b"".join(wire.sent), [item.sha256, item.md5, item.sha1, str(item.pdq)])


@pytest.mark.slow
def test_case_media_name_the_agency_and_case_to_contact(tmp_path: Path) -> None:
    from interlink.demo.images import encode, scene
    from interlink.services.cases import acting_agency
    from interlink.services.scan import ScanOptions, scan_exhibit

    a = make_node(tmp_path / "a", f"sqlite:///{tmp_path / 'a.db'}", "node-a", "NCA")
    b = make_node(tmp_path / "b", f"sqlite:///{tmp_path / 'b.db'}", "node-b", "BKA")
    shared, near, mine = scene(1), scene(2), scene(3)
    files = {
        "a": {
            "shared.jpg": encode(shared),
            "near.jpg": encode(near, quality=95),
            "mine.jpg": encode(mine),
        },
        "b": {
            "shared.jpg": encode(shared),
            "near.jpg": encode(near.resize((600, 450)), quality=70),
        },
    }
    for name, node, agency, case in (("a", a, "NCA", "OP-1"), ("b", b, "BKA", "DE-2026-17")):
        root = tmp_path / f"exhibit-{name}"
        root.mkdir()
        for file_name, data in files[name].items():
            (root / file_name).write_bytes(data)
        owner = acting_agency(node.store, agency, "DE" if name == "b" else "GB", actor="t")
        scan_exhibit(node.store, root, case=case, options=ScanOptions(workers=0), agency=owner)
    policy = POLICY.format(mode="intersection", near="true").replace(
        'lists = ["known"]', "cases = true"
    )
    peer(b, a, "a", policy)
    peer(a, b, "b")
    seizure = a.store.holdings.seizure("OP-1")
    assert len(seizure) == 3
    result = query_overlap(
        a.store, a.node, get_peer(a.store, "b"), transport(b), seizure, actor="t", case="OP-1"
    )
    assert result.shared == 2
    assert sorted(m.via == "pdq" for m in result.matches) == [False, True]  # exact, near
    for match in result.matches:
        assert match.contacts == (Contact("BKA", "DE-2026-17", "case"),)
    a.store.close()
    b.store.close()


def test_a_band_design_too_coarse_to_keep_pdqs_private_is_ignored(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from interlink.federation.bands import BandDesign
    from interlink.services import federation_overlap

    a, b, seizure, _ = world
    monkeypatch.setattr(federation_overlap, "design", lambda _n: BandDesign(8, 32))
    federation_overlap._CACHE.clear()
    peer(b, a, "a", POLICY.format(mode="intersection", near="true"))
    peer(a, b, "b")
    wire = transport(b)
    result = query_overlap(a.store, a.node, get_peer(a.store, "b"), wire, seizure, actor="t")
    federation_overlap._CACHE.clear()
    assert result.shared == 9 and result.candidates == 0
    assert "pdq" not in result.by_kind
    for item in seizure:
        assert str(item.pdq).encode() not in b"".join(wire.sent)


def test_a_session_answers_one_query_only(world: World) -> None:
    from interlink.federation.frames import encode_frame
    from interlink.federation.psi import ClientQuery
    from interlink.federation.signing import verify_document
    from interlink.federation.transport import OVERLAP_OPEN_PATH, OVERLAP_QUERY_PATH
    from interlink.services.federation_node import PeerClient

    a, b, seizure, _ = world
    peer(b, a, "a", POLICY.format(mode="intersection", near="false"))
    peer(a, b, "b")
    client = PeerClient(a.node, get_peer(a.store, "b"), transport(b))
    offer = verify_document(client.call_json(OVERLAP_OPEN_PATH, {"items": 1}), b.node.fingerprint)
    request = ClientQuery.of([f"md5:{seizure[0].md5}"], reveal=True).request
    frame = encode_frame(
        a.node.identity, {"session": offer["session"], "sizes": {"md5": 1}}, {"md5": request}
    )
    client.call("POST", OVERLAP_QUERY_PATH, frame)
    with pytest.raises(PolicyRefusalError, match="one query per session"):
        client.call("POST", OVERLAP_QUERY_PATH, frame)
