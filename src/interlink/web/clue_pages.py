"""The clues page of a case: its cameras, places as coordinates and a capture timeline, from
the service its JSON twin ``GET /api/v1/cases/{case}/clues`` calls."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from interlink.api import rules
from interlink.api.deps import Context
from interlink.domain.principal import Capability as C
from interlink.services import case_clues
from interlink.web.session import PageViewer, show

router = APIRouter(include_in_schema=False)


@router.get("/cases/{case}/clues", openapi_extra=rules.needs(C.MEDIA_BLURRED, scoped=True))
def clues(request: Request, case: str, who: PageViewer, context: Context) -> Response:
    """Cameras, places and the capture timeline of the case's media."""
    view = case_clues.case_clues(context.store, who.principal, case)
    widest = max((len(d["media"]) for d in view["timeline"]), default=1)
    return show(
        request,
        who,
        "clues.html",
        twin=f"/api/v1/cases/{case}/clues",
        case=case,
        clues=view,
        widest=widest,
    )
