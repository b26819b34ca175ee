"""An operation spanning two nodes: joined under one reference on both sides, the partner's
figures (counts only) pulled through the outbox and added on the dashboard; refusals by
policy or for want of a join, a partner that is down, and replays."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from interlink.adapters.sql.operation_partners import OperationPartnerRepository
from interlink.adapters.sql.outbox import DONE, FAILED, PENDING, OutboxRepository
from interlink.domain.cases import SuspectStatus, VictimStatus
from interlink.domain.errors import AccessDeniedError, FormatError, InvalidFieldError
from interlink.domain.principal import Principal
from interlink.services import federation_operations, operation_dashboard, victims
from interlink.services.cases import acting_agency, open_case
from interlink.services.federation_outbox import run_due
from interlink.services.operations import add_to_operation, create_operation
from interlink.services.peers import get_peer, peer_document
from tests.federation.nodes import Node, make_node, peer, transport

SHARE = """
format = "interlink-federation-policy/1"
[operations]
share_figures = true
"""
NOTHING = 'format = "interlink-federation-policy/1"\n'
REFERENCE = "EU-TANGO-2026"


def _operation(node: Node, country: str, name: str, case: str, safeguarded: int) -> Principal:
    """An operation on ``node`` with one case of its agency, ``safeguarded`` children
    safeguarded and one offender identified; the agency's principal."""
    agency = acting_agency(node.store, node.node.agency, country, actor="t")
    open_case(node.store, case, agency, actor="t")
    create_operation(node.store, name, agency, actor="t")
    add_to_operation(node.store, name, case, agency, actor="t")
    for n in range(safeguarded):
        victims.add_victim(node.store, f"{case}-kid-{n}", agency, case=case, actor="t")
        for status in (VictimStatus.IDENTIFIED, VictimStatus.SAFEGUARDED):
            victims.advance_victim(node.store, f"{case}-kid-{n}", status, agency, actor="t")
    victims.add_suspect(node.store, f"{case}-perp", agency, case=case, actor="t")
    victims.advance_suspect(node.store, f"{case}-perp", SuspectStatus.ARRESTED, agency, actor="t")
    return Principal.local(agency.id, agency.name, "investigator")


def _nodes(tmp_path: Path, b_for_a: str) -> tuple[Node, Node, Principal, Principal]:
    a = make_node(tmp_path / "a", f"sqlite:///{tmp_path / 'a.db'}", "node-a", "NCA")
    b = make_node(tmp_path / "b", f"sqlite:///{tmp_path / 'b.db'}", "node-b", "BKA")
    peer(a, b, "bka", NOTHING)
    peer(b, a, "nca", b_for_a)
    on_a = _operation(a, "GB", "TANGO-UK", "UK-1", 1)
    on_b = _operation(b, "DE", "TANGO-DE", "DE-1", 2)
    return a, b, on_a, on_b


@pytest.fixture
def sharing(tmp_path: Path) -> Iterator[tuple[Node, Node, Principal, Principal]]:
    """A and B, B's policy sharing operation figures with A."""
    found = _nodes(tmp_path, SHARE)
    yield found
    found[0].store.close()
    found[1].store.close()


@pytest.fixture
def withholding(tmp_path: Path) -> Iterator[tuple[Node, Node, Principal, Principal]]:
    """A and B, B's policy sharing nothing with A."""
    found = _nodes(tmp_path, NOTHING)
    yield found
    found[0].store.close()
    found[1].store.close()


def _actions(node: Node) -> list[str]:
    return [r.action for r in node.store.audit.records()]


def _run(a: Node, b: Node) -> list[str]:
    return [o.state for o in run_due(a.store, a.node, transport_for=lambda _: transport(b))]


def _join_both(a: Node, b: Node, on_a: Principal, on_b: Principal) -> None:
    federation_operations.link_partner(b.store, on_b, "TANGO-DE", "nca", REFERENCE)
    row = federation_operations.link_partner(a.store, on_a, "TANGO-UK", "bka", REFERENCE)
    assert row["new"] is True and row["figures"] is None and row["received_at"] is None


def test_joined_operations_add_the_partners_figures_to_the_dashboard(
    sharing: tuple[Node, Node, Principal, Principal],
) -> None:
    a, b, on_a, on_b = sharing
    _join_both(a, b, on_a, on_b)
    assert _run(a, b) == [DONE]
    board = operation_dashboard.dashboard(a.store, on_a, "TANGO-UK")
    assert board["figures"]["children_safeguarded"] == 1
    (partner,) = board["partners"]
    assert partner["peer"] == "bka" and partner["agency"] == "BKA"
    assert partner["reference"] == REFERENCE and partner["received_at"] is not None
    assert partner["figures"]["children_safeguarded"] == 2
    assert partner["figures"]["offenders_identified"] == 1
    assert [r["country"] for r in partner["countries"]] == ["DE"]
    total = board["total"]
    assert total["partners"] == 1
    assert total["figures"]["children_safeguarded"] == 3
    assert total["figures"]["offenders_identified"] == 2
    assert total["figures"]["cases"] == 2 and total["figures"]["countries"] == 2
    rows = {r["country"]: r for r in total["countries"]}
    assert rows["DE"]["children_safeguarded"] == 2 and rows["GB"]["children_safeguarded"] == 1
    # Counts only crossed: no case, person or operation name of B's.
    wire = b"".join(transport_bytes(a, b))
    for secret in (b"DE-1", b"TANGO-DE", b"-perp", b"-kid-"):
        assert secret not in wire
    assert {"operation.partner.link", "federation.operation.figures.received"} <= set(_actions(a))
    assert {"operation.partner.link", "federation.operation.figures.export"} <= set(_actions(b))
    (shown,) = peer_document(a.store, get_peer(a.store, "bka"))["operations"]
    assert shown["operation"] == "TANGO-UK" and shown["reference"] == REFERENCE
    assert shown["received_at"] is not None


def transport_bytes(a: Node, b: Node) -> list[bytes]:
    """What B answers A's figures request with, on a fresh loopback."""
    wire = transport(b)
    run_due(a.store, a.node, transport_for=lambda _: wire)
    federation_operations.queue_figure_pulls(a.store, get_peer(a.store, "bka"))
    run_due(a.store, a.node, transport_for=lambda _: wire)
    assert wire.received, "no figures were pulled"
    return wire.sent + wire.received


def test_pulling_again_replaces_the_figures_and_an_older_answer_never_wins(
    sharing: tuple[Node, Node, Principal, Principal],
) -> None:
    a, b, on_a, on_b = sharing
    _join_both(a, b, on_a, on_b)
    _run(a, b)
    first = operation_dashboard.dashboard(a.store, on_a, "TANGO-UK")["partners"][0]
    agency = acting_agency(b.store, "BKA", actor="t")
    victims.add_victim(b.store, "late-child", agency, case="DE-1", actor="t")
    for status in (VictimStatus.IDENTIFIED, VictimStatus.SAFEGUARDED):
        victims.advance_victim(b.store, "late-child", status, agency, actor="t")
    assert federation_operations.queue_figure_pulls(a.store, get_peer(a.store, "bka")) == 1
    assert _run(a, b) == [DONE]
    (again,) = operation_dashboard.dashboard(a.store, on_a, "TANGO-UK")["partners"]
    assert again["figures"]["children_safeguarded"] == 3
    assert again["generated_at"] >= first["generated_at"]
    repo = OperationPartnerRepository(a.store.engine)
    bka = get_peer(a.store, "bka")
    stale = {"figures": {"children_safeguarded": 0}, "countries": []}
    with a.store.transaction() as tx:
        kept = repo.store_figures(
            tx,
            bka.id,
            REFERENCE,
            stale,
            agency="BKA",
            generated_at=datetime.now(UTC) - timedelta(days=1),
            received_at=datetime.now(UTC),
        )
    assert kept is False
    held = repo.by_reference(bka.id, REFERENCE)
    assert held is not None and held.figures is not None
    assert held.figures["figures"]["children_safeguarded"] == 3


def test_a_policy_that_shares_no_figures_refuses_and_both_sides_audit(
    withholding: tuple[Node, Node, Principal, Principal],
) -> None:
    a, b, on_a, on_b = withholding
    _join_both(a, b, on_a, on_b)
    assert _run(a, b) == [FAILED]
    (partner,) = operation_dashboard.dashboard(a.store, on_a, "TANGO-UK")["partners"]
    assert partner["figures"] is None and partner["received_at"] is None
    refused = [r for r in b.store.audit.records() if r.action == "federation.operation.refused"]
    assert refused and "shares no operation figures" in json.dumps(refused[0].after)
    assert "federation.operation.figures.export" not in _actions(b)
    assert "federation.exchange.failed" in _actions(a)
    # Without the policy's leave the periodic pull does not ask again.
    from interlink.services.federation_outbox import sync

    sync(a.store, a.node, [get_peer(a.store, "bka")], transport_for=lambda _: transport(b))
    kinds = {e.kind: e.state for e in OutboxRepository(a.store.engine).all()}
    assert kinds["figures"] == FAILED


def test_no_figures_cross_unless_the_partner_joined_too(
    sharing: tuple[Node, Node, Principal, Principal],
) -> None:
    a, b, on_a, _ = sharing
    federation_operations.link_partner(a.store, on_a, "TANGO-UK", "bka", REFERENCE)
    assert _run(a, b) == [FAILED]
    refused = [r for r in b.store.audit.records() if r.action == "federation.operation.refused"]
    assert refused and "no operation here is joined" in json.dumps(refused[0].after)
    partner = operation_dashboard.dashboard(a.store, on_a, "TANGO-UK")["partners"][0]
    assert partner["figures"] is None


class _Down:
    def send(self, method: str, path: str, headers: dict[str, str], body: bytes) -> bytes:
        raise ConnectionRefusedError("partner down")


def test_a_partner_down_is_retried_and_never_blocks_the_dashboard(
    sharing: tuple[Node, Node, Principal, Principal],
) -> None:
    a, b, on_a, on_b = sharing
    _join_both(a, b, on_a, on_b)
    outcomes = run_due(a.store, a.node, transport_for=lambda _: _Down())
    assert [o.state for o in outcomes] == [PENDING] and outcomes[0].retry_in is not None
    board = operation_dashboard.dashboard(a.store, on_a, "TANGO-UK")
    assert board["partners"][0]["figures"] is None
    assert board["total"]["figures"] == board["figures"] and board["total"]["partners"] == 0
    assert "federation.exchange.retry" in _actions(a)


def test_only_an_agency_taking_part_joins_and_one_reference_names_one_operation(
    sharing: tuple[Node, Node, Principal, Principal],
) -> None:
    a, _, on_a, _ = sharing
    other = acting_agency(a.store, "Other", "FR", actor="t")
    outsider = Principal.local(other.id, other.name, "outsider")
    with pytest.raises(AccessDeniedError):
        federation_operations.link_partner(a.store, outsider, "TANGO-UK", "bka", REFERENCE)
    with pytest.raises(InvalidFieldError):
        federation_operations.link_partner(a.store, on_a, "TANGO-UK", "bka", " ")
    federation_operations.link_partner(a.store, on_a, "TANGO-UK", "bka", REFERENCE)
    again = federation_operations.link_partner(a.store, on_a, "TANGO-UK", "bka", REFERENCE)
    assert again["new"] is False
    agency = acting_agency(a.store, "NCA", actor="t")
    create_operation(a.store, "SECOND", agency, actor="t")
    with pytest.raises(InvalidFieldError):
        federation_operations.link_partner(a.store, on_a, "SECOND", "bka", REFERENCE)
    assert federation_operations.unlink_partner(a.store, on_a, "TANGO-UK", "bka") is True
    assert federation_operations.unlink_partner(a.store, on_a, "TANGO-UK", "bka") is False
    assert operation_dashboard.dashboard(a.store, on_a, "TANGO-UK")["partners"] == []
    assert "operation.partner.unlink" in _actions(a)


def test_a_partners_answer_keeps_counts_only_and_refuses_anything_else() -> None:
    answer = {
        "figures": {"children_safeguarded": 4, "victim_names": ["x"]},
        "countries": [{"country": "DE", "cases": 1, "case_names": ["DE-1"]}],
    }
    kept = federation_operations.clean_figures(answer)
    assert "victim_names" not in kept["figures"] and kept["figures"]["children_safeguarded"] == 4
    assert kept["countries"] == [
        {
            "country": "DE",
            "cases": 1,
            "networks_identified": 0,
            "offenders_identified": 0,
            "children_safeguarded": 0,
            "victims_identified": 0,
        }
    ]
    for bad in (
        {"figures": {"cases": -1}, "countries": []},
        {"figures": {"cases": "7"}, "countries": []},
        {"figures": {"cases": True}, "countries": []},
        {"figures": {}, "countries": [{"country": ""}]},
        {"figures": {}, "countries": "DE"},
    ):
        with pytest.raises(FormatError):
            federation_operations.clean_figures(bad)


def test_a_partner_that_stops_sharing_has_its_figures_forgotten(
    sharing: tuple[Node, Node, Principal, Principal],
) -> None:
    a, b, on_a, on_b = sharing
    _join_both(a, b, on_a, on_b)
    assert _run(a, b) == [DONE]
    assert operation_dashboard.dashboard(a.store, on_a, "TANGO-UK")["partners"][0]["figures"]
    assert federation_operations.unlink_partner(b.store, on_b, "TANGO-DE", "nca") is True
    federation_operations.queue_figure_pulls(a.store, get_peer(a.store, "bka"))
    assert _run(a, b) == [FAILED]
    (partner,) = operation_dashboard.dashboard(a.store, on_a, "TANGO-UK")["partners"]
    assert partner["figures"] is None and partner["received_at"] is None
    assert "federation.operation.figures.forgotten" in _actions(a)
    assert "operation.partner.unlink" in _actions(b)
