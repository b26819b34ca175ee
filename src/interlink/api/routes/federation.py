"""``/federation/v1/...``: what this node answers its peers (node to node, not users).

Every request is a signed request (``federation/signing.py``): from a pinned key, inside the
300 s window, once per nonce. ``services.federation_node.handle`` authenticates, routes and
audits; this adapter only carries the raw bytes, rate-limits (per client address before the
signature is checked, per peer after), and answers a refused signature with 401. The routes
declare the ``peer`` rule: no user, whatever their role, may call them.
"""

from __future__ import annotations

import logging
import os
import threading

from fastapi import APIRouter, FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from interlink.adapters.sql.peers import PeerRecord
from interlink.api import problems, rules
from interlink.api.deps import Context, ServerContext, client_of
from interlink.auth.ratelimit import RateLimiter
from interlink.domain.errors import PeerAuthenticationError
from interlink.federation.transport import (
    BATCH_PATH,
    HELLO_PATH,
    HITS_PATH,
    LISTS_PATH,
    OPERATION_FIGURES_PATH,
    OVERLAP_OPEN_PATH,
    OVERLAP_QUERY_PATH,
    OVERLAP_REVEAL_PATH,
    WATCHES_PATH,
)
from interlink.services.peers import LocalNode, local_node

router = APIRouter(tags=["federation"])
_LOG = logging.getLogger("interlink.federation")
_LOCK = threading.Lock()
OCTETS = "application/octet-stream"
#: Requests a peer may make per second (sustained) and at once (``INTERLINK_FEDERATION_RATE``
#: and ``INTERLINK_FEDERATION_BURST`` override them).
PEER_RATE = 20.0
PEER_BURST = 120
_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"content": {OCTETS: {}}, "description": "A signed document or frame."}
}


class FederationState:
    """This node's identity and the per-peer rate limit (its buckets shared by the node's
    processes when the server shares its limits), made once per process."""

    def __init__(self, context: ServerContext) -> None:
        settings = context.settings
        self.node: LocalNode = local_node(settings.home, settings.agency, settings.agency)
        rate = float(os.environ.get("INTERLINK_FEDERATION_RATE", PEER_RATE))
        burst = int(os.environ.get("INTERLINK_FEDERATION_BURST", PEER_BURST))
        self.limits = RateLimiter(
            rate, burst, what="requests from this peer", buckets=context.buckets("peers")
        )

    def admit(self, peer: PeerRecord) -> None:
        """Take one request from ``peer``'s bucket (``RateLimitedError`` when empty)."""
        self.limits.hit(peer.fingerprint)


def federation_state(request: Request, context: ServerContext) -> FederationState:
    """The federation state of this application (made on first use)."""
    with _LOCK:
        found = getattr(request.app.state, "federation", None)
        if not isinstance(found, FederationState):
            found = FederationState(context)
            request.app.state.federation = found
    return found


async def _answer(request: Request, context: ServerContext, path: str) -> Response:
    from interlink.services.federation_node import handle

    context.requests.hit("peer:" + client_of(request))
    state = await run_in_threadpool(federation_state, request, context)
    body = await request.body()
    headers = {k: v for k, v in request.headers.items() if k.lower().startswith("x-interlink-")}
    canonical = {"-".join(p.capitalize() for p in k.split("-")): v for k, v in headers.items()}
    try:
        answer = await run_in_threadpool(
            handle,
            context.store,
            state.node,
            canonical,
            request.method,
            path,
            body,
            admit=state.admit,
        )
    except PeerAuthenticationError as exc:
        _LOG.info("federation request refused: %s", exc)
        return problems.problem(401, "unauthenticated", "Not authenticated", str(exc))
    return Response(answer, media_type=OCTETS)


def _route(method: str, path: str, summary: str) -> None:
    async def endpoint(request: Request, context: Context) -> Response:
        return await _answer(request, context, path)

    endpoint.__name__ = "federation_" + path.rsplit("/v1/", 1)[1].replace("/", "_")
    router.add_api_route(
        path,
        endpoint,
        methods=[method],
        summary=summary,
        response_class=Response,
        responses=_RESPONSES,
        openapi_extra=rules.peer(),
    )


_route("POST", HELLO_PATH, "A peer proves it pinned this node; mutual peering.")
_route("GET", LISTS_PATH, "The lists this node shares with the calling peer (signed).")
_route("POST", BATCH_PATH, "A signed batch of one shared list's changes after a cursor.")
_route("POST", OVERLAP_OPEN_PATH, "Open a private overlap query (policy and quota apply).")
_route("POST", OVERLAP_QUERY_PATH, "The PSI answer to an overlap query (signed frame).")
_route("POST", OVERLAP_REVEAL_PATH, "Contacts and verified near-duplicates of the matches.")
_route("GET", WATCHES_PATH, "This node's watches, for a peer the policy sends them to (signed).")
_route("POST", HITS_PATH, "A partner reports a hit on one of this node's watches.")
_route(
    "POST",
    OPERATION_FIGURES_PATH,
    "The figures (counts only) of this node's operation joined with the peer's.",
)


def install(app: FastAPI) -> None:
    """Mount the node-to-node routes (at the root, beside the health probes) and, when
    ``INTERLINK_FEDERATION_INTERVAL`` is set above 0 (``interlink serve`` sets it), run the
    federation worker (periodic pulls, queued retries) while the application runs."""
    app.include_router(router, responses=problems.RESPONSES)
    interval = float(os.environ.get("INTERLINK_FEDERATION_INTERVAL", "0") or 0)
    if interval <= 0:
        return

    def start() -> None:
        from interlink.services.federation_worker import FederationWorker

        context = app.state.interlink
        settings = context.settings
        node = local_node(settings.home, settings.agency, settings.agency)
        worker = FederationWorker(context.store, node, interval=interval)
        app.state.federation_worker = worker
        worker.start()

    def stop() -> None:
        worker = getattr(app.state, "federation_worker", None)
        if worker is not None:
            worker.stop()

    app.router.on_startup.append(start)
    app.router.on_shutdown.append(stop)
