"""Transactional outbox: events stored in the transaction of the data they describe, then
relayed to the bus oldest first, at least once (consumers deduplicate with ``inbox``).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nsl.adapters.events import encode_event
from nsl.adapters.models import OutboxRow
from nsl.core.clock import Clock, SystemClock
from nsl.core.errors import Unavailable
from nsl.core.ids import new_id
from nsl.core.metrics import Metrics
from nsl.core.ports import Database, Event, EventBus

log = logging.getLogger(__name__)

_TICK = timedelta(microseconds=1)


class SqlOutbox:
    """Adds events to ``core_outbox`` inside the caller's session."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._last: datetime | None = None

    async def add(
        self,
        session: AsyncSession,
        topic: str,
        payload: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> Event:
        """Store an event; ``TypeError`` if the payload is not plain JSON (big ints as strings)."""
        event = Event(new_id(), topic, payload, self._stamp(), dict(headers or {}))
        encode_event(event)  # refuse now what the relay could never publish
        await session.execute(
            insert(OutboxRow).values(
                id=event.id,
                topic=topic,
                payload=payload,
                headers=event.headers,
                created_at=event.occurred_at,
                attempts=0,
            )
        )
        return event

    def _stamp(self) -> datetime:
        """The clock's time, made strictly increasing so events added here relay in order."""
        now = self._clock.now()
        if self._last is not None and now <= self._last:
            now = self._last + _TICK
        self._last = now
        return now


class OutboxRelay:
    """Moves pending outbox rows to the bus, stopping at the first refusal to keep order.

    On PostgreSQL the batch is read ``FOR UPDATE SKIP LOCKED``, so several processes can relay.
    """

    def __init__(
        self,
        database: Database,
        bus: EventBus,
        metrics: Metrics,
        batch_size: int = 100,
        *,
        clock: Clock | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self._db = database
        self._bus = bus
        self._metrics = metrics
        self._batch_size = batch_size
        self._clock = clock or SystemClock()
        self._failing = False

    async def relay_once(self) -> int:
        """Publish one batch of pending events; how many were published.

        PostgreSQL keeps the batch's rows locked while publishing. SQLite (one process) reads
        the batch, publishes outside any transaction and then marks the rows, so writers
        are not blocked meanwhile.
        """
        locking = self._db.dialect == "postgresql"
        async with self._db.session() as session:
            query = (
                select(OutboxRow)
                .where(OutboxRow.published_at.is_(None))
                .order_by(OutboxRow.created_at, OutboxRow.id)
                .limit(self._batch_size)
            )
            if locking:
                query = query.with_for_update(skip_locked=True)
            events = [_event(row) for row in (await session.scalars(query)).all()]
            if locking:
                return await self._relay(session, events)
        async with self._db.session() as session:
            return await self._relay(session, events)

    async def _relay(self, session: AsyncSession, events: list[Event]) -> int:
        published: list[str] = []
        for event in events:
            try:
                await self._bus.publish(event)
            except Unavailable as exc:
                await session.execute(
                    update(OutboxRow)
                    .where(OutboxRow.id == event.id)
                    .values(attempts=OutboxRow.attempts + 1, last_error=exc.detail[:1000])
                )
                if not self._failing:
                    log.warning("outbox: bus refused event %s (%s); will retry", event.id, exc.code)
                self._failing = True
                break
            if self._failing:
                log.info("outbox: bus accepts events again")
            self._failing = False
            published.append(event.id)
        if published:
            await session.execute(
                update(OutboxRow)
                .where(OutboxRow.id.in_(published))
                .values(published_at=self._clock.now())
            )
        self._metrics.outbox_backlog.set(await _pending(session))
        return len(published)

    async def backlog(self) -> int:
        """Events not yet published."""
        async with self._db.session() as session:
            count = await _pending(session)
        self._metrics.outbox_backlog.set(count)
        return count

    async def purge_published(self, older_than: datetime) -> int:
        """Delete events published before ``older_than``; how many were deleted."""
        async with self._db.session() as session:
            connection = await session.connection()
            result = await connection.execute(
                delete(OutboxRow).where(OutboxRow.published_at < older_than)
            )
        return result.rowcount


async def _pending(session: AsyncSession) -> int:
    query = select(func.count()).select_from(OutboxRow).where(OutboxRow.published_at.is_(None))
    return int((await session.scalar(query)) or 0)


def _event(row: OutboxRow) -> Event:
    return Event(row.id, row.topic, row.payload, row.created_at, dict(row.headers))
