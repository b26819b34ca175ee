"""The ports network analysis needs: known-media lookups, IP geolocation and persistence.

Each is a small protocol; ``interlink.adapters.memory.networks`` holds in-memory twins for
tests, and the store supplies the production adapters.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from interlink.domain.categories import Category
from interlink.domain.reports import ReceivedReport

if TYPE_CHECKING:
    from interlink.network.pipeline import NetworkBuild


@dataclass(frozen=True, slots=True)
class KnownInfo:
    """What the known lists and the store say about a media: its category, series, and the
    lists that hold it."""

    category: Category | None = None
    series: str | None = None
    lists: tuple[str, ...] = ()
    victim_identified: bool | None = None


class KnownMedia(Protocol):
    """Looks hashes up in the known lists and the store."""

    def lookup(self, signal_type: str, values: Sequence[str]) -> Mapping[str, KnownInfo]:
        """For each of ``values`` (normalised values of ``signal_type``) that is known, what is
        known about it; unknown values are absent from the result."""
        ...


class GeoIpLookup(Protocol):
    """Geolocates IP addresses from a database the operator supplies."""

    def country(self, address: str) -> str | None:
        """The ISO 3166-1 alpha-2 country of ``address``, or ``None`` when unknown."""
        ...


class NetworkRepository(Protocol):
    """Persistence of received reports and of network builds.

    Contract: ``add_reports`` stores each report under its ``report_id``; adding a report id
    again replaces the stored report (a re-import) and counts it once. ``reports`` yields every
    stored report in the order first added. ``save_build`` stores a build under
    ``build.build_id``; ``latest_build`` is the last one saved; ``get_build`` raises
    ``NotFoundError`` for an unknown id.
    """

    def add_reports(self, reports: Iterable[ReceivedReport]) -> int:
        """Store reports; return how many were new."""
        ...

    def reports(self) -> Iterator[ReceivedReport]:
        """Every stored report."""
        ...

    def save_build(self, build: NetworkBuild) -> None:
        """Store a network build."""
        ...

    def get_build(self, build_id: str) -> NetworkBuild:
        """The build ``build_id``."""
        ...

    def latest_build(self) -> NetworkBuild | None:
        """The last build saved, if any."""
        ...
