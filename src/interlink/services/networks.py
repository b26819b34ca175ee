"""Use cases of offender-network analysis: import reports, build networks, show, export, refer.

Every face calls these. They reach storage only through ``NetworkRepository``, known media
through ``KnownMedia`` and geolocation through ``GeoIpLookup``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Literal

from interlink.adapters.files import atomic_output, output_folder
from interlink.domain.chats import ChatThread
from interlink.domain.errors import FormatError, NotFoundError
from interlink.domain.reports import PlatformReport, ReceivedReport, ReportProblem
from interlink.formats import cybertip, cybertip_json
from interlink.formats.graph_export import write_edge_csv, write_graphml, write_node_csv
from interlink.formats.referral import referral_html, referral_json
from interlink.network.export import node_attributes
from interlink.network.pipeline import BuildSettings, NetworkBuild, build_networks
from interlink.network.ports import GeoIpLookup, KnownMedia, NetworkRepository
from interlink.network.referrals import referrals as make_referrals
from interlink.network.summaries import NetworkSummary

ReportFormat = Literal["xml", "json"]
ExportFormat = Literal["graphml", "csv"]
#: How many reports are stored per repository call while importing.
BATCH = 500


@dataclass(frozen=True, slots=True)
class ImportResult:
    """How many reports were read and stored, how many of them were new, and the problems."""

    imported: int
    new: int
    problems: tuple[ReportProblem, ...]


def sniff_format(head: bytes) -> ReportFormat:
    """``xml`` or ``json`` from the first bytes of a report file; ``FormatError`` otherwise."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<"):
        return "xml"
    if text.startswith((b"{", b"[")):
        return "json"
    raise FormatError("neither XML nor JSON")


def read_reports(
    stream: BinaryIO, fmt: ReportFormat | None = None
) -> Iterator[PlatformReport | ReportProblem]:
    """The reports of ``stream`` in ``fmt`` (sniffed from the content when ``None``)."""
    if fmt is None:
        peek = getattr(stream, "peek", None)  # buffered streams (zip members) look ahead
        if stream.seekable():
            position = stream.tell()
            fmt = sniff_format(stream.read(512))
            stream.seek(position)
        elif callable(peek):
            fmt = sniff_format(bytes(peek(512))[:512])
        else:
            raise FormatError("cannot sniff the format of a stream that cannot seek")
    reader = cybertip.read_reports if fmt == "xml" else cybertip_json.read_reports
    return reader(stream)


def import_reports(
    repository: NetworkRepository,
    stream: BinaryIO,
    *,
    fmt: ReportFormat | None = None,
    agency: str | None = None,
    case: str | None = None,
    source: str = "",
) -> ImportResult:
    """Read a report file and store every good report with its agency, case and source; a
    bad report is a problem in the result and the others are stored."""
    imported = new = 0
    problems: list[ReportProblem] = []
    batch: list[ReceivedReport] = []
    for item in read_reports(stream, fmt):
        if isinstance(item, ReportProblem):
            problems.append(item)
            continue
        batch.append(ReceivedReport(item, agency, case, source))
        if len(batch) >= BATCH:
            new += repository.add_reports(batch)
            imported += len(batch)
            batch = []
    if batch:
        new += repository.add_reports(batch)
        imported += len(batch)
    return ImportResult(imported, new, tuple(problems))


def build(
    repository: NetworkRepository,
    known_media: KnownMedia,
    *,
    geoip: GeoIpLookup | None = None,
    platform_countries: Mapping[str, str] | None = None,
    settings: BuildSettings | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    chats: Iterable[ChatThread] = (),
) -> NetworkBuild:
    """Build networks from every stored report and the ``chats`` threads, store the build
    and return it."""
    result = build_networks(
        repository.reports(),
        known_media,
        build_id=str(uuid.uuid4()),
        created_at=now(),
        geoip=geoip,
        platform_countries=platform_countries,
        settings=settings,
        chats=chats,
    )
    repository.save_build(result)
    return result


def get_build(repository: NetworkRepository, build_id: str | None = None) -> NetworkBuild:
    """The build ``build_id``, or the latest; ``NotFoundError`` when there is none."""
    if build_id is not None:
        return repository.get_build(build_id)
    latest = repository.latest_build()
    if latest is None:
        raise NotFoundError("network build", "latest")
    return latest


@dataclass(frozen=True, slots=True)
class MemberView:
    """One member of a network as ``show`` lists it."""

    key: str
    label: str
    country: str | None
    basis: str
    degree: int
    betweenness: float
    pagerank: float
    capital: float
    media: int
    known_media: int


@dataclass(frozen=True, slots=True)
class NetworkView:
    """A network and its members (highest capital first)."""

    summary: NetworkSummary
    members: tuple[MemberView, ...]


def show(
    repository: NetworkRepository, network_id: str, build_id: str | None = None
) -> NetworkView:
    """One network of a build (the latest by default); ``NotFoundError`` when absent."""
    found = get_build(repository, build_id)
    summary = found.network(network_id)
    if summary is None:
        raise NotFoundError("network", network_id)
    return NetworkView(summary, network_members(found, summary))


def network_members(found: NetworkBuild, summary: NetworkSummary) -> tuple[MemberView, ...]:
    """The members of the network ``summary`` of the build ``found``, with their rankings."""
    rankings = found.analysis.rankings
    vertex = {int(node): index for index, node in enumerate(rankings.accounts.tolist())}
    members = []
    for node in summary.members:
        index = vertex[node]
        attribution = found.attributions.get(node)
        members.append(
            MemberView(
                key=found.graph.keys[node],
                label=found.graph.label(node),
                country=None if attribution is None else attribution.country,
                basis="unknown" if attribution is None else attribution.basis.value,
                degree=int(rankings.degree[index]),
                betweenness=float(rankings.betweenness[index]),
                pagerank=float(rankings.pagerank[index]),
                capital=float(rankings.capital[index]),
                media=int(rankings.media[index]),
                known_media=int(rankings.known_media[index]),
            )
        )
    return tuple(members)


def _write(path: Path, pieces: Iterable[bytes]) -> Path:
    """Write atomically: a crash leaves no half-written file under ``path``."""
    with atomic_output(path) as out:
        for piece in pieces:
            out.write(piece)
    return path


def export(
    repository: NetworkRepository,
    directory: Path,
    fmt: ExportFormat,
    build_id: str | None = None,
) -> list[Path]:
    """Write a build's graph into ``directory``: ``network.graphml``, or ``nodes.csv`` and
    ``edges.csv``; return the paths written."""
    found = get_build(repository, build_id)
    output_folder(directory)
    attributes = node_attributes(found)
    if fmt == "graphml":
        return [_write(directory / "network.graphml", write_graphml(found.graph, attributes))]
    nodes = (line.encode("utf-8") for line in write_node_csv(found.graph, attributes))
    edges = (line.encode("utf-8") for line in write_edge_csv(found.graph))
    return [_write(directory / "nodes.csv", nodes), _write(directory / "edges.csv", edges)]


def referrals(
    repository: NetworkRepository,
    directory: Path,
    countries: Iterable[str] | None = None,
    build_id: str | None = None,
) -> list[Path]:
    """Write ``referral-<CC>.json`` and ``referral-<CC>.html`` for each country of a build
    (or only ``countries``); return the paths written."""
    found = get_build(repository, build_id)
    wanted = None if countries is None else {code.upper() for code in countries}
    output_folder(directory)
    written = []
    for package in make_referrals(found):
        if wanted is not None and package.country not in wanted:
            continue
        stem = f"referral-{package.country}"
        text = json.dumps(referral_json(package), indent=2, ensure_ascii=False) + "\n"
        written.append(_write(directory / f"{stem}.json", [text.encode("utf-8")]))
        written.append(_write(directory / f"{stem}.html", [referral_html(package).encode("utf-8")]))
    return written
