"""What the notifications use cases share: settings, metrics, ownership, sealed channel values,
transports, and the one way a notification row is created."""

from __future__ import annotations

import math
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from nsl.core.context import ServiceContext
from nsl.core.enclave import SealContext
from nsl.core.ids import new_id
from nsl.core.security import Principal, Role
from nsl.core.service import ServiceBase
from nsl.services.notifications import rules
from nsl.services.notifications.errors import ChannelNotFound
from nsl.services.notifications.models import Channel
from nsl.services.notifications.queries import DEAD, PENDING, Queries
from nsl.services.notifications.repository import Repository
from nsl.services.notifications.senders import Transports
from nsl.services.notifications.telemetry import notifications_metrics

SEALED_CACHE = 1024


def seal_context(channel_id: str) -> SealContext:
    return SealContext("notifications", f"channel/{channel_id}")


def scope(principal: Principal) -> str | None:
    """The owner whose rows the caller sees: its own, or everyone's for an admin."""
    return None if Role.ADMIN in principal.roles else principal.id


def first_slot(due: datetime, window_s: int | None) -> datetime:
    """When a notification due at ``due`` is sent: at once, or at the end of its batch window
    (windows are aligned, so every notification of one window leaves together as a digest)."""
    if not window_s:
        return due
    edge = math.ceil(due.timestamp() / window_s) * window_s
    return datetime.fromtimestamp(edge, UTC)


class NotificationsBase(ServiceBase):
    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__(ctx)
        self.settings = ctx.settings.notifications
        self.telemetry = notifications_metrics(ctx.metrics)
        self._sealed: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._transports: Transports | None = None

    @property
    def transports(self) -> Transports:
        if self._transports is None:
            self._transports = Transports(rules.policy(self.settings), self.settings.send_timeout_s)
        return self._transports

    async def channel_of(self, repo: Repository, ref: str, principal: Principal) -> Channel:
        row = await repo.owned(Channel, ref, scope(principal))
        if row is None:
            raise ChannelNotFound(f"no notification channel {ref!r} of yours")
        return row

    async def seal(self, channel_id: str, values: dict[str, Any]) -> bytes:
        return await self.ctx.enclave.seal(seal_context(channel_id), orjson.dumps(values))

    async def unsealed(self, channel: Channel) -> dict[str, Any]:
        """The channel's sealed values, opened by the enclave (then kept in memory)."""
        if channel.sealed is None:
            return {}
        known = self._sealed.get(channel.id)
        if known is None:
            opened = await self.ctx.enclave.unseal(seal_context(channel.id), channel.sealed)
            known = self._sealed[channel.id] = orjson.loads(opened)
            if len(self._sealed) > SEALED_CACHE:
                self._sealed.popitem(last=False)
        self._sealed.move_to_end(channel.id)
        return known

    def forget(self, channel_id: str) -> None:
        self._sealed.pop(channel_id, None)

    async def enqueue(
        self,
        session: AsyncSession,
        channel: Channel,
        *,
        subject: str,
        body: str,
        fmt: str = "text",
        recipient: str | None = None,
        topic: str | None = None,
        key: str | None = None,
        due: datetime | None = None,
        failed: str | None = None,
    ) -> tuple[str, bool]:
        """Create a notification (dead at once when ``failed`` says why it cannot be made);
        with ``key``, an existing one of that owner is returned instead: (id, created)."""
        now = self.ctx.clock.now()
        due_at = max(due or now, now)
        row_id = new_id()
        inserted = await Queries(session).add(
            id=row_id,
            owner_id=channel.owner_id,
            channel_id=channel.id,
            channel_type=channel.type,
            recipient=recipient,
            subject=subject,
            body=body,
            format=fmt,
            topic=topic,
            idempotency_key=key,
            status=DEAD if failed else PENDING,
            attempts=0,
            history=[],
            due_at=due_at,
            next_attempt_at=None if failed else first_slot(due_at, channel.batch_window_s),
            last_error=failed[:500] if failed else None,
            digest_id=None,
            read_at=None,
            created_at=now,
            delivered_at=None,
            dead_at=now if failed else None,
        )
        if inserted or key is None:
            return row_id, inserted
        existing = await Queries(session).by_key(channel.owner_id, key)
        return (existing.id if existing is not None else row_id), False
