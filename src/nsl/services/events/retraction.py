"""Undoing deliveries of events whose blocks were orphaned by a reorg, in one transaction.

Not yet delivered (pending, or dead-lettered): cancelled. Delivered: flagged ``retracted`` and
followed by a ``retracted`` notice with the same event id (webhook, bus, or a new inbox entry;
the original inbox entry is flagged too). Cursors past the fork point go back to it.
"""

from __future__ import annotations

from nsl.services.events.base import Emitted, EventsBase
from nsl.services.events.delivery_queries import CANCELLED, DEAD, PENDING, DeliveryQueries
from nsl.services.events.repository import EventsRepository


async def retract(
    service: EventsBase, chain: str, fork: int, fork_hash: str | None
) -> list[Emitted | None]:
    """Retract every delivery on ``chain`` above block ``fork``; the notices created."""
    emitted: list[Emitted | None] = []
    cancelled: list[tuple[str, str]] = []
    async with service.ctx.database.session() as session:
        repo, queries = EventsRepository(session), DeliveryQueries(session)
        for row in await queries.live_above(chain, fork):
            row.retracted = True
            if row.status in (PENDING, DEAD):
                row.status, row.next_attempt_at = CANCELLED, None
                cancelled.append((row.mode, row.kind))
                continue
            subscription = await repo.subscription(row.subscription_id)
            if subscription is None:
                continue
            if row.mode == "inbox":
                await repo.flag_retracted(row.subscription_id, row.event_id)
            emitted.append(
                await service.emit(
                    session, subscription, "retracted", row.event, row.block_number, None
                )
            )
        await repo.rewind(chain, fork, fork_hash, service.ctx.clock.now())
        await repo.forget(chain, above=fork)
    for mode, kind in cancelled:
        service.telemetry.deliveries.labels(mode, kind, "cancelled").inc()
    return emitted
