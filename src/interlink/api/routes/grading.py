"""Grading: an agency's category vote on an item and the trusted grade the votes give.

- ``/api/v1/cases/{case}/media/{sha256}/votes``: a media of an own case (examiners vote,
  ``grading``; anyone who sees the case's media reads the grading).
- ``/api/v1/lists/votes/{signal}/{value}``: an item a list names by an MD5, SHA-1 or SHA-256
  (curators, ``votes``).

``POST`` gives the caller's agency's vote (``{"category": "scheme:code"}``), replacing its
earlier vote under that scheme; ``DELETE .../{scheme}`` withdraws it. Every answer is the
item's grading after the change."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from interlink.api import rules
from interlink.api.deps import Caller, Context
from interlink.domain.principal import Capability as C
from interlink.services import grading

router = APIRouter(tags=["grading"])
_MEDIA = "/cases/{case}/media/{sha256}/votes"
_ITEM = "/lists/votes/{signal}/{value}"


class VoteIn(BaseModel):
    """A category vote: ``scheme:code`` (``uk:A``, ``projectvic-us:1``, ...)."""

    category: str = Field(min_length=3, max_length=60, examples=["uk:A"])


class CategoryVote(BaseModel):
    """The agencies that give the item one category."""

    category: str
    scheme: str
    label: str
    agencies: int
    agency_names: list[str] | None
    lists: list[str] | None
    trusted: bool
    yours: bool


class Grading(BaseModel):
    """An item's votes per category, its trusted grade (the categories at least
    ``trusted_votes`` agencies give), and whether one scheme got two codes."""

    signals: dict[str, str]
    votes: list[CategoryVote]
    trusted_grade: list[str]
    conflict: bool
    your_votes: list[str]
    trusted_votes: int


@router.get(_MEDIA, response_model=Grading, openapi_extra=rules.needs(C.MEDIA_BLURRED, scoped=True))
def media_grading(case: str, sha256: str, principal: Caller, context: Context) -> Grading:
    """The grading of a media of the case."""
    found = grading.media_grading(
        context.store, principal, case, sha256, trusted_votes=context.settings.trusted_votes
    )
    return Grading.model_validate(found)


@router.post(
    _MEDIA,
    response_model=Grading,
    openapi_extra=rules.needs(C.MEDIA_BLURRED, C.GRADING, scoped=True, all_of=True),
)
def vote_media(
    case: str, sha256: str, body: VoteIn, principal: Caller, context: Context
) -> Grading:
    """The caller's agency's category vote for a media of the case."""
    found = grading.vote_media(
        context.store,
        principal,
        case,
        sha256,
        body.category,
        trusted_votes=context.settings.trusted_votes,
    )
    return Grading.model_validate(found)


@router.delete(
    _MEDIA + "/{scheme}",
    response_model=Grading,
    openapi_extra=rules.needs(C.MEDIA_BLURRED, C.GRADING, scoped=True, all_of=True),
)
def withdraw_media_vote(
    case: str, sha256: str, scheme: str, principal: Caller, context: Context
) -> Grading:
    """Withdraw the caller's agency's vote under ``scheme`` for a media of the case."""
    found = grading.withdraw_media_vote(
        context.store,
        principal,
        case,
        sha256,
        scheme,
        trusted_votes=context.settings.trusted_votes,
    )
    return Grading.model_validate(found)


@router.get(_ITEM, response_model=Grading, openapi_extra=rules.needs(C.VOTES))
def item_grading(signal: str, value: str, principal: Caller, context: Context) -> Grading:
    """The grading of an item the lists name."""
    found = grading.item_grading(
        context.store, principal, signal, value, trusted_votes=context.settings.trusted_votes
    )
    return Grading.model_validate(found)


@router.post(_ITEM, response_model=Grading, openapi_extra=rules.needs(C.VOTES))
def vote_item(
    signal: str, value: str, body: VoteIn, principal: Caller, context: Context
) -> Grading:
    """The caller's agency's category vote for an item the lists name."""
    found = grading.vote_item(
        context.store,
        principal,
        signal,
        value,
        body.category,
        trusted_votes=context.settings.trusted_votes,
    )
    return Grading.model_validate(found)


@router.delete(_ITEM + "/{scheme}", response_model=Grading, openapi_extra=rules.needs(C.VOTES))
def withdraw_item_vote(
    signal: str, value: str, scheme: str, principal: Caller, context: Context
) -> Grading:
    """Withdraw the caller's agency's vote under ``scheme`` for a listed item."""
    found = grading.withdraw_item_vote(
        context.store,
        principal,
        signal,
        value,
        scheme,
        trusted_votes=context.settings.trusted_votes,
    )
    return Grading.model_validate(found)
