"""A case's links and watch hits as a ``Principal`` opens them: the links page of an own case
(``casefile.links``), and one linked case of another agency, shown only as far as the link
and the watch hits between the two cases disclose it.

What a link discloses is fixed (``case_links``): the other case's reference, its agency's
card, the strength and the shared evidence (this case's media with paths, the other side's
media by hash only). A watch hit discloses what its owner chose (``Disclosure``): the
agency, then the case reference, then the items. Nothing else of the other case (its
exhibits, paths, status, identifiers or media) is ever read for this view.
"""

from __future__ import annotations

from typing import Any

from interlink.adapters.sql.store import SqlStore
from interlink.domain.errors import NotFoundError
from interlink.domain.principal import Capability, Principal
from interlink.services import case_links
from interlink.services.casefile import agency_of, audit_read, case_of

#: What a link between two agencies' cases shows of the other case.
LINK_DISCLOSURE = "case"


def linked_case(store: SqlStore, principal: Principal, case: str, other: str) -> dict[str, Any]:
    """What the principal's own ``case`` is shown of the case ``other`` it is linked with:
    the link (reference, agency card, strength, evidence) and the watch hits between the two
    at their owners' disclosure. ``NotFoundError`` when no link or hit joins them, so
    opening a case that is not linked confirms nothing (audited)."""
    record = case_of(store, principal, case, Capability.CASES_READ)
    view = case_links.case_links(store, case, agency_of(store, principal))
    link = next((row for row in view["links"] if row["case"] == other), None)
    hits = [h for h in view["watch_hits"] if h.get("case") == other]
    if link is None and not hits:
        raise NotFoundError("linked case", other)
    audit_read(store, principal, "case.link.open", "case", str(record.id), {"other": other})
    return {
        "case": view["case"],
        "other": other,
        "agency": link["agency"] if link else hits[0]["agency"],
        "disclosure": LINK_DISCLOSURE if link else hits[0]["disclosure"],
        "link": link,
        "watch_hits": hits,
    }
