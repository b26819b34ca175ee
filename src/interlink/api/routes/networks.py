"""``/api/v1/platform-reports`` and ``/api/v1/networks``: report import, network builds."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Path, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from interlink.api import rules
from interlink.api.deps import Caller, Context
from interlink.api.pagination import Cursor, Limit, Page, encode, text_key
from interlink.domain.principal import Capability
from interlink.services import network_access, network_views

router = APIRouter(tags=["networks"])
_RULE = rules.needs(Capability.NETWORKS)


class ReportProblemOut(BaseModel):
    """A report that could not be read (the others were stored)."""

    position: str
    reason: str
    report_id: str | None


class ReportsImported(BaseModel):
    """What a report import did."""

    imported: int
    new: int
    problems: list[ReportProblemOut]


class Build(BaseModel):
    """A network build: its id, when, from how many reports, how many networks (listed by
    ``GET /networks/builds/latest/networks``)."""

    build: str
    created_at: str
    reports: int
    networks: int


class NetworkFigures(BaseModel):
    """A network's figures."""

    network: str
    members: int
    media: int
    known_media: int
    new_media: int
    exchanged_media: int
    categories: dict[str, int]
    countries: dict[str, int]
    first_seen: str | None
    last_seen: str | None


class Networks(Page[NetworkFigures]):
    """A page of the latest build's networks, by id."""

    build: str


@router.post(
    "/platform-reports", response_model=ReportsImported, status_code=201, openapi_extra=_RULE
)
def import_reports(
    principal: Caller,
    context: Context,
    file: Annotated[UploadFile, File(description="A CyberTipline XML or JSON report file.")],
    case: Annotated[str | None, Form(max_length=200)] = None,
    format: Annotated[Literal["xml", "json"] | None, Form()] = None,
) -> ReportsImported:
    """Import platform reports as the caller's agency's."""
    result = network_access.import_reports(
        context.store,
        principal,
        file.file,
        case=case,
        fmt=format,
        source=(file.filename or "upload")[:200],
        limit=context.options.max_upload_bytes,
    )
    return ReportsImported(
        imported=result.imported,
        new=result.new,
        problems=[
            ReportProblemOut(position=p.position, reason=p.reason, report_id=p.report_id)
            for p in result.problems
        ],
    )


@router.post("/networks/builds", response_model=Build, status_code=201, openapi_extra=_RULE)
def build(principal: Caller, context: Context) -> Build:
    """Build networks from every stored report."""
    return Build.model_validate(network_access.build(context.store, principal))


@router.get("/networks/builds/latest", response_model=Build, openapi_extra=_RULE)
def latest(principal: Caller, context: Context) -> Build:
    """The latest build's figures."""
    return Build.model_validate(network_access.latest_figures(context.store, principal))


@router.get("/networks/builds/latest/networks", response_model=Networks, openapi_extra=_RULE)
def networks(principal: Caller, context: Context, cursor: Cursor, limit: Limit = 100) -> Networks:
    """The latest build's networks with their figures, by id (N2 before N10)."""
    build, rows, more = network_access.network_page(
        context.store, principal, after=text_key(cursor), limit=limit
    )
    return Networks(
        build=build["build"],
        items=[NetworkFigures.model_validate(r) for r in rows],
        next_cursor=encode(rows[-1]["network"]) if more and rows else None,
    )


class Member(BaseModel):
    """A member of a network and its rankings."""

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


class DrawnNode(BaseModel):
    """A node as drawn: its kind, where (unit square), and for media whether it is known and
    how many members hold it."""

    id: int
    kind: str
    key: str
    label: str
    country: str | None
    key_player: bool
    known: bool | None
    holders: int | None
    x: float
    y: float


class DrawnEdge(BaseModel):
    """An edge between two drawn nodes."""

    source: int
    target: int
    relation: str


class Drawing(BaseModel):
    """The network's members and (up to a bound) the media they hold, laid out."""

    nodes: list[DrawnNode]
    edges: list[DrawnEdge]
    media_shown: int
    media_total: int


class CountryCount(BaseModel):
    """Members attributed to one country."""

    country: str
    members: int


class NetworkGraph(BaseModel):
    """One network of the latest build: figures, members, key players, countries, drawing."""

    build: str
    created_at: str
    network: dict[str, Any]
    members: list[Member]
    key_players: list[str]
    countries: list[CountryCount]
    graph: Drawing


@router.get(
    "/networks/builds/latest/networks/{network}",
    response_model=NetworkGraph,
    openapi_extra=_RULE,
)
def network(
    network: Annotated[str, Path(min_length=1, max_length=40)], principal: Caller, context: Context
) -> NetworkGraph:
    """One network of the latest build, with a drawing of it."""
    return NetworkGraph.model_validate(
        network_views.network_graph(context.store, principal, network)
    )


@router.get(
    "/networks/builds/latest/graphml",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/graphml+xml": {}}}},
    openapi_extra=_RULE,
)
def graphml(principal: Caller, context: Context) -> StreamingResponse:
    """The latest build's whole graph as GraphML (as ``interlink networks export``)."""
    name, pieces = network_views.graphml(context.store, principal)
    return StreamingResponse(
        pieces,
        media_type="application/graphml+xml",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
