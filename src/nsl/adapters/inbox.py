"""Idempotent consumers: handled events are remembered in ``core_inbox`` in the handler's
transaction, so a success is never repeated and a failure (rolled back) runs again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from nsl.adapters.models import InboxRow
from nsl.adapters.sqlutil import insert_if_absent
from nsl.core.clock import Clock, SystemClock
from nsl.core.metrics import Metrics
from nsl.core.ports import Database, Event, EventHandler

log = logging.getLogger(__name__)

SessionHandler = Callable[[AsyncSession, Event], Awaitable[None]]


def idempotent(
    database: Database,
    consumer: str,
    handler: EventHandler,
    metrics: Metrics | None = None,
    clock: Clock | None = None,
) -> EventHandler:
    """``handler`` run at most once per event id for ``consumer`` (once it has succeeded)."""

    async def run(_session: AsyncSession, event: Event) -> None:
        await handler(event)

    return idempotent_in_session(database, consumer, run, metrics, clock)


def idempotent_in_session(
    database: Database,
    consumer: str,
    handler: SessionHandler,
    metrics: Metrics | None = None,
    clock: Clock | None = None,
) -> EventHandler:
    """Like :func:`idempotent`; the handler's writes in ``session`` commit with the inbox row."""
    now = (clock or SystemClock()).now

    async def handle(event: Event) -> None:
        async with database.session() as session:
            claimed = await insert_if_absent(
                session,
                database.dialect,
                InboxRow,
                consumer=consumer,
                event_id=event.id,
                processed_at=now(),
            )
            if not claimed:
                log.info("consumer %s: event %s already handled; skipped", consumer, event.id)
                if metrics is not None:
                    metrics.bus_consumed.labels(event.topic, consumer, "duplicate").inc()
                return
            await handler(session, event)

    return handle


async def purge_processed(database: Database, older_than: datetime) -> int:
    """Forget events handled before ``older_than`` (older than any possible redelivery)."""
    async with database.session() as session:
        connection = await session.connection()
        statement = delete(InboxRow).where(InboxRow.processed_at < older_than)
        result = await connection.execute(statement)
    return result.rowcount
