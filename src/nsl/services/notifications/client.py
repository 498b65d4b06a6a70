"""What other services use from notifications: send a notification on a channel the owner
holds (the same checks, limits and delivery as ``POST /api/v1/notifications``)."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from nsl.core.context import ServiceContext
from nsl.core.errors import Unavailable
from nsl.core.security import Principal


@runtime_checkable
class NotificationSender(Protocol):
    async def send_as(
        self,
        owner: Principal,
        channel_id: str,
        subject: str,
        body: str,
        *,
        topic: str | None,
        idempotency_key: str | None,
    ) -> str: ...


class NotificationsClient:
    """In-process access to the notifications service (looked up at call time)."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    async def send(
        self,
        owner: Principal,
        channel_id: str,
        subject: str,
        body: str,
        *,
        topic: str | None = None,
        idempotency_key: str | None = None,
    ) -> str:
        """Queue a notification on ``owner``'s channel; its id (with ``idempotency_key`` seen
        before: the first one's). A channel not of ``owner`` is not found (404)."""
        service: Any = self.ctx.services.get("notifications")
        if not isinstance(service, NotificationSender):
            raise Unavailable(
                "the notifications service does not run in this process",
                code="notifications.unavailable",
            )
        return await service.send_as(
            owner, channel_id, subject, body, topic=topic, idempotency_key=idempotency_key
        )
