"""HTTP routes under ``/api/v1/events``, each calling one service method."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from starlette.responses import Response

from nsl.core.security import Principal, Role, require_roles
from nsl.services.events.schemas import CreateSubscription, InboxAck

if TYPE_CHECKING:
    from nsl.services.events.service import EventsService

# The auditor role reads the audit log, not other people's event streams.
_USER = require_roles(Role.ADMIN, Role.OPERATOR, Role.DEVELOPER, Role.USER, Role.SERVICE)
CREATED, NO_CONTENT = 201, 204
ONE = "/subscriptions/{subscription_id}"


async def caller(request: Request) -> Principal:
    return _USER(request)


def build_router(service: EventsService) -> APIRouter:
    router = APIRouter(prefix="/api/v1/events", tags=["events"])

    @router.post("/subscriptions", status_code=CREATED, summary="Subscribe to contract events")
    async def create(
        body: CreateSubscription, principal: Principal = Depends(caller)
    ) -> JSONResponse:
        """Events of ``contract`` on ``chain`` (optionally one ``event_name`` and argument
        ``filters``), delivered once ``confirmations`` blocks sit on top. A webhook's
        ``delivery.secret`` is returned this once: each POST carries ``X-NSL-Timestamp`` and
        ``X-NSL-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>." + body)>``, with the
        stable ``X-NSL-Event-Id``. A reorg that orphans a delivered event sends a
        ``retracted`` message with the same event id."""
        return JSONResponse(await service.create(body, principal=principal), CREATED)

    @router.get("/subscriptions", summary="Your subscriptions, newest first")
    async def list_subscriptions(
        chain: str | None = None,
        status: str | None = None,
        page: int = 1,
        page_size: int = 50,
        principal: Principal = Depends(caller),
    ) -> JSONResponse:
        result = await service.list_subscriptions(
            principal=principal, chain=chain, status=status, page_number=page, page_size=page_size
        )
        return JSONResponse(result)

    @router.get(ONE, summary="A subscription with its cursor")
    async def get(subscription_id: str, principal: Principal = Depends(caller)) -> JSONResponse:
        return JSONResponse(await service.get(subscription_id, principal=principal))

    @router.post(f"{ONE}/pause", summary="Stop scanning and sending (the cursor waits)")
    async def pause(subscription_id: str, principal: Principal = Depends(caller)) -> JSONResponse:
        return JSONResponse(
            await service.set_status(subscription_id, "paused", principal=principal)
        )

    @router.post(f"{ONE}/resume", summary="Scan and send again, from the cursor")
    async def resume(subscription_id: str, principal: Principal = Depends(caller)) -> JSONResponse:
        return JSONResponse(
            await service.set_status(subscription_id, "active", principal=principal)
        )

    @router.delete(ONE, status_code=NO_CONTENT, summary="Delete a subscription and its history")
    async def delete(subscription_id: str, principal: Principal = Depends(caller)) -> Response:
        await service.delete(subscription_id, principal=principal)
        return Response(status_code=NO_CONTENT)

    @router.get(f"{ONE}/deliveries", summary="Delivery history with attempts, newest first")
    async def deliveries(
        subscription_id: str,
        status: str | None = None,
        page: int = 1,
        page_size: int = 50,
        principal: Principal = Depends(caller),
    ) -> JSONResponse:
        result = await service.deliveries(
            subscription_id,
            principal=principal,
            status=status,
            page_number=page,
            page_size=page_size,
        )
        return JSONResponse(result)

    @router.get(f"{ONE}/dead-letters", summary="Deliveries given up after their retries")
    async def dead_letters(
        subscription_id: str,
        page: int = 1,
        page_size: int = 50,
        principal: Principal = Depends(caller),
    ) -> JSONResponse:
        result = await service.deliveries(
            subscription_id,
            principal=principal,
            status=None,
            page_number=page,
            page_size=page_size,
            dead_only=True,
        )
        return JSONResponse(result)

    @router.post(f"{ONE}/dead-letters/{{delivery_id}}/retry", summary="Send a dead letter again")
    async def retry(
        subscription_id: str, delivery_id: str, principal: Principal = Depends(caller)
    ) -> JSONResponse:
        return JSONResponse(await service.retry(subscription_id, delivery_id, principal=principal))

    @router.get(f"{ONE}/inbox", summary="Poll an inbox subscription")
    async def inbox(
        subscription_id: str,
        after: int | None = None,
        limit: int = 100,
        principal: Principal = Depends(caller),
    ) -> JSONResponse:
        """Entries with ``seq`` past ``after`` (default: past the last acknowledged), oldest
        first; pass ``next_after`` as ``after`` to read on. ``kind`` is ``event`` or
        ``retracted`` (a reorg orphaned that event id)."""
        result = await service.inbox(subscription_id, principal=principal, after=after, limit=limit)
        return JSONResponse(result)

    @router.post(f"{ONE}/inbox/ack", summary="Acknowledge (and drop) inbox entries")
    async def ack(
        subscription_id: str, body: InboxAck, principal: Principal = Depends(caller)
    ) -> JSONResponse:
        return JSONResponse(await service.ack(subscription_id, body.up_to, principal=principal))

    return router
