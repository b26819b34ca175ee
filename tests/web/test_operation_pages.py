"""The operation dashboard page with a partner node joined: this node's figures, the
partner's (naming its agency and when they arrived, or that none came yet) and the total."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from interlink.adapters.sql.operation_partners import OperationPartnerRepository
from interlink.adapters.sql.store import SqlStore
from interlink.api.app import create_app
from interlink.domain.cases import VictimStatus
from interlink.domain.principal import Principal, Role
from interlink.federation.identity import load_or_create_identity
from interlink.services import accounts, authentication, federation_operations, victims
from interlink.services.cases import acting_agency, open_case
from interlink.services.operations import add_to_operation, create_operation
from interlink.services.peers import add_peer, get_peer
from interlink.settings import Settings

NOTHING = 'format = "interlink-federation-policy/1"\n'
SHARED = {
    "figures": {
        "networks_identified": 3,
        "offenders_identified": 5,
        "children_safeguarded": 7,
        "victims_identified": 8,
        "cases": 2,
        "agencies": 1,
        "countries": 1,
    },
    "countries": [
        {
            "country": "DE",
            "cases": 2,
            "networks_identified": 3,
            "offenders_identified": 5,
            "children_safeguarded": 7,
            "victims_identified": 8,
        }
    ],
}


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[TestClient, SqlStore]]:
    url = f"sqlite:///{tmp_path / 'node.db'}"
    store = SqlStore.open(url)
    nca = acting_agency(store, "NCA", "GB", actor="t")
    root = Principal.local(nca.id, nca.name, "operator")
    open_case(store, "UK-1", nca, actor="t")
    create_operation(store, "TANGO", nca, actor="t")
    add_to_operation(store, "TANGO", "UK-1", nca, actor="t")
    victims.add_victim(store, "kid", nca, case="UK-1", actor="t")
    for status in (VictimStatus.IDENTIFIED, VictimStatus.SAFEGUARDED):
        victims.advance_victim(store, "kid", status, nca, actor="t")
    for name in ("bka", "politie"):
        key = load_or_create_identity(tmp_path / name, name)
        add_peer(store, f"https://{name}.example", key.fingerprint, NOTHING, name=name, actor="t")
        federation_operations.link_partner(store, root, "TANGO", name, f"EU-TANGO-{name}")
    with store.transaction() as tx:
        OperationPartnerRepository(store.engine).store_figures(
            tx,
            get_peer(store, "bka").id,
            "EU-TANGO-bka",
            SHARED,
            agency="BKA",
            generated_at=datetime(2026, 12, 7, 8, 0, tzinfo=UTC),
            received_at=datetime(2026, 12, 7, 8, 1, tzinfo=UTC),
        )
    accounts.add_user(
        store, root, "ivy", agency="NCA", roles=frozenset({Role.VIEWER}), password=None
    )
    _, secret = authentication.create_token(store, root, user="ivy")
    app = create_app(Settings.load({}, home=tmp_path, database_url=url), store=store)
    http = TestClient(
        app,
        base_url="https://testserver",
        headers={"Authorization": f"Bearer {secret}"},
        raise_server_exceptions=False,
    )
    yield http, store
    store.close()


def test_the_dashboard_shows_each_partners_figures_and_the_total(
    site: tuple[TestClient, SqlStore],
) -> None:
    http, _ = site
    page = http.get("/operations/TANGO")
    assert page.status_code == 200, page.text
    html = page.text
    start = html.index('id="partner-figures"')
    table = html[start : html.index("</table>", start)]
    # Partners by name: bka, then politie, then the total.
    bka = table[table.index('data-partner="bka"') : table.index('data-partner="politie"')]
    assert "BKA" in bka and "EU-TANGO-bka" in bka and "2026-12-07 08:01 UTC" in bka
    assert '<td class="num">7</td>' in bka
    politie = table[table.index('data-partner="politie"') : table.index('data-partner="total"')]
    assert "No figures shared yet" in politie and "never" in politie
    assert '<th class="num" data-total="children_safeguarded">8</th>' in table
    assert '<th class="num" data-total="offenders_identified">5</th>' in table
    board = http.get("/api/v1/operations/TANGO/dashboard").json()
    assert board["total"]["figures"]["children_safeguarded"] == 8
    assert [p["peer"] for p in board["partners"]] == ["bka", "politie"]
