"""What the events use cases share: settings, metrics, ownership, webhook secrets and the one
way a delivery is created (webhook pending, bus through the outbox, inbox stored)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from nsl.core.context import ServiceContext
from nsl.core.enclave import SealContext
from nsl.core.ids import new_id
from nsl.core.security import Principal
from nsl.core.service import ServiceBase
from nsl.services.events.delivery_queries import DELIVERED, PENDING, DeliveryQueries
from nsl.services.events.errors import not_found
from nsl.services.events.models import Cursor, Subscription
from nsl.services.events.repository import EventsRepository
from nsl.services.events.telemetry import events_metrics
from nsl.services.events.views import bus_topic, message

SECRET_CACHE = 1024


@dataclass(frozen=True)
class Emitted:
    """A delivery created in a transaction, counted in metrics once that transaction commits."""

    mode: str
    kind: str
    delivered: bool
    block_time: datetime | None


def seal_context(subscription_id: str) -> SealContext:
    return SealContext("events", f"webhook/{subscription_id}")


class EventsBase(ServiceBase):
    """Lifecycle-free helpers; the use cases live in the subclasses."""

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__(ctx)
        self.settings = ctx.settings.events
        self.telemetry = events_metrics(ctx.metrics)
        self._secrets: OrderedDict[str, str] = OrderedDict()

    def private_allowed(self) -> bool:
        """Webhooks to loopback and private addresses: a setting; by default all but production."""
        allowed = self.settings.allow_private_webhooks
        return allowed if allowed is not None else self.ctx.settings.env != "production"

    async def owned(
        self, repo: EventsRepository, subscription_id: str, principal: Principal
    ) -> tuple[Subscription, Cursor]:
        """The caller's subscription; anyone else's is not found (nothing said about it)."""
        row = await repo.subscription(subscription_id)
        cursor = await repo.cursor(subscription_id) if row is not None else None
        if row is None or cursor is None or row.owner_id != principal.id:
            raise not_found(subscription_id)
        return row, cursor

    async def webhook_secret(self, subscription: Subscription) -> str:
        """The subscription's HMAC secret, unsealed by the enclave (then kept in memory)."""
        known = self._secrets.get(subscription.id)
        if known is not None:
            self._secrets.move_to_end(subscription.id)
            return known
        if subscription.webhook_secret_sealed is None:
            raise ValueError(f"subscription {subscription.id} has no webhook secret")
        opened = await self.ctx.enclave.unseal(
            seal_context(subscription.id), subscription.webhook_secret_sealed
        )
        secret = opened.decode()
        self._secrets[subscription.id] = secret
        if len(self._secrets) > SECRET_CACHE:
            self._secrets.popitem(last=False)
        return secret

    def forget_secret(self, subscription_id: str) -> None:
        self._secrets.pop(subscription_id, None)

    async def emit(
        self,
        session: AsyncSession,
        subscription: Subscription,
        kind: str,
        event: dict[str, Any],
        block_number: int,
        block_time: datetime | None,
    ) -> Emitted | None:
        """Create the delivery of ``event`` (or of its retraction) unless it exists already."""
        now, delivery_id = self.ctx.clock.now(), new_id()
        mode = subscription.delivery
        queued = mode == "webhook"
        inserted = await DeliveryQueries(session).add(
            id=delivery_id,
            subscription_id=subscription.id,
            chain=subscription.chain,
            event_id=event["event_id"],
            kind=kind,
            mode=mode,
            status=PENDING if queued else DELIVERED,
            retracted=False,
            block_number=block_number,
            block_time=block_time,
            event=event,
            attempts=0,
            history=[],
            next_attempt_at=now if queued else None,
            window_started_at=now,
            created_at=now,
            delivered_at=None if queued else now,
        )
        if not inserted:
            return None
        if mode == "bus":
            body = message(subscription.id, delivery_id, kind, event)
            await self.ctx.outbox.add(session, bus_topic(subscription.id), body)
        elif mode == "inbox":
            await EventsRepository(session).add_inbox(
                subscription_id=subscription.id,
                event_id=event["event_id"],
                kind=kind,
                retracted=False,
                block_number=block_number,
                event=event,
                created_at=now,
            )
        return Emitted(mode, kind, not queued, block_time)

    def count(self, emitted: list[Emitted | None]) -> None:
        """Metrics for deliveries whose transaction committed."""
        now = self.ctx.clock.now()
        for item in emitted:
            if item is None or not item.delivered:
                continue
            self.telemetry.deliveries.labels(item.mode, item.kind, "delivered").inc()
            if item.kind == "event" and item.block_time is not None:
                seconds = max((now - item.block_time).total_seconds(), 0.0)
                self.telemetry.latency.labels(item.mode).observe(seconds)
