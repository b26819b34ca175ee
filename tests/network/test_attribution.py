from datetime import UTC, datetime

from interlink.adapters.memory.networks import InMemoryGeoIp
from interlink.domain.reports import EstimatedLocation, EventName, IpCaptureEvent
from interlink.network.attribution import Basis, attribute, attribute_all
from interlink.network.resolve import AccountEvidence

GEO = InMemoryGeoIp({"198.51.100.1": "FR", "198.51.100.2": "FR", "203.0.113.1": "NL"})
T1 = datetime(2024, 1, 1, tzinfo=UTC)
T2 = datetime(2024, 2, 1, tzinfo=UTC)


def _ip(address: str, event: EventName = EventName.LOGIN, when: datetime = T1) -> IpCaptureEvent:
    return IpCaptureEvent(address, event, when)


def test_a_verified_location_wins_over_everything() -> None:
    evidence = AccountEvidence(
        locations=(
            (EstimatedLocation("ES", verified=False), "r0"),
            (EstimatedLocation("DE", verified=True), "r1"),
        ),
        ip_events=((_ip("198.51.100.1"), "r1"),),
        services=("chatly",),
    )
    found = attribute(evidence, GEO, {"chatly": "US"})
    assert (found.country, found.basis, found.evidence) == ("DE", Basis.VERIFIED_LOCATION, ("r1",))


def test_the_latest_verified_location_wins_when_they_disagree() -> None:
    evidence = AccountEvidence(
        locations=(
            (EstimatedLocation("DE", verified=True, timestamp=T2), "r1"),
            (EstimatedLocation("AT", verified=True, timestamp=T1), "r2"),
        )
    )
    assert attribute(evidence, None).country == "DE"


def test_login_and_upload_ips_vote_and_other_events_and_proxies_do_not() -> None:
    evidence = AccountEvidence(
        ip_events=(
            (_ip("198.51.100.1"), "r1"),
            (_ip("198.51.100.2", EventName.UPLOAD), "r2"),
            (_ip("203.0.113.1", EventName.REGISTRATION), "r3"),
            (_ip("203.0.113.1", EventName.REGISTRATION), "r4"),
            (_ip("203.0.113.1", EventName.REGISTRATION), "r5"),
            (IpCaptureEvent("203.0.113.1", EventName.LOGIN, T2, possible_proxy=True), "r6"),
        ),
        locations=((EstimatedLocation("ES"), "r1"),),
    )
    found = attribute(evidence, GEO)
    assert (found.country, found.basis) == ("FR", Basis.IP_GEOLOCATION)
    assert found.evidence == (f"198.51.100.1@{T1.isoformat()}", f"198.51.100.2@{T1.isoformat()}")


def test_ip_ties_go_to_the_most_recent_capture() -> None:
    evidence = AccountEvidence(
        ip_events=((_ip("198.51.100.1", when=T1), "r1"), (_ip("203.0.113.1", when=T2), "r2"))
    )
    assert attribute(evidence, GEO).country == "NL"


def test_then_the_platform_estimate_then_the_platform_country() -> None:
    estimate = AccountEvidence(locations=((EstimatedLocation("ES"), "r1"),), services=("chatly",))
    found = attribute(estimate, GEO, {"chatly": "us"})
    assert (found.country, found.basis) == ("ES", Basis.PLATFORM_ESTIMATE)
    home = attribute_all({7: AccountEvidence(services=("chatly",))}, GEO, {"Chatly": "us"})
    assert (home[7].country, home[7].basis) == ("US", Basis.PLATFORM_COUNTRY)
    nothing = attribute(AccountEvidence(ip_events=((_ip("192.0.2.1"), "r"),)), GEO)
    assert (nothing.country, nothing.basis) == (None, Basis.UNKNOWN)
