"""A store holding cases of three agencies with exhibits, links and watch hits, and the case
list's figures computed the way the service computed them before its single query: from the
repositories' cases, exhibits, link evidence and hits (the oracle of both ways of reading)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, update

from interlink.adapters.sql import schema
from interlink.adapters.sql.casework_schema import alert_hits, alert_triggers, alerts, case_links
from interlink.adapters.sql.schema import exhibits
from interlink.adapters.sql.store import SqlStore
from interlink.domain.cases import Agency, CaseStatus
from interlink.services import cases

AT = datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)


def build(store: SqlStore) -> dict[str, Agency]:
    """NL holds N-1 (2 exhibits, linked to N-2 twice, D-1 and F-1, two hits on one watch and
    one on another, a hit by DE), N-2 (closed, linked to N-1) and N-3 (nothing); DE holds D-1;
    FR holds F-1; case X belongs to no agency."""
    agencies = {
        code: cases.acting_agency(store, name, code, actor="t")
        for code, name in (("NL", "Politie"), ("DE", "BKA"), ("FR", "OFMIN"))
    }
    made = {}
    for name, code in (("N-2", "NL"), ("N-1", "NL"), ("N-3", "NL"), ("D-1", "DE"), ("F-1", "FR")):
        made[name] = cases.open_case(store, name, agencies[code], actor="t")
    cases.set_case_status(store, "N-2", CaseStatus.CLOSED, agencies["NL"], actor="t")
    with store.transaction() as tx:
        orphan, _ = store.cases.ensure_case(tx, "X", agencies["NL"])
        tx.execute(  # X loses its agency: listed by nobody
            update(schema.cases).where(schema.cases.c.id == orphan.id).values(agency_id=None)
        )
        for n, name in enumerate(("a", "b")):
            tx.execute(
                insert(exhibits).values(
                    id=uuid.uuid4(),
                    case_id=made["N-1"].id,
                    name=name,
                    root=f"/e/{n}",
                    created_at=AT,
                )
            )
        pairs = [
            ("N-1", "N-2", "camera", "canon:1"),
            ("N-2", "N-1", "shared_media", "f" * 64),
            ("N-1", "D-1", "shared_media", "e" * 64),
            ("F-1", "N-1", "identifier", "email:x@example.org"),
            ("D-1", "F-1", "shared_media", "d" * 64),
        ]
        for a, b, kind, key in pairs:
            tx.execute(
                insert(case_links).values(
                    case_a=made[a].id,
                    case_b=made[b].id,
                    kind=kind,
                    key=key,
                    distance=0,
                    found_at=AT,
                )
            )
        watch_hits = [
            ("DE", "N-1", "NL", 2),  # a DE watch hit twice by NL's N-1: one watch
            ("FR", "N-1", "NL", 1),
            ("FR", "N-1", "DE", 1),  # a hit credited to DE, not NL
            ("NL", "D-1", "DE", 1),
        ]
        for owner, case, hitter, times in watch_hits:
            alert = uuid.uuid4()
            tx.execute(
                insert(alerts).values(
                    id=alert,
                    agency_id=agencies[owner].id,
                    title="w",
                    priority=1,
                    disclosure="contact",
                    created_at=AT,
                )
            )
            for n in range(times):
                trigger = tx.execute(
                    insert(alert_triggers)
                    .values(alert_id=alert, kind="sha256", value=f"{n}")
                    .returning(alert_triggers.c.id)
                ).scalar_one()
                tx.execute(
                    insert(alert_hits).values(
                        alert_id=alert,
                        trigger_id=trigger,
                        case_id=made[case].id,
                        agency_id=agencies[hitter].id,
                        subject=f"{n}",
                        distance=0,
                        at=AT + timedelta(seconds=n),
                    )
                )
    return agencies


def expected(store: SqlStore, agency: Agency) -> list[dict[str, Any]]:
    """The case list of ``agency`` as the service computed it from the repositories."""
    listed = store.cases.all(agency.id)
    evidence = store.links.evidence(c.id for c in listed)
    hits = store.watches.hits(hitter=agency.id)
    rows = []
    for case in listed:
        linked = {
            e.case_b if e.case_a == case.id else e.case_a
            for e in evidence
            if case.id in (e.case_a, e.case_b)
        }
        rows.append(
            {
                "case": case.name,
                "status": case.status.value,
                "created_at": case.created_at.isoformat() if case.created_at else None,
                "exhibits": len(store.cases.exhibits(case.id)),
                "linked_cases": len(linked),
                "watch_hits": len({h.alert_id for h in hits if h.case_id == case.id}),
            }
        )
    return rows
