"""HTTP routes under ``/api/v1/oracle``, each calling one service method. Feed names may
contain ``/`` (``NEO/USD``): feed routes take the name as a ``{feed:path}`` before a fixed
suffix, so the suffix routes come first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from nsl.core.security import Principal, Role, require_roles
from nsl.services.oracle.schemas import FeedBody, FeedPatch, RequestBody, VerifyBody

if TYPE_CHECKING:
    from nsl.services.oracle.service import OracleService

_ANY_ROLE = require_roles(*Role)
CREATED = 201


async def caller(request: Request) -> Principal:
    return _ANY_ROLE(request)


def build_router(service: OracleService) -> APIRouter:
    router = APIRouter(prefix="/api/v1/oracle", tags=["oracle"])

    @router.post("/feeds", status_code=CREATED, summary="Define a feed (admin or operator)")
    async def create_feed(body: FeedBody, principal: Principal = Depends(caller)) -> JSONResponse:
        """At least 3 HTTPS JSON sources, each with a JSONPath; aggregation, minimum answering
        sources, deviation threshold and heartbeat decide when a round is published."""
        return JSONResponse(await service.create_feed(body, principal=principal), CREATED)

    @router.get("/feeds", summary="Feeds with their latest value and freshness")
    async def list_feeds(
        page: int = 1, page_size: int = 50, principal: Principal = Depends(caller)
    ) -> JSONResponse:
        return JSONResponse(
            await service.list_feeds(principal=principal, page_number=page, page_size=page_size)
        )

    @router.get("/feeds/{feed:path}/latest", summary="The latest signed report, for any chain")
    async def latest(feed: str, principal: Principal = Depends(caller)) -> JSONResponse:
        """Value, round, timestamp, freshness (``updated_at``, ``heartbeat_s``, ``stale``) and,
        per target (off-chain, each consumer contract), the signed message, the signatures and
        the packed ``signatures`` argument for ``OracleConsumer.submit``."""
        return JSONResponse(await service.latest(feed, principal=principal))

    @router.get("/feeds/{feed:path}/rounds", summary="A feed's final rounds, newest first")
    async def rounds(
        feed: str, page: int = 1, page_size: int = 50, principal: Principal = Depends(caller)
    ) -> JSONResponse:
        return JSONResponse(
            await service.list_rounds(
                feed, principal=principal, page_number=page, page_size=page_size
            )
        )

    @router.get("/feeds/{feed:path}", summary="One feed")
    async def get_feed(feed: str, principal: Principal = Depends(caller)) -> JSONResponse:
        return JSONResponse(await service.get_feed(feed, principal=principal))

    @router.patch("/feeds/{feed:path}", summary="Pause or resume a feed (owner or admin)")
    async def update_feed(
        feed: str, body: FeedPatch, principal: Principal = Depends(caller)
    ) -> JSONResponse:
        return JSONResponse(await service.update_feed(feed, body, principal=principal))

    @router.post("/verify", summary="Check a report's signatures against the signer set")
    async def verify(body: VerifyBody, principal: Principal = Depends(caller)) -> JSONResponse:
        """``valid`` when at least ``threshold`` distinct signer-set members signed exactly this
        report (off-chain, Neo N3 or Neo X form); each signature is reported on."""
        return JSONResponse(await service.verify_report(body, principal=principal))

    @router.get("/node", summary="This node's public keys and the signer set's size and quorum")
    async def node(principal: Principal = Depends(caller)) -> JSONResponse:
        return JSONResponse(service.node())

    @router.post(
        "/requests", status_code=CREATED, summary="Fetch a URL and sign the filtered result"
    )
    async def create_request(
        body: RequestBody, principal: Principal = Depends(caller)
    ) -> JSONResponse:
        """Same rules as feed sources (public https targets, size cap, timeout); answered with
        the canonical result and this node's signature over ``DOMAIN ‖ sha256(envelope)``."""
        return JSONResponse(await service.create_request(body, principal=principal), CREATED)

    @router.get("/requests/{request_id}", summary="One of your requests")
    async def get_request(request_id: str, principal: Principal = Depends(caller)) -> JSONResponse:
        return JSONResponse(await service.get_request(request_id, principal=principal))

    @router.get("/usage", summary="Your oracle calls per day (admins: anyone's)")
    async def usage(
        principal_id: str | None = None, principal: Principal = Depends(caller)
    ) -> JSONResponse:
        return JSONResponse(await service.usage(principal=principal, principal_id=principal_id))

    return router
