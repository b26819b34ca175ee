"""A two-agency node for API tests: agencies ``alpha`` and ``beta``, one user per role in each
(with a token), a case of each, a known list, and the application over it all."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from interlink.adapters.sql.networks import SqlNetworkRepository
from interlink.adapters.sql.store import SqlStore
from interlink.api.app import create_app
from interlink.api.deps import ServerOptions
from interlink.auth import bearer
from interlink.demo.images import encode, scene
from interlink.domain.principal import Principal, Role
from interlink.domain.reports import ReceivedReport
from interlink.services import accounts, authentication, casefile, network_access, operations
from interlink.services.cases import acting_agency
from interlink.services.lists import import_list
from interlink.services.scan import ScanOptions, scan_exhibit
from interlink.settings import Settings
from tests.network.planted import planted_reports

AGENCIES = ("alpha", "beta")
CASES = {"alpha": "A-CASE", "beta": "B-CASE"}
OPERATIONS = {"alpha": "OP-A", "beta": "OP-B"}
#: The node allows scans of evidence under its temporary folder (the exhibit is there).
EVIDENCE_ROOTS = "INTERLINK_EVIDENCE_ROOTS"
#: PDQ codes in the known list ``known`` (category uk:A), and an MD5 there.
KNOWN_PDQ = ("0" * 64, "f" * 32 + "0" * 32, "0" * 32 + "f" * 32)
KNOWN_MD5 = hashlib.md5(b"known", usedforsecurity=False).hexdigest()


def operator(store: SqlStore, agency: str = "node") -> Principal:
    """The node's local operator (every role), as the command line acts."""
    record = acting_agency(store, agency, actor="operator")
    return Principal.local(record.id, record.name, "operator")


@dataclass
class Node:
    """The store, the application, and each (agency, role)'s token."""

    store: SqlStore
    app: FastAPI
    tokens: dict[tuple[str, Role], str] = field(default_factory=dict)
    revoked: str = ""
    media: dict[str, str] = field(default_factory=dict)

    def client(self, token: str | None = None) -> TestClient:
        """A client over HTTPS (so secure cookies flow), with a bearer token if given."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return TestClient(
            self.app, base_url="https://testserver", headers=headers, raise_server_exceptions=False
        )


def build_node(url: str, tmp_path: Path, *, options: ServerOptions | None = None) -> Node:
    """The two-agency node on the database at ``url``."""
    store = SqlStore.open(url)
    root = operator(store)
    node = Node(
        store,
        create_app(
            Settings.load({EVIDENCE_ROOTS: str(tmp_path)}, home=tmp_path, database_url=url),
            store=store,
            options=options or ServerOptions(lookup_recheck=0),
        ),
    )
    for agency in AGENCIES:
        for role in Role:
            name = f"{agency}-{role.value}"
            accounts.add_user(
                store, root, name, agency=agency, roles=frozenset({role}), password=None
            )
            _, secret = authentication.create_token(store, root, user=name, label="test")
            node.tokens[(agency, role)] = secret
        member = operator(store, agency)
        casefile.open_case(store, member, CASES[agency])
        accounts.add_user(
            store,
            root,
            f"{agency}-target",
            agency=agency,
            roles=frozenset({Role.VIEWER}),
            password=None,
        )
        agency_record = acting_agency(store, agency, actor="operator")
        operations.create_operation(store, OPERATIONS[agency], agency_record, actor="operator")
        operations.add_to_operation(
            store, OPERATIONS[agency], CASES[agency], agency_record, actor="operator"
        )
    _, node.revoked = authentication.create_token(
        store, root, user="alpha-investigator", label="revoked"
    )
    token = store.accounts.token_by_hash(bearer.digest(node.revoked))
    assert token is not None
    authentication.revoke_token(store, root, token.id)
    known = tmp_path / "known.csv"
    known.write_text(
        "id,pdq,md5,category\n"
        + "".join(f"k{i},{v},,uk:A\n" for i, v in enumerate(KNOWN_PDQ))
        + f"m1,,{KNOWN_MD5},uk:B\n"
    )
    import_list(store, known, name="known", actor="operator")
    spare = tmp_path / "spare.csv"
    spare.write_text(f"md5,category\n{KNOWN_MD5},uk:C\n")
    import_list(store, spare, name="spare", actor="operator")
    exhibit = tmp_path / "exhibit"
    exhibit.mkdir()
    for agency in AGENCIES:
        picture = encode(scene(7 if agency == "alpha" else 8, (96, 72)))
        (exhibit / "photo.jpg").write_bytes(picture)
        scan_exhibit(
            store,
            exhibit,
            case=CASES[agency],
            exhibit=f"{agency}-E1",
            options=ScanOptions(workers=0),
            actor="operator",
            agency=acting_agency(store, agency, actor="operator"),
        )
        node.media[agency] = hashlib.sha256(picture).hexdigest()
    add_planted_reports(store)
    network_access.build(store, operator(store, "alpha"))
    return node


#: Networks planted in alpha's case (so the latest build has networks, members and countries).
PLANTED_NETWORKS = 3


def add_planted_reports(store: SqlStore) -> None:
    """Store reports of ``PLANTED_NETWORKS`` planted offender rings in alpha's case."""
    planted = planted_reports(networks=PLANTED_NETWORKS, size=6, media=8)
    SqlNetworkRepository(store, "operator").add_reports(
        ReceivedReport(r.report, "alpha", CASES["alpha"], "planted") for r in planted.reports
    )
