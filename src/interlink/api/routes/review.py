"""A case's media as a reviewer sees them: ``GET /api/v1/cases/{case}/media/{sha256}`` (one
media with its clues, list matches and series), the review queue
``GET /api/v1/cases/{case}/review`` (new first, known ones by series), the caller's own
reviewed mark ``PUT .../media/{sha256}/review``, and ``GET /api/v1/cases/{case}/clues``
(how many cameras, places, capture days and captures) with a listing of each
(``.../clues/cameras``, ``/places``, ``/timeline``, ``/captures``)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel

from interlink.api import rules
from interlink.api.deps import Caller, Context
from interlink.api.pagination import Cursor, Limit, Page, decode, encode, next_cursor, typed_key
from interlink.domain.principal import Capability as C
from interlink.services import case_clues, review_queue

router = APIRouter(tags=["review"])


class Camera(BaseModel):
    """The camera a media names."""

    make: str | None
    model: str | None
    serial: str | None
    lens_serial: str | None


class Gps(BaseModel):
    """Where a media says it was made (decimal degrees; metres)."""

    latitude: float
    longitude: float
    altitude: float | None


class Dates(BaseModel):
    """When a media says it was made (UTC only when the file gave the offset)."""

    captured_utc: str | None
    captured_local: str | None
    captured_raw: str | None


class Match(BaseModel):
    """A list entry the media matched; ``own_vote``: the caller's agency's vote (a grade,
    not a sign the item was known before)."""

    list: str | None
    category: str | None
    category_label: str | None
    series: str | None
    victim_identified: bool | None
    external_id: str | None
    signal: str
    distance: int
    own_vote: bool


class MediaItem(BaseModel):
    """A media of the case: where it was seen, its clues, matches, series, and whether the
    caller marked it reviewed. ``known``: a list or another agency's vote names it (the
    caller's agency's own votes are ``your_votes``, not known)."""

    sha256: str
    paths: list[str]
    copies: int
    camera: Camera | None
    gps: Gps | None
    dates: Dates | None
    clues: dict[str, Any] | None
    matches: list[Match]
    known: bool
    your_votes: list[str]
    series: list[str]
    reviewed: bool
    reviewed_at: str | None


class ReviewMark(BaseModel):
    """The caller's reviewed mark on a media."""

    reviewed: bool


class ReviewState(BaseModel):
    """The caller's mark after the change."""

    sha256: str
    reviewed: bool
    reviewed_at: str | None


class CameraGroup(BaseModel):
    """A camera and the media it made."""

    make: str | None
    model: str | None
    serial: str | None
    media: list[str]


class Place(BaseModel):
    """Coordinates (rounded to about 11 m) and the media made there."""

    latitude: float
    longitude: float
    media: list[str]


class Day(BaseModel):
    """A capture day and the media made that day."""

    day: str
    media: list[str]


class Capture(BaseModel):
    """One media's capture time (``utc``: whether the file gave the offset)."""

    sha256: str
    at: str
    utc: bool


class Clues(BaseModel):
    """What a case's media say about where and when they were made, counted: how many
    cameras, places, capture days and captures (each listed at ``.../clues/{kind}``)."""

    case: str
    media: int
    cameras: int
    places: int
    timeline: int
    captures: int


@router.get(
    "/cases/{case}/media/{sha256}",
    response_model=MediaItem,
    openapi_extra=rules.needs(C.MEDIA_BLURRED, scoped=True),
)
def media_item(case: str, sha256: str, principal: Caller, context: Context) -> MediaItem:
    """One media of the case with its clues, list matches, series and the caller's mark."""
    row = review_queue.media_item(context.store, principal, case, sha256)
    return MediaItem.model_validate(row)


@router.put(
    "/cases/{case}/media/{sha256}/review",
    response_model=ReviewState,
    openapi_extra=rules.needs(C.MEDIA_BLURRED, scoped=True),
)
def mark(
    case: str, sha256: str, body: ReviewMark, principal: Caller, context: Context
) -> ReviewState:
    """Mark a media reviewed (or new again) for the caller; audited."""
    state = review_queue.mark_reviewed(
        context.store, principal, case, sha256, reviewed=body.reviewed
    )
    return ReviewState.model_validate(state)


@router.get(
    "/cases/{case}/review",
    response_model=Page[MediaItem],
    openapi_extra=rules.needs(C.MEDIA_BLURRED, scoped=True),
)
def queue(
    case: str,
    principal: Caller,
    context: Context,
    cursor: Cursor,
    limit: Limit = 100,
    state: Literal["new", "reviewed"] | None = None,
) -> Page[MediaItem]:
    """The review queue: media the caller has not reviewed first, unknown before known,
    known ones together by series."""
    key = typed_key(cursor, int, int, str, str, str)
    rows, after = review_queue.review_page(
        context.store,
        principal,
        case,
        state=state,
        after=None if key is None else (key[0], key[1], key[2], key[3], key[4]),
        limit=limit,
    )
    return Page[MediaItem](
        items=[MediaItem.model_validate(r) for r in rows], next_cursor=next_cursor(after)
    )


_CLUES = rules.needs(C.MEDIA_BLURRED, scoped=True)


@router.get("/cases/{case}/clues", response_model=Clues, openapi_extra=_CLUES)
def clues(case: str, principal: Caller, context: Context) -> Clues:
    """How many cameras, places (coordinates), capture days and captures the case's media
    give."""
    return Clues.model_validate(case_clues.clue_counts(context.store, principal, case))


def _clue_listing(kind: str, model: type[BaseModel], doc: str) -> None:
    """Route ``GET /cases/{case}/clues/{kind}``: a page of the case's clues of ``kind``,
    cut by the service (``case_clues.clue_page``) in the order of its key."""

    def listing(
        case: str, principal: Caller, context: Context, cursor: Cursor, limit: Limit = 100
    ) -> dict[str, Any]:
        rows, after = case_clues.clue_page(
            context.store, principal, case, kind, after=decode(cursor), limit=limit
        )
        return {"items": rows, "next_cursor": None if after is None else encode(after)}

    router.add_api_route(
        f"/cases/{{case}}/clues/{kind}",
        listing,
        methods=["GET"],
        response_model=Page[model],  # type: ignore[valid-type]
        openapi_extra=_CLUES,
        name=f"clue_{kind}",
        summary=f"Clue {kind}",
        description=doc,
    )


_clue_listing("cameras", CameraGroup, "The cameras the case's media name, with their media.")
_clue_listing("places", Place, "Places (coordinates, about 11 m) with the media made there.")
_clue_listing("timeline", Day, "The days the case's media were captured on, with their media.")
_clue_listing("captures", Capture, "Each media's capture time, by time and SHA-256.")
