"""The webhook sender: claims due deliveries, POSTs each signed (see ``signing``) with a
timeout, and records the outcome: delivered, a retry after a jittered exponential backoff,
or a dead letter once the attempts or the age allowed are spent."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from nsl.adapters.safehttp import Policy, SafeHttp
from nsl.core.errors import NslError
from nsl.services.events import backoff, signing
from nsl.services.events.base import Emitted, EventsBase
from nsl.services.events.delivery_queries import (
    DEAD,
    DELIVERED,
    PENDING,
    DeliveryQueries,
    note_attempt,
)
from nsl.services.events.models import Delivery, Subscription
from nsl.services.events.repository import EventsRepository
from nsl.services.events.views import message

log = logging.getLogger(__name__)

CLAIM_MARGIN_S = 5.0
RESPONSE_CAP = 64 * 1024  # a receiver's answer is not used: read (and discard) little


class WebhookUseCases(EventsBase):
    http: SafeHttp | None = None

    async def deliver_due(self) -> int:
        """Send one batch of due webhook deliveries; how many were accepted."""
        now = self.ctx.clock.now()
        until = now + timedelta(seconds=2 * self.settings.webhook_timeout_s + CLAIM_MARGIN_S)
        async with self.ctx.database.session() as session:
            ids = await DeliveryQueries(session).claim_due(now, until, self.settings.delivery_batch)
        pairs: list[tuple[Delivery, Subscription]] = []
        if ids:
            async with self.ctx.database.session() as session:
                pairs = list(await DeliveryQueries(session).with_subscriptions(ids))
        queues: dict[str, list[tuple[Delivery, Subscription]]] = {}
        for pair in sorted(pairs, key=lambda p: _chain_order(p[0])):
            queues.setdefault(pair[1].id, []).append(pair)
        sent = await asyncio.gather(*(self._send_in_order(q) for q in queues.values()))
        async with self.ctx.database.session() as session:
            self.telemetry.backlog.set(await DeliveryQueries(session).backlog())
        return sum(sent)

    async def _send_in_order(self, queue: list[tuple[Delivery, Subscription]]) -> int:
        """One subscription's deliveries one after the other, in chain order (subscriptions
        are served concurrently); a retry may still arrive after a later event."""
        accepted = 0
        for delivery, subscription in queue:
            accepted += await self._send(delivery, subscription)
        return accepted

    async def _send(self, row: Delivery, subscription: Subscription) -> bool:
        started = time.perf_counter()
        status: int | None = None
        try:
            secret = await self.webhook_secret(subscription)
            stamp = int(self.ctx.clock.now().timestamp())
            body = orjson.dumps(message(subscription.id, row.id, row.kind, row.event))
            headers = {
                "Content-Type": "application/json",
                **signing.headers(secret, stamp, body, row.event_id, row.id, row.kind),
            }
            response = await self._client().request(
                "POST", subscription.webhook_url or "", content=body, headers=headers
            )
            status = response.status
            error = None if 200 <= status < 300 else f"HTTP {status}"
        except NslError as exc:  # refused or unreachable target, or a sealed secret that does not
            error = exc.code  # open; the URL may hold a token: only the error's code is kept
        elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
        await self._record(row.id, error, status, elapsed_ms)
        return error is None

    def _client(self) -> SafeHttp:
        if self.http is None:
            private = self.private_allowed()  # a name resolving to a private address included
            self.http = SafeHttp(
                Policy(allow_loopback=private, allow_private=private),
                timeout_s=self.settings.webhook_timeout_s,
                max_bytes=RESPONSE_CAP,
                max_redirects=0,
            )
        return self.http

    async def _record(
        self, delivery_id: str, error: str | None, status: int | None, elapsed_ms: float
    ) -> None:
        now = self.ctx.clock.now()
        entry: dict[str, Any] = {
            "at": now.isoformat(),
            "outcome": "delivered" if error is None else "failed",
            "status_code": status,
            "error": error,
            "duration_ms": elapsed_ms,
        }
        late: Emitted | None = None
        outcome: str | None = None
        async with self.ctx.database.session() as session:
            row = await DeliveryQueries(session).locked(delivery_id)
            if row is None:
                return  # the subscription was deleted meanwhile
            note_attempt(row, entry)
            if row.status == PENDING:
                outcome = self._apply(row, error, now)
            elif error is None and row.retracted and row.kind == "event":
                late = await self._late_retraction(session, row)  # retracted while in flight
        self.count([late])
        if outcome is None:
            return
        self.telemetry.deliveries.labels(row.mode, row.kind, outcome).inc()
        if outcome == "delivered" and row.kind == "event" and row.block_time is not None:
            seconds = max((now - row.block_time).total_seconds(), 0.0)
            self.telemetry.latency.labels(row.mode).observe(seconds)

    def _apply(self, row: Delivery, error: str | None, now: datetime) -> str:
        if error is None:
            row.status, row.delivered_at, row.next_attempt_at = DELIVERED, now, None
            return "delivered"
        row.last_error = error
        age = (now - row.window_started_at).total_seconds()
        s = self.settings
        if backoff.give_up(row.attempts, s.max_attempts, age, s.max_age_s):
            row.status, row.dead_at, row.next_attempt_at = DEAD, now, None
            log.info("events: delivery %s dead-lettered after %d attempts", row.id, row.attempts)
            return "dead"
        delay = backoff.retry_delay(row.attempts, s.backoff_base_s, s.backoff_cap_s)
        row.next_attempt_at = now + timedelta(seconds=delay)
        return "failed"

    async def _late_retraction(self, session: AsyncSession, row: Delivery) -> Emitted | None:
        subscription = await EventsRepository(session).subscription(row.subscription_id)
        if subscription is None:
            return None
        row.status, row.delivered_at = DELIVERED, self.ctx.clock.now()
        return await self.emit(
            session, subscription, "retracted", row.event, row.block_number, None
        )


def _chain_order(row: Delivery) -> tuple[int, int, bool]:
    return row.block_number, int(row.event.get("index", 0)), row.kind == "retracted"
