"""``/api/v1/platform-reports`` and ``/api/v1/networks``: report import, network builds."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, UploadFile
from pydantic import BaseModel

from interlink.api import rules
from interlink.api.deps import Caller, Context
from interlink.domain.principal import Capability
from interlink.services import network_access

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
    """A network build and its networks' figures."""

    build: str
    created_at: str
    reports: int
    networks: list[dict[str, Any]]


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
    """The latest build's networks."""
    return Build.model_validate(network_access.latest(context.store, principal))
