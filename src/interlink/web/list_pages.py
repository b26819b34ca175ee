"""Pages over the node's known lists: the lists (import by upload, enable, disable), one
list in detail with its versions, what a version changed, two lists compared, and the items
lists disagree on with a vote for each. Each calls the service its JSON twin calls; changes
are the API's, sent by the page's script (``static/actions.js``)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from interlink.api import rules
from interlink.api.deps import Context
from interlink.domain.principal import Capability as C
from interlink.formats import registry
from interlink.services import grading, list_compare, shared_lists
from interlink.web.listing import Listing, ListQuery, table
from interlink.web.session import PageViewer, show

router = APIRouter(include_in_schema=False)
LIST_COLUMNS = ("name", "source", "version", "imported_at", "enabled", "entries")
CONFLICT_COLUMNS = ("item", "categories")
DIFF_COLUMNS = ("difference", "item", "details")
VERSION_COLUMNS = ("generation", "version", "imported_at", "added", "changed", "removed")
#: Versions a list's page shows, the newest first (every one on its versions page).
NEWEST_VERSIONS = 5
CHANGE_COLUMNS = ("change", "item", "category_before", "category_after", "changed_fields")


@router.get("/lists", openapi_extra=rules.needs(C.LISTS_READ))
def lists(
    request: Request,
    who: PageViewer,
    context: Context,
    listing: Listing,
) -> Response:
    """Every list with its size; import, enable, disable (JSON twin: ``GET /api/v1/lists``)."""
    rows = shared_lists.all_lists(context.store, who.principal)
    shown = table(rows, columns=LIST_COLUMNS, listing=listing)
    return show(
        request,
        who,
        "lists.html",
        twin="/api/v1/lists",
        table=shown,
        formats=sorted(registry.FORMATS),
    )


@router.get("/lists/conflicts", openapi_extra=rules.needs(C.VOTES))
def conflicts(
    request: Request,
    who: PageViewer,
    context: Context,
    listing: Listing,
) -> Response:
    """Items the enabled lists put in different categories, every vote shown, with the
    curator's own vote (JSON twin: ``GET /api/v1/lists/votes``)."""
    rows: list[dict[str, Any]] = [
        {
            **r,
            "item": f"{r['signal']}:{r['value']}",
            "categories": ", ".join(v["category"] for v in r["votes"]),
        }
        for r in shared_lists.votes(context.store, who.principal, 10_000)
    ]
    shown = table(rows, columns=CONFLICT_COLUMNS, listing=listing)
    return show(
        request,
        who,
        "conflicts.html",
        twin="/api/v1/lists/votes",
        table=shown,
        categories=grading.categories(),
    )


@router.get("/lists/{name}", openapi_extra=rules.needs(C.LISTS_READ))
def list_detail(request: Request, name: str, who: PageViewer, context: Context) -> Response:
    """One list in detail with its newest versions (every one on the versions page), and a
    form to compare it with another (JSON twin: ``GET /api/v1/lists/{name}``)."""
    found = shared_lists.show(context.store, who.principal, name, context.settings.trusted_votes)
    names = [r["name"] for r in shared_lists.all_lists(context.store, who.principal)]
    every = shared_lists.versions(context.store, who.principal, name)
    return show(
        request,
        who,
        "list.html",
        twin=f"/api/v1/lists/{name}",
        name=name,
        item=found,
        versions=table(
            every, columns=VERSION_COLUMNS, listing=ListQuery("-generation"), limit=NEWEST_VERSIONS
        ),
        generations=list(reversed(every)),
        others=[n for n in names if n != name],
        formats=sorted(n for n, f in registry.FORMATS.items() if f.write is not None),
    )


@router.get("/lists/{name}/versions", openapi_extra=rules.needs(C.LISTS_READ))
def versions(
    request: Request,
    name: str,
    who: PageViewer,
    context: Context,
    listing: Listing,
) -> Response:
    """Every version of the list with what it added, changed and removed, newest first,
    sorted, filtered and paged (JSON twin: ``GET /api/v1/lists/{name}/versions``)."""
    every = shared_lists.versions(context.store, who.principal, name)
    return show(
        request,
        who,
        "list_versions.html",
        twin=f"/api/v1/lists/{quote(name, safe='')}/versions",
        name=name,
        table=table(every, columns=VERSION_COLUMNS, listing=listing, default_sort="-generation"),
        base=f"/lists/{quote(name, safe='')}/versions",
    )


@router.get("/lists/{name}/diff/{other}", openapi_extra=rules.needs(C.LISTS_READ))
def diff(
    request: Request,
    name: str,
    other: str,
    who: PageViewer,
    context: Context,
    listing: Listing,
) -> Response:
    """Two lists compared item by item: exact counts, and examples of each difference
    (JSON twin: ``GET /api/v1/lists/{name}/diff/{other}``)."""
    result = shared_lists.diff(context.store, who.principal, name, other)
    kinds = {
        "different": "in both, different",
        "only_a": f"only in {name}",
        "only_b": f"only in {other}",
    }
    rows = [
        {
            "difference": label,
            "item": row["item"],
            "details": "; ".join(f"{k} {v}" for k, v in row.items() if k != "item"),
        }
        for kind, label in kinds.items()
        for row in result.samples.get(kind, [])
    ]
    shown = table(rows, columns=DIFF_COLUMNS, listing=listing)
    base = f"/lists/{quote(name, safe='')}/diff/{quote(other, safe='')}"
    return show(
        request,
        who,
        "list_diff.html",
        twin=f"/api/v1/lists/{name}/diff/{other}",
        diff=result,
        table=shown,
        base=base,
        per_kind=list_compare.SAMPLES,
    )


@router.get("/lists/{name}/changes", openapi_extra=rules.needs(C.LISTS_READ))
def changes(
    request: Request,
    name: str,
    who: PageViewer,
    context: Context,
    listing: Listing,
    after: Annotated[int | None, Query(alias="from", ge=0)] = None,
    upto: Annotated[int | None, Query(alias="to", ge=0)] = None,
) -> Response:
    """What a version of the list changed since an older one: entries added, removed and
    changed in category (JSON twin: ``GET /api/v1/lists/{name}/changes``)."""
    found = shared_lists.changes(context.store, who.principal, name, after, upto)
    rows = [{**r, "changed_fields": ", ".join(r["fields"])} for r in found["items"]]
    shown = table(rows, columns=CHANGE_COLUMNS, listing=listing)
    span = f"from={found['from']}&to={found['to']}"
    return show(
        request,
        who,
        "list_changes.html",
        twin=f"/api/v1/lists/{quote(name, safe='')}/changes?{span}",
        name=name,
        found=found,
        table=shown,
        base=f"/lists/{quote(name, safe='')}/changes?{span}",
    )
