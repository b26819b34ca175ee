"""Pages over a case's media: the review queue (clue badges, duplicates stacked, keyboard
moves) and one media item, always blurred and greyscale until the viewer reveals it (the
reveal itself is the API's ``POST .../reveal``, called by the page's script)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from interlink.api import rules
from interlink.api.deps import Context, ServerContext
from interlink.domain.errors import NotFoundError
from interlink.domain.principal import Capability as C
from interlink.services import case_media, grading, review_queue
from interlink.services.exposure import FRESH_SECOND_FACTOR, exposure_of
from interlink.web.listing import Listing, table
from interlink.web.session import PageViewer, Viewer, show

router = APIRouter(include_in_schema=False)
REVIEW_COLUMNS = ("queue", "path", "copies", "serial", "captured", "gps", "series", "sha256")


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    """A media row with the columns the queue sorts and filters on."""
    clues = row.get("clues") or {}
    lat, lon = clues.get("latitude"), clues.get("longitude")
    return {
        **row,
        "path": row["paths"][0] if row["paths"] else "",
        "copies": len(row["paths"]),
        "serial": clues.get("serial"),
        "camera": " ".join(str(v) for v in (clues.get("make"), clues.get("model")) if v),
        "captured": clues.get("captured_utc") or clues.get("captured_local"),
        "gps": f"{lat:.5f}, {lon:.5f}" if lat is not None and lon is not None else None,
    }


def _queue_row(row: dict[str, Any]) -> dict[str, Any]:
    """A review-queue row with its sort columns (``queue``: new first, known by series)."""
    flat = _flat(row)
    flat["queue"] = review_queue.queue_order(row)
    flat["series"] = row["series"][0] if row["series"] else None
    return flat


def _folded(rows: list[dict[str, Any]], fold: bool) -> list[dict[str, Any]]:
    """The page's rows with known media of one series (next to each other in queue order)
    folded into one entry; ``{"item": row}`` or ``{"series": name, "items": rows}``."""
    entries: list[dict[str, Any]] = []
    for row in rows:
        last = entries[-1] if entries else None
        key = (row["reviewed"], row["series"])
        if fold and row["known"] and row["series"]:
            if last is not None and "series" in last and last["key"] == key:
                last["items"].append(row)
                continue
            entries.append({"series": row["series"], "key": key, "items": [row]})
        else:
            entries.append({"item": row})
    return entries


@router.get("/cases/{case}/review", openapi_extra=rules.needs(C.MEDIA_BLURRED, scoped=True))
def review(
    request: Request,
    case: str,
    who: PageViewer,
    context: Context,
    listing: Listing,
) -> Response:
    """The case's media to review, blurred: new first, known ones folded by series,
    duplicates stacked, clue badges, the viewer's reviewed marks, and a category vote on each
    item (the grading service's, as on the media page; JSON twin:
    ``GET /api/v1/cases/{case}/review``)."""
    rows = [_queue_row(r) for r in review_queue.review_queue(context.store, who.principal, case)]
    shown = table(rows, columns=REVIEW_COLUMNS, listing=listing)
    return show(
        request,
        who,
        "review.html",
        twin=f"/api/v1/cases/{case}/review",
        case=case,
        table=shown,
        entries=_folded(shown.rows, shown.sort == "queue"),
        new=sum(not r["reviewed"] for r in rows),
        columns=REVIEW_COLUMNS,
        categories=grading.categories(),
    )


@router.get("/cases/{case}/media/{sha256}", openapi_extra=rules.needs(C.MEDIA_BLURRED, scoped=True))
def media_item(
    request: Request, case: str, sha256: str, who: PageViewer, context: Context
) -> Response:
    """One media, blurred, with its clues and the reveal form (JSON twins: its row of
    ``GET /api/v1/cases/{case}/media`` and ``GET /api/v1/exposure``)."""
    value = sha256.strip().lower()
    rows = case_media.media_list(context.store, who.principal, case)
    found = next((r for r in rows if r["sha256"] == value), None)
    if found is None:
        raise NotFoundError("media", sha256)
    return show(
        request,
        who,
        "media.html",
        twin=f"/api/v1/cases/{case}/media",
        case=case,
        item=_flat(found),
        exposure=exposure_of(context.store, who.principal).as_json(),
        fresh_minutes=int(FRESH_SECOND_FACTOR.total_seconds() // 60),
        **_grading(context, who, case, value),
    )


def _grading(context: ServerContext, who: Viewer, case: str, sha256: str) -> dict[str, Any]:
    """The media's grading panel: its votes and trusted grade (``grading.media_grading``,
    JSON twin ``GET .../votes``), and the categories a vote may give."""
    found = grading.media_grading(
        context.store, who.principal, case, sha256, trusted_votes=context.settings.trusted_votes
    )
    return {
        "grading": found,
        "categories": grading.categories(),
        "vote_url": f"/api/v1/cases/{case}/media/{sha256}/votes",
    }
