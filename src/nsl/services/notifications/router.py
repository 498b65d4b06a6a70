"""HTTP routes under ``/api/v1/notifications``, each calling one service method."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from starlette.responses import Response

from nsl.core.security import Principal, Role, require_roles
from nsl.services.notifications.schemas import (
    CreateChannel,
    CreateSubscription,
    SendNotification,
    TemplateBody,
)

if TYPE_CHECKING:
    from nsl.services.notifications.service import NotificationsService

_USER = require_roles(Role.ADMIN, Role.OPERATOR, Role.DEVELOPER, Role.USER, Role.SERVICE)
CREATED, ACCEPTED, NO_CONTENT = 201, 202, 204


async def caller(request: Request) -> Principal:
    return _USER(request)


def build_router(service: NotificationsService) -> APIRouter:
    router = APIRouter(prefix="/api/v1/notifications", tags=["notifications"])
    _channels(router, service)
    _templates(router, service)
    _subscriptions(router, service)

    @router.post("", status_code=ACCEPTED, summary="Send (or schedule) a notification")
    async def send(body: SendNotification, principal: Principal = Depends(caller)) -> JSONResponse:
        """To ``channel_id`` (or channel name ``channel``): ``subject`` + ``body``, or a
        ``template`` with ``variables``; ``scheduled_at`` delays it; an ``idempotency_key``
        seen before returns the first notification's id. Delivered in the background."""
        return JSONResponse(await service.send(body, principal=principal), ACCEPTED)

    @router.get("", summary="Notification history, newest first")
    async def history(
        status: str | None = None,
        page: int = 1,
        page_size: int = 50,
        principal: Principal = Depends(caller),
    ) -> JSONResponse:
        return JSONResponse(
            await service.history(
                principal=principal, status=status, page_number=page, page_size=page_size
            )
        )

    @router.get("/dead-letters", summary="Notifications given up after their retry window")
    async def dead_letters(
        page: int = 1, page_size: int = 50, principal: Principal = Depends(caller)
    ) -> JSONResponse:
        return JSONResponse(
            await service.history(
                principal=principal, status="dead", page_number=page, page_size=page_size
            )
        )

    @router.get("/inbox", summary="The caller's in-app inbox (inbox channels), newest first")
    async def inbox(
        unread: bool = False,
        page: int = 1,
        page_size: int = 50,
        principal: Principal = Depends(caller),
    ) -> JSONResponse:
        return JSONResponse(
            await service.history(
                principal=principal,
                status=None,
                page_number=page,
                page_size=page_size,
                inbox=True,
                unread=unread,
            )
        )

    @router.post("/inbox/{notification_id}/read", summary="Mark an inbox notification read")
    async def read(notification_id: str, principal: Principal = Depends(caller)) -> JSONResponse:
        return JSONResponse(await service.mark_read(notification_id, principal=principal))

    @router.get("/{notification_id}", summary="A notification's status and attempts")
    async def status(notification_id: str, principal: Principal = Depends(caller)) -> JSONResponse:
        return JSONResponse(await service.status(notification_id, principal=principal))

    @router.post("/{notification_id}/retry", summary="Send a dead letter again")
    async def retry(notification_id: str, principal: Principal = Depends(caller)) -> JSONResponse:
        return JSONResponse(await service.retry(notification_id, principal=principal))

    return router


def _channels(router: APIRouter, service: NotificationsService) -> None:
    @router.post("/channels", status_code=CREATED, summary="Register a channel")
    async def create(body: CreateChannel, principal: Principal = Depends(caller)) -> JSONResponse:
        """A webhook channel's ``secret`` is returned this once: each POST carries
        ``X-NSL-Timestamp``, ``X-NSL-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>." +
        body)>`` and the stable ``X-NSL-Notification-Id``."""
        return JSONResponse(await service.create_channel(body, principal=principal), CREATED)

    @router.get("/channels", summary="The caller's channels")
    async def listing(
        page: int = 1, page_size: int = 50, principal: Principal = Depends(caller)
    ) -> JSONResponse:
        return JSONResponse(
            await service.list_channels(principal=principal, page_number=page, page_size=page_size)
        )

    @router.get("/channels/{channel_id}", summary="One channel")
    async def get(channel_id: str, principal: Principal = Depends(caller)) -> JSONResponse:
        return JSONResponse(await service.get_channel(channel_id, principal=principal))

    @router.delete("/channels/{channel_id}", status_code=NO_CONTENT, summary="Delete a channel")
    async def delete(channel_id: str, principal: Principal = Depends(caller)) -> Response:
        await service.delete_channel(channel_id, principal=principal)
        return Response(status_code=NO_CONTENT)


def _templates(router: APIRouter, service: NotificationsService) -> None:
    @router.post("/templates", status_code=CREATED, summary="Create a template (Jinja2, sandboxed)")
    async def create(body: TemplateBody, principal: Principal = Depends(caller)) -> JSONResponse:
        return JSONResponse(await service.create_template(body, principal=principal), CREATED)

    @router.get("/templates", summary="The caller's templates")
    async def listing(
        page: int = 1, page_size: int = 50, principal: Principal = Depends(caller)
    ) -> JSONResponse:
        return JSONResponse(
            await service.list_templates(principal=principal, page_number=page, page_size=page_size)
        )

    @router.get("/templates/{template_id}", summary="One template")
    async def get(template_id: str, principal: Principal = Depends(caller)) -> JSONResponse:
        return JSONResponse(await service.get_template(template_id, principal=principal))

    @router.put("/templates/{template_id}", summary="Replace a template")
    async def update(
        template_id: str, body: TemplateBody, principal: Principal = Depends(caller)
    ) -> JSONResponse:
        return JSONResponse(await service.update_template(template_id, body, principal=principal))

    @router.delete("/templates/{template_id}", status_code=NO_CONTENT, summary="Delete a template")
    async def delete(template_id: str, principal: Principal = Depends(caller)) -> Response:
        await service.delete_template(template_id, principal=principal)
        return Response(status_code=NO_CONTENT)


def _subscriptions(router: APIRouter, service: NotificationsService) -> None:
    @router.post("/subscriptions", status_code=CREATED, summary="Subscribe a channel to a topic")
    async def create(
        body: CreateSubscription, principal: Principal = Depends(caller)
    ) -> JSONResponse:
        return JSONResponse(await service.subscribe(body, principal=principal), CREATED)

    @router.get("/subscriptions", summary="The caller's topic subscriptions")
    async def listing(
        page: int = 1, page_size: int = 50, principal: Principal = Depends(caller)
    ) -> JSONResponse:
        return JSONResponse(
            await service.list_subscriptions(
                principal=principal, page_number=page, page_size=page_size
            )
        )

    @router.get("/subscriptions/{subscription_id}", summary="One topic subscription")
    async def get(subscription_id: str, principal: Principal = Depends(caller)) -> JSONResponse:
        return JSONResponse(await service.get_subscription(subscription_id, principal=principal))

    @router.delete(
        "/subscriptions/{subscription_id}", status_code=NO_CONTENT, summary="Unsubscribe"
    )
    async def delete(subscription_id: str, principal: Principal = Depends(caller)) -> Response:
        await service.unsubscribe(subscription_id, principal=principal)
        return Response(status_code=NO_CONTENT)
