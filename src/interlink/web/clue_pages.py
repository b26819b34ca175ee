"""The clues page of a case: its cameras, places as coordinates and a capture timeline, from
the service its JSON twin ``GET /api/v1/cases/{case}/clues`` calls."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from interlink.api import rules
from interlink.api.deps import Context
from interlink.domain.principal import Capability as C
from interlink.services import case_clues
from interlink.web.listing import Listing, ListQuery, table
from interlink.web.session import PageViewer, show

router = APIRouter(include_in_schema=False)
CAMERA_COLUMNS = ("camera", "serial", "count")
PLACE_COLUMNS = ("latitude", "longitude", "count", "place")
#: Places the clues page shows, the most used first (every one on the places page).
PREVIEW = 10


@router.get("/cases/{case}/clues", openapi_extra=rules.needs(C.MEDIA_BLURRED, scoped=True))
def clues(
    request: Request,
    case: str,
    who: PageViewer,
    context: Context,
    listing: Listing,
) -> Response:
    """Cameras (sorted, filtered, paged), the most used places (every one, sorted, filtered
    and paged, on the places page) and the capture timeline of the case's media."""
    view = case_clues.case_clues(context.store, who.principal, case)
    widest = max((len(d["media"]) for d in view["timeline"]), default=1)
    cameras = [
        {**c, "camera": " ".join(v for v in (c["make"], c["model"]) if v), "count": len(c["media"])}
        for c in view["cameras"]
    ]
    places = _places(view)
    return show(
        request,
        who,
        "clues.html",
        twin=f"/api/v1/cases/{case}/clues",
        case=case,
        clues=view,
        widest=widest,
        table=table(cameras, columns=CAMERA_COLUMNS, listing=listing, default_sort="-count"),
        places=table(places, columns=PLACE_COLUMNS, listing=ListQuery("-count"), limit=PREVIEW),
        base=f"/cases/{quote(case, safe='')}/clues",
    )


@router.get("/cases/{case}/clues/places", openapi_extra=rules.needs(C.MEDIA_BLURRED, scoped=True))
def places(
    request: Request,
    case: str,
    who: PageViewer,
    context: Context,
    listing: Listing,
) -> Response:
    """Every place the case's media were made at, sorted, filtered and paged (JSON twin:
    ``GET /api/v1/cases/{case}/clues/places``)."""
    view = case_clues.case_clues(context.store, who.principal, case)
    return show(
        request,
        who,
        "clue_places.html",
        twin=f"/api/v1/cases/{case}/clues/places",
        case=case,
        table=table(_places(view), columns=PLACE_COLUMNS, listing=listing, default_sort="-count"),
        base=f"/cases/{quote(case, safe='')}/clues/places",
    )


def _places(view: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {**p, "place": f"{p['latitude']:.4f}, {p['longitude']:.4f}", "count": len(p["media"])}
        for p in view["places"]
    ]
