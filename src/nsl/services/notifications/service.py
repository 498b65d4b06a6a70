"""The notifications service: channels (signed webhook, e-mail, Slack, Discord, Telegram,
in-app inbox), sandboxed templates, topic subscriptions fed by the bus, scheduling, digests,
per-recipient limits and reliable delivery with retries and dead letters (``delivery``)."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from fastapi import APIRouter

from nsl.core.context import ServiceContext
from nsl.services.notifications.channels import ChannelUseCases
from nsl.services.notifications.delivery import DeliveryUseCases
from nsl.services.notifications.queries import Queries
from nsl.services.notifications.router import build_router
from nsl.services.notifications.sending import SendingUseCases
from nsl.services.notifications.topics import TopicUseCases

DELIVER_TASK = "deliver"
PURGE_TASK = "purge"


class NotificationsService(ChannelUseCases, SendingUseCases, TopicUseCases, DeliveryUseCases):
    name: ClassVar[str] = "notifications"
    phase: ClassVar[int] = 2
    depends_on: ClassVar[tuple[str, ...]] = ("auth",)
    description: ClassVar[str] = "notifications: webhook, e-mail, chat and inbox channels"

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__(ctx)
        self.every(self.settings.delivery_interval_s, DELIVER_TASK, self.deliver_due)
        self.every(3600.0, PURGE_TASK, self.purge)

    def routes(self) -> APIRouter:
        return build_router(self)

    async def on_start(self) -> None:
        await self.consume_topics()

    async def on_stop(self) -> None:
        if self._transports is not None:
            await self._transports.aclose()
            self._transports = None

    async def purge(self) -> None:
        """Drop delivered notifications older than the retention period (unread inbox kept)."""
        before = self.ctx.clock.now() - timedelta(days=self.settings.retention_days)
        async with self.ctx.database.session() as session:
            await Queries(session).purge(before)
