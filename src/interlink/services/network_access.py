"""Platform reports and offender networks as a principal uses them (``networks``): import a
report file as its agency, build networks from every stored report, read the latest build.
The store's network repository audits every write and read as the principal."""

from __future__ import annotations

import tempfile
from typing import Any, BinaryIO, Literal, cast

from interlink.adapters.sql.networks import SqlKnownMedia, SqlNetworkRepository
from interlink.adapters.sql.store import SqlStore
from interlink.domain.errors import TooLargeError
from interlink.domain.principal import Capability, Principal
from interlink.network.summaries import NetworkSummary
from interlink.services import networks

_CHUNK = 1 << 20


def summary_json(summary: NetworkSummary) -> dict[str, Any]:
    """A network's figures."""
    return {
        "network": summary.network_id,
        "members": summary.size,
        "media": summary.media,
        "known_media": summary.known_media,
        "new_media": summary.new_media,
        "exchanged_media": summary.exchanged_media,
        "categories": dict(summary.categories),
        "countries": dict(summary.countries),
        "first_seen": summary.first_seen.isoformat() if summary.first_seen else None,
        "last_seen": summary.last_seen.isoformat() if summary.last_seen else None,
    }


def _repository(store: SqlStore, principal: Principal) -> SqlNetworkRepository:
    principal.require(Capability.NETWORKS)
    return SqlNetworkRepository(store, principal.actor)


def import_reports(
    store: SqlStore,
    principal: Principal,
    upload: BinaryIO,
    *,
    case: str | None,
    fmt: Literal["xml", "json"] | None,
    source: str,
    limit: int,
) -> networks.ImportResult:
    """Import an uploaded report file as the principal's agency's; a bad report is a
    problem in the result and the others are stored; ``TooLargeError`` past ``limit``."""
    repository = _repository(store, principal)
    with tempfile.SpooledTemporaryFile(max_size=8 << 20) as spool:
        size = 0
        while chunk := upload.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise TooLargeError("file", limit)
            spool.write(chunk)
        spool.seek(0)
        return networks.import_reports(
            repository,
            cast(BinaryIO, spool),
            fmt=fmt,
            agency=principal.agency,
            case=case,
            source=source,
        )


def build(store: SqlStore, principal: Principal) -> dict[str, Any]:
    """Build networks from every stored report and store the build; its figures."""
    result = networks.build(_repository(store, principal), SqlKnownMedia(store))
    return _figures(result)


def latest(store: SqlStore, principal: Principal) -> dict[str, Any]:
    """The latest build's networks."""
    result = networks.get_build(_repository(store, principal))
    return {**_figures(result), "networks": [summary_json(n) for n in result.analysis.networks]}


def latest_figures(store: SqlStore, principal: Principal) -> dict[str, Any]:
    """The latest build's figures: its id, time, reports and how many networks."""
    return _figures(networks.get_build(_repository(store, principal)))


def network_order(network_id: str) -> tuple[int, str]:
    """A network's place in a listing: by id, N2 before N10."""
    return len(network_id), network_id


def network_page(
    store: SqlStore, principal: Principal, *, after: str | None, limit: int
) -> tuple[dict[str, Any], list[dict[str, Any]], bool]:
    """The latest build's figures, up to ``limit`` of its networks after network ``after``
    (``None``: from the first) in :func:`network_order`, and whether more follow. A build
    is stored whole, so the page is cut from it here."""
    result = networks.get_build(_repository(store, principal))
    ordered = sorted(result.analysis.networks, key=lambda n: network_order(n.network_id))
    if after is not None:
        ordered = [n for n in ordered if network_order(n.network_id) > network_order(after)]
    rows = [summary_json(n) for n in ordered[:limit]]
    return _figures(result), rows, len(ordered) > limit


def _figures(result: Any) -> dict[str, Any]:
    return {
        "build": result.build_id,
        "created_at": result.created_at.isoformat(),
        "reports": result.report_count,
        "networks": len(result.analysis.networks),
    }
