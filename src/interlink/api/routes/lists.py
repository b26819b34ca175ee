"""``/api/v1/lists``: the node's known lists: listing, detail, upload import (size-limited),
enable and disable, diff, export, and the votes lists disagree on."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from interlink.api import rules
from interlink.api.deps import Caller, Context
from interlink.api.pagination import (
    Cursor,
    Limit,
    Page,
    encode,
    next_cursor,
    position,
    text_key,
    typed_key,
)
from interlink.domain.principal import Capability as C
from interlink.services import shared_lists

router = APIRouter(prefix="/lists", tags=["lists"])
_READ = rules.needs(C.LISTS_READ)
_WRITE = rules.needs(C.LISTS_WRITE)
Name = Annotated[str, Form(min_length=1, max_length=200)]


class ListOut(BaseModel):
    """A list and its size."""

    name: str
    source: str
    version: str
    imported_at: str | None
    enabled: bool
    entries: int
    pdq_threshold: int


class ListDetail(ListOut):
    """A list in detail."""

    by_category: dict[str, int]
    by_signal: dict[str, int]
    by_agency: dict[str, int]
    flags: dict[str, dict[str, int]]
    trusted: int
    trusted_votes: int


class RecordProblem(BaseModel):
    """A record of the file that could not be read (nothing of it was kept)."""

    position: str
    reason: str
    fatal: bool


class Imported(BaseModel):
    """What an import did."""

    name: str
    format: str
    mode: str
    entries: int
    added: int
    changed: int
    unchanged: int
    deleted: int
    errors: int
    truncated: bool
    rematched: int
    error_details: list[RecordProblem]


class Diff(BaseModel):
    """Two lists compared item by item."""

    a: str
    b: str
    only_a: int
    only_b: int
    same: int
    different: int
    samples: dict[str, list[dict[str, Any]]]


@router.get("", response_model=Page[ListOut], openapi_extra=_READ)
def all_lists(
    principal: Caller, context: Context, cursor: Cursor, limit: Limit = 100
) -> Page[ListOut]:
    """Every list with its size, by name."""
    rows, after = shared_lists.list_page(
        context.store, principal, after=text_key(cursor), limit=limit
    )
    return Page[ListOut](
        items=[ListOut.model_validate(r) for r in rows], next_cursor=next_cursor(after)
    )


@router.post("", response_model=Imported, status_code=201, openapi_extra=_WRITE)
def import_list(
    principal: Caller,
    context: Context,
    file: Annotated[UploadFile, File(description="The list file.")],
    name: Name,
    format: Annotated[str, Form(max_length=20)] = "auto",
    version: Annotated[str, Form(max_length=100)] = "",
    mode: Annotated[Literal["auto", "full", "delta"], Form()] = "auto",
) -> Imported:
    """Import an uploaded list file as a version of the list ``name``."""
    result = shared_lists.import_upload(
        context.store,
        principal,
        file.file,
        name=name,
        fmt=format,
        version=version,
        mode=mode,
        limit=context.options.max_upload_bytes,
    )
    return Imported(
        name=result.list_name,
        format=result.format,
        mode=result.mode,
        entries=result.entries,
        added=result.added,
        changed=result.changed,
        unchanged=result.unchanged,
        deleted=result.deleted,
        errors=result.error_count,
        truncated=result.truncated,
        rematched=result.rematched,
        error_details=[
            RecordProblem(position=e.position, reason=e.reason, fatal=e.fatal)
            for e in result.errors
        ],
    )


@router.get("/votes", response_model=Page[dict[str, Any]], openapi_extra=rules.needs(C.VOTES))
def votes(
    principal: Caller, context: Context, cursor: Cursor, limit: Limit = 100
) -> Page[dict[str, Any]]:
    """Items the enabled lists put in different categories, with every vote."""
    key = typed_key(cursor, str, str)
    rows, after = shared_lists.vote_page(
        context.store, principal, after=None if key is None else (key[0], key[1]), limit=limit
    )
    return Page[dict[str, Any]](items=rows, next_cursor=next_cursor(after))


@router.get("/{name}", response_model=ListDetail, openapi_extra=_READ)
def show(name: str, principal: Caller, context: Context) -> ListDetail:
    """One list in detail."""
    found = shared_lists.show(context.store, principal, name, context.settings.trusted_votes)
    return ListDetail.model_validate(found)


@router.post("/{name}/enable", response_model=ListOut, openapi_extra=_WRITE)
def enable(name: str, principal: Caller, context: Context) -> ListOut:
    """Match against this list."""
    shared_lists.set_enabled(context.store, principal, name, True)
    return ListOut.model_validate(shared_lists.summary(context.store.lists.get(name)))


@router.post("/{name}/disable", response_model=ListOut, openapi_extra=_WRITE)
def disable(name: str, principal: Caller, context: Context) -> ListOut:
    """Stop matching against this list."""
    shared_lists.set_enabled(context.store, principal, name, False)
    return ListOut.model_validate(shared_lists.summary(context.store.lists.get(name)))


@router.get("/{name}/diff/{other}", response_model=Diff, openapi_extra=_READ)
def diff(name: str, other: str, principal: Caller, context: Context) -> Diff:
    """This list compared with ``other``."""
    result = shared_lists.diff(context.store, principal, name, other)
    return Diff(
        a=result.a,
        b=result.b,
        only_a=result.only_a,
        only_b=result.only_b,
        same=result.same,
        different=result.different,
        samples=result.samples,
    )


class Version(BaseModel):
    """One version (import generation) of a list and what it changed (``None``: the first
    version recorded, whose entries were all new)."""

    generation: int
    version: str
    source: str
    imported_at: str
    added: int | None
    changed: int | None
    removed: int | None


class Change(BaseModel):
    """An entry a newer version added, removed or described differently."""

    item: str
    change: Literal["added", "removed", "changed"]
    category_before: str | None
    category_after: str | None
    fields: list[str]
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class Changes(Page[Change]):
    """What version ``to`` of list ``name`` holds differently from version ``from``: exact
    counts, and a page of the entries by key (``truncated``: more pages follow)."""

    name: str
    from_: int = Field(alias="from")
    to: int
    added: int
    removed: int
    changed: int
    truncated: bool


@router.get("/{name}/versions", response_model=Page[Version], openapi_extra=_READ)
def versions(
    name: str, principal: Caller, context: Context, cursor: Cursor, limit: Limit = 100
) -> Page[Version]:
    """The list's versions, oldest first, with how many entries each added, changed, removed."""
    after = position(cursor) if cursor else None
    found, more = shared_lists.version_page(
        context.store, principal, name, after=after, limit=limit
    )
    return Page[Version](
        items=[Version.model_validate(v) for v in found],
        next_cursor=encode(found[-1]["generation"]) if more and found else None,
    )


@router.get("/{name}/changes", response_model=Changes, openapi_extra=_READ)
def changes(
    name: str,
    principal: Caller,
    context: Context,
    after: Annotated[int | None, Query(alias="from", ge=0)] = None,
    upto: Annotated[int | None, Query(alias="to", ge=0)] = None,
    cursor: Cursor = None,
    limit: Limit = 100,
) -> Changes:
    """What version ``to`` (default: the newest) changed since version ``from`` (default: the
    one before): entries added, removed, and changed in category, series or flags, by entry."""
    found = shared_lists.changes(
        context.store, principal, name, after, upto, limit=limit, after_item=text_key(cursor)
    )
    last = found["items"][-1]["item"] if found["truncated"] and found["items"] else None
    return Changes.model_validate({**found, "next_cursor": encode(last) if last else None})


@router.get("/{name}/export", response_class=Response, openapi_extra=_READ)
def export(
    name: str,
    principal: Caller,
    context: Context,
    format: Annotated[str, Query(max_length=20)] = "csv",
) -> Response:
    """The list written in ``format`` (csv, vics, icse, hma)."""
    data = shared_lists.export(context.store, principal, name, format)
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)[:100] or "list"
    return Response(
        data,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{safe}.{format}"'},
    )
