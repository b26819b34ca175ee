"""In-memory twins of the network ports, for tests and small runs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

from interlink.domain.errors import NotFoundError
from interlink.domain.reports import ReceivedReport
from interlink.network.pipeline import NetworkBuild
from interlink.network.ports import KnownInfo


class InMemoryKnownMedia:
    """``KnownMedia`` over a dict: ``{(signal type, normalised value): KnownInfo}``."""

    def __init__(self, entries: Mapping[tuple[str, str], KnownInfo] | None = None) -> None:
        self._entries = dict(entries or {})

    def add(self, signal_type: str, value: str, info: KnownInfo) -> None:
        """Make ``value`` known."""
        self._entries[(signal_type, value)] = info

    def lookup(self, signal_type: str, values: Sequence[str]) -> Mapping[str, KnownInfo]:
        """See ``KnownMedia.lookup``."""
        found = {}
        for value in values:
            info = self._entries.get((signal_type, value))
            if info is not None:
                found[value] = info
        return found


class InMemoryGeoIp:
    """``GeoIpLookup`` over a dict of exact addresses."""

    def __init__(self, table: Mapping[str, str]) -> None:
        self._table = dict(table)

    def country(self, address: str) -> str | None:
        """See ``GeoIpLookup.country``."""
        return self._table.get(address)


class InMemoryNetworkRepository:
    """``NetworkRepository`` in dicts."""

    def __init__(self) -> None:
        self._reports: dict[str, ReceivedReport] = {}
        self._builds: dict[str, NetworkBuild] = {}
        self._latest: str | None = None

    def add_reports(self, reports: Iterable[ReceivedReport]) -> int:
        """See ``NetworkRepository.add_reports``."""
        new = 0
        for item in reports:
            if item.report.report_id not in self._reports:
                new += 1
            self._reports[item.report.report_id] = item
        return new

    def reports(self) -> Iterator[ReceivedReport]:
        """See ``NetworkRepository.reports``."""
        return iter(list(self._reports.values()))

    def save_build(self, build: NetworkBuild) -> None:
        """See ``NetworkRepository.save_build``."""
        self._builds[build.build_id] = build
        self._latest = build.build_id

    def get_build(self, build_id: str) -> NetworkBuild:
        """See ``NetworkRepository.get_build``."""
        try:
            return self._builds[build_id]
        except KeyError:
            raise NotFoundError("network build", build_id) from None

    def latest_build(self) -> NetworkBuild | None:
        """See ``NetworkRepository.latest_build``."""
        return None if self._latest is None else self._builds[self._latest]
