from datetime import UTC, datetime
from pathlib import Path

import igraph as ig
import pytest

from interlink.adapters.maxmind import MaxMindGeoIp
from interlink.adapters.memory.networks import InMemoryKnownMedia
from interlink.domain.categories import Category
from interlink.domain.reports import PlatformReport, ReceivedReport, ReportedPerson
from interlink.network.attribution import Basis
from interlink.network.model import NodeKind, Relation
from interlink.network.pipeline import NetworkBuild, build_networks
from interlink.network.ports import KnownInfo
from interlink.network.referrals import referrals
from tests.network.mmdb import build_mmdb
from tests.network.planted import planted_reports, sha256_of


def _known() -> InMemoryKnownMedia:
    known = InMemoryKnownMedia()
    for net in range(12):
        for item in range(0, 20, 2):
            info = KnownInfo(Category("uk", "A"), series=f"s{net}")
            known.add("sha256", sha256_of(f"n{net}f{item}"), info)
    return known


def _build(
    networks: int = 12, size: int = 8, noise: float = 0.05
) -> tuple[NetworkBuild, dict[str, int]]:
    planted = planted_reports(networks=networks, size=size, noise=noise)
    result = build_networks(
        planted.reports, _known(), build_id="b1", created_at=datetime(2024, 7, 1, tzinfo=UTC)
    )
    return result, planted.truth


@pytest.mark.parametrize(
    ("networks", "size", "noise"), [(12, 8, 0.05), (30, 4, 0.1), (8, 16, 0.15)]
)
def test_planted_networks_are_recovered(networks: int, size: int, noise: float) -> None:
    result, truth = _build(networks, size, noise)
    analysis = result.analysis
    accounts = analysis.projection.accounts.tolist()
    expected = [truth[result.graph.keys[node]] for node in accounts]
    ari = ig.compare_communities(
        expected, analysis.partition.membership.tolist(), method="adjusted_rand"
    )
    assert ari >= 0.9
    assert len(analysis.networks) == networks
    assert [summary.network_id for summary in analysis.networks][:2] == ["N1", "N2"]


def test_summaries_count_media_countries_and_time() -> None:
    result, _ = _build()
    for summary in result.analysis.networks:
        assert summary.size == 8
        assert summary.known_media + summary.new_media == summary.media
        assert summary.known_media > 0 and summary.new_media > 0
        assert dict(summary.categories) == {"uk:A": summary.known_media}
        assert sum(count for _, count in summary.countries) == 8
        assert summary.first_seen is not None and summary.last_seen is not None
        assert summary.first_seen <= summary.last_seen
        capitals = [
            result.analysis.rankings.capital[list(result.analysis.projection.accounts).index(node)]
            for node in summary.members
        ]
        assert capitals == sorted(capitals, reverse=True)


def test_country_edges_and_removal_plan() -> None:
    result, _ = _build()
    located = result.graph.edges_of(Relation.LOCATED_IN)
    assert len(located) == 96
    assert {result.graph.kind(int(result.graph.target[e])) for e in located} == {NodeKind.COUNTRY}
    plan = result.analysis.removal
    assert len(plan.vertices) == result.settings.removal_k
    assert list(plan.removed_media) == sorted(plan.removed_media)


def test_ip_geolocation_through_an_mmdb_places_accounts(tmp_path: Path) -> None:
    planted = planted_reports(networks=3, size=4, locations=False)
    path = tmp_path / "geo.mmdb"
    path.write_bytes(build_mmdb({"198.51.100.0/24": {"country": {"iso_code": "BE"}}}))
    with MaxMindGeoIp(path) as geo:
        result = build_networks(
            planted.reports,
            _known(),
            build_id="b2",
            created_at=datetime(2024, 7, 1, tzinfo=UTC),
            geoip=geo,
        )
    assert {item.basis for item in result.attributions.values()} == {Basis.IP_GEOLOCATION}
    assert {item.country for item in result.attributions.values()} == {"BE"}
    packages = referrals(result)
    assert [package.country for package in packages] == ["BE"]
    assert len(packages[0].accounts) == 12
    ips = [value for kind, value in packages[0].accounts[0].identifiers if kind == "ip"]
    assert ips and all(value.startswith("198.51.100.") and " to " in value for value in ips)


def test_no_reports_and_a_lone_account_build_without_networks() -> None:
    moment = datetime(2024, 7, 1, tzinfo=UTC)
    empty = build_networks([], InMemoryKnownMedia(), build_id="e", created_at=moment)
    assert empty.graph.node_count == 0 and empty.analysis.networks == ()
    assert empty.analysis.removal.total == 0 and referrals(empty) == ()
    lone = PlatformReport("1", reported=(ReportedPerson("Chatly", "7"),))
    single = build_networks(
        [ReceivedReport(lone)], InMemoryKnownMedia(), build_id="s", created_at=moment
    )
    assert single.analysis.networks == ()
    assert single.analysis.rankings.capital.tolist() == [0.0]
    (account,) = single.graph.nodes_of(NodeKind.ACCOUNT).tolist()
    assert single.attributions[account].country is None
