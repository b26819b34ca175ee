"""Three real nodes (``interlink serve`` on loopback, each on its own PostgreSQL database):
mutual peering over HTTP, list sync with changes and tombstones, a private overlap query
(A learns that B holds 12 of its 200 seizure files and whom to contact; C, peered without
overlap rights, tells A nothing and audits its refusal), a deconfliction hit across nodes
(a watch on A, a scan on B: B's case owner sees the hit, A's owner is told as the policy and
the watch's disclosure allow), an operation spanning nodes (A and B join theirs: B's figures
show on A's dashboard through the API; C, whose policy from A shares no operation figures,
gets nothing and A audits the refusal), and a partner killed in the middle of a sync, restarted, and
converged.

One test tells the whole story, in order, so the three servers start once (pytest-xdist
would otherwise start them on each worker)."""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from interlink.adapters.sql.operation_partners import OperationPartnerRepository
from interlink.adapters.sql.outbox import OutboxRepository
from interlink.adapters.sql.remote_watches import RemoteWatchRepository
from interlink.adapters.sql.store import SqlStore
from interlink.demo.images import encode, scene
from interlink.domain.cases import VictimStatus
from interlink.domain.categories import Category
from interlink.domain.lists import HashList, ListEntry
from interlink.domain.principal import Principal, Role
from interlink.domain.signals import Signal
from interlink.federation.http import HttpTransport
from interlink.linking.deconfliction import Disclosure, TriggerKind
from interlink.services import accounts, authentication, federation_operations, victims
from interlink.services.cases import acting_agency
from interlink.services.federation_outbox import sync
from interlink.services.federation_watches import reported_hits
from interlink.services.operations import add_to_operation, create_operation
from interlink.services.peers import add_peer, confirm_peering, get_peer, peer_document
from interlink.services.scan import ScanOptions, scan_exhibit
from interlink.services.watches import TriggerSpec, add_watch, hit_views
from tests.federation.cluster import Cluster, ServedNode

A_FOR_B = """
format = "interlink-federation-policy/1"
[deconfliction]
send_watches = true
[operations]
share_figures = true
"""
B_FOR_A = """
format = "interlink-federation-policy/1"
[deconfliction]
report_hits = true

[[lists]]
name = "bka-known"
disclosure = "category"

[[lists]]
name = "bka-bulk"
disclosure = "hashes"

[overlap]
mode = "intersection"
per_day = 5
lists = ["bka-known"]
contact = true

[operations]
share_figures = true
"""
NOTHING = 'format = "interlink-federation-policy/1"\n'
SEIZURE = 200
HELD = 12
BULK = 2000


def _until(what: str, check: Callable[[], bool], within: float = 45.0) -> None:
    started = time.monotonic()
    while not check():
        assert time.monotonic() < started + within, f"timed out waiting for {what}"
        time.sleep(0.1)
    print(f"{what}: {time.monotonic() - started:.1f} s")


def _random_entry(rng: random.Random, n: int) -> ListEntry:
    return ListEntry(
        signals=(
            Signal("sha256", f"{rng.getrandbits(256):064x}"),
            Signal("md5", f"{rng.getrandbits(128):032x}"),
        ),
        category=Category("projectvic-us", "1"),
        external_id=f"BKA-{n}",
    )


def _create_list(store: SqlStore, name: str, entries: list[ListEntry]) -> int:
    with store.transaction() as tx:
        list_id = store.lists.create(
            tx, HashList(name, "BKA", "v1", datetime.now(UTC)), fmt="csv", pdq_threshold=31
        )
        if entries:
            store.lists.add_entries(tx, list_id, entries)
    return list_id


def _mirror(store: SqlStore, name: str) -> dict[str, ListEntry]:
    """A pulled list by its opaque keys."""
    found = store.lists.get(name)
    return {entry.external_id or "": entry for _, entry in store.lists.entries(found.id)}


def _count(store: SqlStore, name: str) -> int:
    try:
        return len(_mirror(store, name))
    except Exception:  # not pulled yet
        return -1


def _actions(node: ServedNode) -> list[str]:
    return [r.action for r in node.store.audit.records()]


def _cli_json(node: ServedNode, *args: str) -> object:
    done = node.cli(*args, "--json")
    assert done.returncode == 0, done.stderr + node.log()
    return json.loads(done.stdout)


@pytest.fixture
def cluster(postgres_base: str, tmp_path: Path) -> Iterator[Cluster]:
    built = Cluster(postgres_base, tmp_path)
    try:
        yield built
    finally:
        built.close()


def _seize(node: ServedNode, root: Path) -> None:
    root.mkdir()
    for n in range(SEIZURE):
        (root / f"img-{n:03d}.png").write_bytes(encode(scene(n, (48, 36)), "PNG"))
    owner = acting_agency(node.store, node.agency, "GB", actor="t")
    scan_exhibit(node.store, root, case="OP-1", options=ScanOptions(workers=0), agency=owner)


def _investigator(node: ServedNode, agency: str, country: str) -> Principal:
    record = acting_agency(node.store, agency, country, actor="t")
    return Principal.local(record.id, record.name, f"{node.name}-investigator")


def _operation_across_nodes(a: ServedNode, b: ServedNode, c: ServedNode) -> None:
    """A and B join their operations under one reference; B's figures reach A's dashboard
    (the API, as a user of A reads it). C joins one too, but A's policy for C shares no
    operation figures: C gets nothing and both sides audit the refusal."""
    on_b = _investigator(b, "BKA", "DE")
    bka = acting_agency(b.store, "BKA", "DE", actor="t")
    create_operation(b.store, "TANGO-DE", bka, actor="t")
    add_to_operation(b.store, "TANGO-DE", "DE-2026-17", bka, actor="t")
    victims.add_victim(b.store, "kid-1", bka, case="DE-2026-17", actor="t")
    for status in (VictimStatus.IDENTIFIED, VictimStatus.SAFEGUARDED):
        victims.advance_victim(b.store, "kid-1", status, bka, actor="t")
    federation_operations.link_partner(b.store, on_b, "TANGO-DE", "nca", "EU-TANGO")
    on_a = _investigator(a, "NCA", "GB")
    nca = acting_agency(a.store, "NCA", actor="t")
    create_operation(a.store, "TANGO-UK", nca, actor="t")
    add_to_operation(a.store, "TANGO-UK", "OP-1", nca, actor="t")
    federation_operations.link_partner(a.store, on_a, "TANGO-UK", "bka", "EU-TANGO")
    on_c = _investigator(c, "Politie", "NL")
    create_operation(c.store, "TANGO-NL", acting_agency(c.store, "Politie", actor="t"), actor="t")
    federation_operations.link_partner(c.store, on_c, "TANGO-NL", "nca", "EU-TANGO")
    bka_on_a = get_peer(a.store, "bka").id
    partners = OperationPartnerRepository(a.store.engine)
    _until(
        "B's figures on A",
        lambda: bool((found := partners.by_reference(bka_on_a, "EU-TANGO")) and found.figures),
    )
    accounts.add_user(
        a.store, on_a, "ivy", agency="NCA", roles=frozenset({Role.INVESTIGATOR}), password=None
    )
    _, secret = authentication.create_token(a.store, on_a, user="ivy")
    board = httpx.get(
        f"{a.url}/api/v1/operations/TANGO-UK/dashboard",
        headers={"Authorization": f"Bearer {secret}"},
        timeout=30,
    )
    assert board.status_code == 200, board.text
    body = board.json()
    (partner,) = body["partners"]
    assert partner["agency"] == "BKA" and partner["reference"] == "EU-TANGO"
    assert partner["received_at"] and partner["figures"]["children_safeguarded"] == 1
    assert body["total"]["figures"]["children_safeguarded"] == (
        body["figures"]["children_safeguarded"] + 1
    )
    assert body["total"]["figures"]["cases"] == 2 and body["total"]["partners"] == 1
    assert "federation.operation.figures.export" in _actions(b)
    assert "federation.operation.figures.received" in _actions(a)

    def refused_c() -> bool:
        return any(
            r.action == "federation.operation.refused" and r.object_id == "politie"
            for r in a.store.audit.records()
        )

    _until("A's refusal of C", refused_c)
    _until("C's failed pull", lambda: "federation.exchange.failed" in _actions(c))
    (nothing,) = OperationPartnerRepository(c.store.engine).partners()
    assert nothing.figures is None and nothing.received_at is None


@pytest.mark.slow
def test_three_nodes_peer_sync_query_and_converge(cluster: Cluster, tmp_path: Path) -> None:
    a = cluster.add("a", "NCA", INTERLINK_FEDERATION_BATCH="50")
    b = cluster.add("b", "BKA")
    c = cluster.add("c", "Politie")
    rng = random.Random(15)
    clock = time.monotonic()
    _seize(a, tmp_path / "seizure")
    print(f"seizure scanned: {time.monotonic() - clock:.1f} s")
    seizure = a.store.holdings.seizure("OP-1")
    assert len(seizure) == SEIZURE
    held = [
        ListEntry(
            signals=(Signal("sha256", item.sha256), Signal("md5", item.md5)),
            category=Category("projectvic-us", "1"),
            external_id=f"BKA-held-{n}",
            extra=(("agency", "BKA SO12"),),
        )
        for n, item in enumerate(seizure[:HELD])
    ]
    known = _create_list(b.store, "bka-known", held + [_random_entry(rng, n) for n in range(300)])
    for node in (a, b, c):
        node.start()
    for node in (a, b, c):
        node.wait_ready()
    print(f"servers ready: {time.monotonic() - clock:.1f} s")

    # -- Peering: A pins B first (not mutual yet), then B pins A: mutual, both sides know.
    (tmp_path / "a-for-b.toml").write_text(A_FOR_B)
    (tmp_path / "b-for-a.toml").write_text(B_FOR_A)
    first = _cli_json(
        a,
        "peers",
        "add",
        b.url,
        "--fingerprint",
        b.node.fingerprint,
        "--policy",
        str(tmp_path / "a-for-b.toml"),
        "--name",
        "bka",
    )
    assert isinstance(first, dict) and first["mutual"] is False
    second = _cli_json(
        b,
        "peers",
        "add",
        a.url,
        "--fingerprint",
        a.node.fingerprint,
        "--policy",
        str(tmp_path / "b-for-a.toml"),
        "--name",
        "nca",
    )
    assert isinstance(second, dict) and second["mutual"] is True and second["agency"] == "NCA"
    _until("A to learn B", lambda: get_peer(a.store, "bka").agency == "BKA")
    shown = peer_document(a.store, get_peer(a.store, "bka"))
    assert shown["key_seen"] is True and shown["agency"] == "BKA"
    # A's hello, refused while B had not pinned A, is retried from A's outbox until it passes.
    _until("A's queued hello", lambda: "peer.confirmed" in _actions(a))
    assert "federation.exchange.retry" in _actions(a) and "peer.confirmed" in _actions(b)
    assert "federation.hello" in _actions(a) and "federation.hello" in _actions(b)
    # A and C peer with policies that let nothing flow.
    add_peer(a.store, c.url, c.node.fingerprint, NOTHING, name="politie", actor="t")
    add_peer(c.store, a.url, a.node.fingerprint, NOTHING, name="nca", actor="t")
    with HttpTransport(c.url) as wire:
        assert confirm_peering(a.store, a.node, get_peer(a.store, "politie"), wire, actor="t")

    # -- List sync: A pulls B's shared list; then B changes, withdraws and adds entries.
    print(f"peered: {time.monotonic() - clock:.1f} s")
    synced = sync(a.store, a.node, [get_peer(a.store, "bka")])
    assert [o.peer for o in synced] == ["bka"]  # done here, or by A's worker right now
    _until("the first pull", lambda: _count(a.store, "bka/bka-known") == HELD + 300)
    mirror = _mirror(a.store, "bka/bka-known")
    assert not any("BKA-" in key for key in mirror)  # the origin's ids never cross
    with b.store.transaction() as tx:
        generation = b.store.lists.begin_import(tx, known)
        changed = ListEntry(
            signals=held[0].signals,
            category=Category("projectvic-us", "2"),
            external_id="BKA-held-0",
        )
        added = [_random_entry(rng, 1000 + n) for n in range(3)]
        b.store.lists.sync(tx, known, generation, [changed, *added], agency="BKA")
        b.store.lists.withdraw(tx, known, ["id:BKA-1", "id:BKA-2"])
    _until("the changes", lambda: _count(a.store, "bka/bka-known") == HELD + 300 + 3 - 2)
    mirror = _mirror(a.store, "bka/bka-known")
    codes = [e.category.code for e in mirror.values() if e.category]
    assert codes.count("2") == 1
    assert "federation.batch.export" in _actions(b)
    assert "federation.batch.apply" in _actions(a) and "federation.pull" in _actions(a)

    # -- Overlap: B holds 12 of A's 200 files and names whom to contact; C refuses.
    print(f"synced: {time.monotonic() - clock:.1f} s")
    answers = _cli_json(a, "peers", "overlap", "OP-1")
    assert isinstance(answers, list)
    by_peer = {answer["peer"]: answer for answer in answers}
    assert by_peer["bka"]["shared"] == HELD and by_peer["bka"]["items"] == SEIZURE
    assert {m["sha256"] for m in by_peer["bka"]["matches"]} == {i.sha256 for i in seizure[:HELD]}
    contacts = {
        (c["agency"], c["reference"]) for m in by_peer["bka"]["matches"] for c in m["contacts"]
    }
    assert contacts and all(reference == "bka-known" for _, reference in contacts)
    assert "refused" in by_peer["politie"] and "shared" not in by_peer["politie"]
    assert "federation.overlap.refused" in _actions(c)
    assert "federation.overlap.refused" in _actions(a)
    assert {"federation.overlap.open", "federation.overlap.answer"} <= set(_actions(b))

    print(f"overlap: {time.monotonic() - clock:.1f} s")

    # -- Deconfliction across nodes: a watch on A, a scan on B; both owners are told.
    target = seizure[HELD + 5]
    nca = acting_agency(a.store, "NCA", "GB", actor="t")
    add_watch(
        a.store,
        nca,
        [TriggerSpec(TriggerKind.SHA256, target.sha256)],
        title="OP-1 series",
        message="call the NCA CEOP desk",
        disclosure=Disclosure.CASE,
        case=a.store.cases.get("OP-1"),
        actor="t",
    )
    _until("B to pull A's watch", lambda: bool(RemoteWatchRepository(b.store.engine).mapped()))
    exhibit = tmp_path / "de-exhibit"
    exhibit.mkdir()
    for path in (tmp_path / "seizure").iterdir():
        if hashlib.sha256(path.read_bytes()).hexdigest() == target.sha256:
            (exhibit / "found.png").write_bytes(path.read_bytes())
    bka = acting_agency(b.store, "BKA", "DE", actor="t")
    scan_exhibit(b.store, exhibit, case="DE-2026-17", options=ScanOptions(workers=0), agency=bka)
    hitter = [v for v in hit_views(b.store, bka) if v["side"] == "hitter"]
    assert [v["title"] for v in hitter] == ["OP-1 series"]  # B's case owner sees the hit
    assert hitter[0]["message"] == "call the NCA CEOP desk"
    _until("A to hear of the hit", lambda: bool(reported_hits(a.store)), 30)
    (report,) = reported_hits(a.store)
    assert report["peer"] == "bka" and report["agency"]["name"] == "BKA"
    assert report["case"] == "DE-2026-17" and report["items"] == 1
    assert {"federation.watches.export", "federation.hit.received"} <= set(_actions(a))
    assert "federation.watches.pull" in _actions(b)
    assert not RemoteWatchRepository(c.store.engine).mapped()  # A sends C no watches
    print(f"deconfliction: {time.monotonic() - clock:.1f} s")
    _operation_across_nodes(a, b, c)
    print(f"operation: {time.monotonic() - clock:.1f} s")

    # -- A partner killed in the middle of a sync, restarted: the nodes converge.
    bulk = _create_list(b.store, "bka-bulk", [_random_entry(rng, 5000 + n) for n in range(BULK)])
    _until("the bulk pull to start", lambda: 0 < _count(a.store, "bka/bka-bulk"), 60)
    b.kill()
    at_kill = _count(a.store, "bka/bka-bulk")
    assert 0 < at_kill < BULK, "the pull finished before the partner was killed"
    started = time.monotonic()
    assert httpx.get(f"{a.url}/readyz", timeout=10).status_code == 200  # pages never wait
    assert time.monotonic() - started < 5
    outbox = OutboxRepository(a.store.engine)
    _until(
        "a retry to be queued",
        lambda: any(
            e.kind == "pull" and e.attempts >= 1 and e.last_error
            for e in outbox.all(get_peer(a.store, "bka").id)
        ),
    )
    assert "federation.exchange.retry" in _actions(a)
    b.start()
    b.wait_ready()
    _until("convergence", lambda: _count(a.store, "bka/bka-bulk") == BULK, 90)
    with b.store.transaction() as tx:
        head = b.store.feed.head(tx, bulk)
    with a.store.engine.connect() as connection:
        cursor = a.store.peers.cursor(connection, get_peer(a.store, "bka").id, "bka-bulk")
    assert cursor is not None and cursor.cursor == head
    assert len(_mirror(a.store, "bka/bka-known")) == HELD + 300 + 3 - 2
    for node in (a, b, c):
        node.kill()  # no more appends while the chains are checked
        assert node.store.audit.verify().ok, node.name
