"""Which country each account is in, so that each country receives its referral.

In order of trust, the first that gives a country wins:

1. ``verified-location``: an ``estimatedLocation`` the platform marked verified (the most
   recent report's when several disagree);
2. ``ip-geolocation``: the countries of the account's Login and Upload IP captures in the
   operator's MaxMind-format database, by majority (ties: the most recent capture); captures
   the platform flagged as a possible proxy are left out;
3. ``platform-estimate``: an unverified ``estimatedLocation`` (the platform's own guess);
4. ``platform-country``: the home country of the account's platform, from the operator's
   table (``platform_countries``), where legal process to the platform would go.

Accounts none of these place get no country (``basis`` ``unknown``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from interlink.domain.reports import EstimatedLocation, EventName
from interlink.network.ports import GeoIpLookup
from interlink.network.resolve import AccountEvidence

_GEO_EVENTS = frozenset({EventName.LOGIN, EventName.UPLOAD})
_EARLIEST = datetime.min.isoformat()


class Basis(StrEnum):
    """Which rule gave the account its country."""

    VERIFIED_LOCATION = "verified-location"
    IP_GEOLOCATION = "ip-geolocation"
    PLATFORM_ESTIMATE = "platform-estimate"
    PLATFORM_COUNTRY = "platform-country"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Attribution:
    """An account's country (ISO 3166-1 alpha-2, or ``None``), the rule that gave it, and the
    evidence: report ids, or ``address@time`` of the IP captures that placed it."""

    country: str | None
    basis: Basis
    evidence: tuple[str, ...] = ()


def _by_recency(
    locations: tuple[tuple[EstimatedLocation, str], ...], verified: bool
) -> Attribution | None:
    chosen = [
        (location, report)
        for location, report in locations
        if location.verified == verified and location.country_code
    ]
    if not chosen:
        return None
    chosen.sort(
        key=lambda pair: (
            pair[0].timestamp.isoformat() if pair[0].timestamp else _EARLIEST,
            pair[1],
        )
    )
    country = chosen[-1][0].country_code
    reports = tuple(
        sorted({report for location, report in chosen if location.country_code == country})
    )
    basis = Basis.VERIFIED_LOCATION if verified else Basis.PLATFORM_ESTIMATE
    return Attribution(country, basis, reports)


def _by_ip(evidence: AccountEvidence, geoip: GeoIpLookup) -> Attribution | None:
    votes: Counter[str] = Counter()
    latest: dict[str, str] = {}
    support: dict[str, list[str]] = {}
    for event, _report in evidence.ip_events:
        if event.event_name not in _GEO_EVENTS or event.possible_proxy:
            continue
        country = geoip.country(event.ip_address)
        if country is None:
            continue
        moment = event.date_time.isoformat() if event.date_time else _EARLIEST
        votes[country] += 1
        latest[country] = max(latest.get(country, _EARLIEST), moment)
        support.setdefault(country, []).append(
            f"{event.ip_address}@{moment if event.date_time else '?'}"
        )
    if not votes:
        return None
    country = max(votes, key=lambda code: (votes[code], latest[code], code))
    return Attribution(country, Basis.IP_GEOLOCATION, tuple(sorted(set(support[country]))))


def attribute(
    evidence: AccountEvidence,
    geoip: GeoIpLookup | None,
    platform_countries: Mapping[str, str] | None = None,
) -> Attribution:
    """The country of one account from its evidence (see the module docstring)."""
    found = _by_recency(evidence.locations, verified=True)
    if found is None and geoip is not None:
        found = _by_ip(evidence, geoip)
    if found is None:
        found = _by_recency(evidence.locations, verified=False)
    if found is None and platform_countries:
        homes = sorted(
            {platform_countries[s] for s in evidence.services if s in platform_countries}
        )
        if homes:
            found = Attribution(homes[0].upper(), Basis.PLATFORM_COUNTRY, tuple(evidence.services))
    return found or Attribution(None, Basis.UNKNOWN)


def attribute_all(
    evidence: Mapping[int, AccountEvidence],
    geoip: GeoIpLookup | None,
    platform_countries: Mapping[str, str] | None = None,
) -> dict[int, Attribution]:
    """``attribute`` for every account node in ``evidence``."""
    table = {key.casefold(): value for key, value in (platform_countries or {}).items()}
    return {account: attribute(item, geoip, table) for account, item in evidence.items()}
