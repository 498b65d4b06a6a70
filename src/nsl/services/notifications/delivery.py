"""The sender: claims due notifications (leased rows: a crashed sender's claim expires and
another takes them), groups a batched channel's into one digest, defers what a recipient's
rate limit refuses, sends, and records every attempt: delivered, a jittered exponential retry,
or a dead letter once the retry window (3 days by default) is spent."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from nsl.core.errors import NslError
from nsl.core.security import Principal
from nsl.services.notifications import backoff
from nsl.services.notifications.base import NotificationsBase
from nsl.services.notifications.models import Channel, Notification
from nsl.services.notifications.queries import DEAD, DELIVERED, PENDING, Queries, note_attempt
from nsl.services.notifications.senders import Opened, Outcome
from nsl.services.secrets.client import SecretsClient

log = logging.getLogger(__name__)

CLAIM_MARGIN_S = 5.0
CONCURRENCY = 8  # sends in flight per round (httpx slows down past ~8 on one pool)
Group = tuple[Channel, list[Notification]]


def _owner(owner_id: str) -> Principal:
    """The channel owner, as whom a stored SMTP password is read from the secrets service."""
    return Principal(id=owner_id, name=owner_id, kind="user", roles=frozenset(), method="service")


@dataclass(frozen=True)
class Sent:
    """One send's outcome (or a deferral: ``defer_s``), recorded with the round's others."""

    kind: str
    ids: list[str]
    outcome: Outcome
    elapsed_ms: float = 0.0
    defer_s: int | None = None


class DeliveryUseCases(NotificationsBase):
    async def deliver_due(self) -> int:
        """Send one batch of due notifications and record every outcome in one transaction
        (a crash before it leaves the rows leased: they are sent again once the lease ends);
        how many were delivered."""
        now = self.ctx.clock.now()
        until = now + timedelta(seconds=self._lease_s())
        async with self.ctx.database.session() as session:
            ids = await Queries(session).claim_due(now, until, self.settings.delivery_batch)
            rows = list(await Queries(session).rows(ids)) if ids else []
            channels = {r.channel_id: await session.get(Channel, r.channel_id) for r in rows}
        gate = asyncio.Semaphore(CONCURRENCY)

        async def run(group: Group) -> Sent:
            async with gate:
                return await self._deliver(*group)

        sent = await asyncio.gather(*(run(g) for g in _groups(rows, channels)))
        delivered = await self._record(sent) if sent else 0
        async with self.ctx.database.session() as session:
            self.telemetry.backlog.set(await Queries(session).count_status(PENDING))
            self.telemetry.dead_letters.set(await Queries(session).count_status(DEAD))
        return delivered

    def _lease_s(self) -> float:
        """How long a claim holds: the whole round, every send of it taking its full timeout."""
        waves = math.ceil(self.settings.delivery_batch / CONCURRENCY) + 1
        return waves * self.settings.send_timeout_s + CLAIM_MARGIN_S

    async def _deliver(self, channel: Channel, rows: list[Notification]) -> Sent:
        ids = [r.id for r in rows]
        recipient = rows[0].recipient or "-"
        decision = await self.ctx.rate_limiter.hit(
            f"notifications:{channel.id}:{recipient}",
            self.settings.recipient_limit,
            self.settings.recipient_window_s,
        )
        if not decision.allowed:  # over the recipient's limit: later, not dropped
            return Sent(
                channel.type, ids, Outcome(429, "rate_limited"), 0.0, decision.retry_after_s
            )
        started = time.perf_counter()
        if channel.type == "inbox":
            outcome = Outcome(None, None)
        else:
            stamp = int(self.ctx.clock.now().timestamp())
            try:
                opened = await self._opened(channel)
            except NslError as exc:  # a sealed value that does not open, a missing password
                outcome = Outcome(None, exc.code)
            else:
                outcome = await self.transports.send(channel, opened, rows, ids[0], stamp)
        elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
        return Sent(channel.type, ids, outcome, elapsed_ms)

    async def _opened(self, channel: Channel) -> Opened:
        sealed = await self.unsealed(channel)
        ref = channel.config.get("password_secret") if channel.type == "email" else None
        password = None
        if ref:
            principal = _owner(channel.owner_id)
            data = await SecretsClient(self.ctx).read(ref["path"], principal=principal)
            value = data.get(ref["key"])
            if not isinstance(value, str):
                raise NslError(
                    "the SMTP password secret has no such text field",
                    code="notifications.smtp_password",
                )
            password = value
        return Opened(sealed, password)

    async def _record(self, sent: Sequence[Sent]) -> int:
        now = self.ctx.clock.now()
        counted: list[tuple[str, str, datetime]] = []
        async with self.ctx.database.session() as session:
            locked = {
                r.id: r for r in await Queries(session).locked([i for s in sent for i in s.ids])
            }
            for item in sent:
                rows = [locked[i] for i in item.ids if i in locked and locked[i].status == PENDING]
                if item.defer_s is not None:
                    self._defer(rows, item, now)
                    counted.extend((item.kind, "deferred", r.due_at) for r in rows)
                    continue
                attempts = max((r.attempts for r in rows), default=0) + 1
                delay = backoff.retry_delay(
                    attempts, self.settings.backoff_base_s, self.settings.backoff_cap_s
                )
                digest = item.ids[0] if len(item.ids) > 1 else None
                entry = _entry(now, item, digest)
                for row in rows:
                    note_attempt(row, entry)
                    counted.append(
                        (item.kind, self._apply(row, item.outcome, now, delay, digest), row.due_at)
                    )
        for kind, result, due in counted:
            self.telemetry.deliveries.labels(kind, result).inc()
            if result == "delivered":
                self.telemetry.latency.labels(kind).observe(max((now - due).total_seconds(), 0.0))
        return sum(1 for _, result, _ in counted if result == "delivered")

    @staticmethod
    def _defer(rows: Sequence[Notification], item: Sent, now: datetime) -> None:
        """No attempt is spent: the rows wait until the recipient's window frees."""
        entry = {**_entry(now, item, None), "outcome": "deferred"}
        for row in rows:
            note_attempt(row, entry, counted=False)
            row.next_attempt_at = now + timedelta(seconds=item.defer_s or 1)

    def _apply(
        self, row: Notification, outcome: Outcome, now: datetime, delay: float, digest: str | None
    ) -> str:
        if outcome.error is None:
            row.status, row.delivered_at, row.next_attempt_at = DELIVERED, now, None
            row.digest_id = digest
            return "delivered"
        row.last_error = outcome.error[:500]
        if backoff.give_up((now - row.due_at).total_seconds(), self.settings.max_age_s):
            row.status, row.dead_at, row.next_attempt_at = DEAD, now, None
            log.info("notifications: %s dead-lettered after %d attempts", row.id, row.attempts)
            return "dead"
        row.next_attempt_at = now + timedelta(seconds=delay)
        return "failed"


def _entry(now: datetime, item: Sent, digest: str | None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "at": now.isoformat(),
        "outcome": "delivered" if item.outcome.error is None else "failed",
        "status_code": item.outcome.status_code,
        "error": item.outcome.error,
        "duration_ms": item.elapsed_ms,
    }
    if digest is not None:
        entry["digest_id"] = digest
    return entry


def _groups(rows: Sequence[Notification], channels: dict[str, Channel | None]) -> list[Group]:
    """One group per notification, but one per recipient for a batched channel (a digest)."""
    groups: dict[tuple[str, ...], Group] = {}
    for row in rows:
        channel = channels.get(row.channel_id)
        if channel is None:
            continue
        key = (row.channel_id, row.recipient or "") if channel.batch_window_s else (row.id,)
        groups.setdefault(key, (channel, []))[1].append(row)
    return list(groups.values())
