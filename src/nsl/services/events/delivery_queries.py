"""The only module that queries ``events_deliveries``: create, claim due webhook sends,
record outcomes, retract, list, dead letters and purge."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nsl.adapters.sqlutil import insert_if_absent
from nsl.services.events.models import Delivery, Subscription

PENDING, DELIVERED, DEAD, CANCELLED = "pending", "delivered", "dead", "cancelled"
HISTORY_KEPT = 20


class DeliveryQueries:
    """Queries on one session (one transaction)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.dialect = session.get_bind().dialect.name

    async def add(self, **values: Any) -> bool:
        """Insert unless this (subscription, event, kind) exists: whether it was inserted."""
        return await insert_if_absent(self.session, self.dialect, Delivery, **values)

    async def get(self, subscription_id: str, delivery_id: str) -> Delivery | None:
        row = await self.session.get(Delivery, delivery_id)
        return row if row is not None and row.subscription_id == subscription_id else None

    async def live_above(self, chain: str, block: int) -> Sequence[Delivery]:
        """Event deliveries past ``block`` not yet retracted (the orphaned ones after a reorg)."""
        query = (
            select(Delivery)
            .where(
                Delivery.chain == chain,
                Delivery.block_number > block,
                Delivery.kind == "event",
                Delivery.retracted.is_(False),
            )
            .order_by(Delivery.block_number, Delivery.id)
        )
        return (await self.session.scalars(query)).all()

    async def claim_due(self, now: datetime, until: datetime, limit: int) -> list[str]:
        """Mark up to ``limit`` due webhook sends of active subscriptions as taken until
        ``until`` (a crashed sender's claim expires); their ids. One statement, so two
        senders never claim the same row."""
        due = and_(Delivery.status == PENDING, Delivery.next_attempt_at <= now)
        candidates = (
            select(Delivery.id)
            .join(Subscription, Subscription.id == Delivery.subscription_id)
            .where(due, Delivery.mode == "webhook", Subscription.status == "active")
            .order_by(Delivery.next_attempt_at)
            .limit(limit)
            .scalar_subquery()
        )
        claimed = await self.session.execute(
            update(Delivery)
            .where(Delivery.id.in_(candidates), due)
            .values(next_attempt_at=until)
            .returning(Delivery.id)
            .execution_options(synchronize_session=False)
        )
        return list(claimed.scalars().all())

    async def with_subscriptions(self, ids: list[str]) -> Sequence[tuple[Delivery, Subscription]]:
        query = (
            select(Delivery, Subscription)
            .join(Subscription, Subscription.id == Delivery.subscription_id)
            .where(Delivery.id.in_(ids))
        )
        return (await self.session.execute(query)).all()

    async def locked(self, delivery_id: str) -> Delivery | None:
        query = select(Delivery).where(Delivery.id == delivery_id).with_for_update()
        return (await self.session.scalars(query)).one_or_none()

    async def page(
        self, subscription_id: str, statuses: tuple[str, ...] | None, offset: int, limit: int
    ) -> tuple[int, Sequence[Delivery]]:
        conditions = [Delivery.subscription_id == subscription_id]
        if statuses is not None:
            conditions.append(Delivery.status.in_(statuses))
        total = await self.session.scalar(
            select(func.count()).select_from(Delivery).where(*conditions)
        )
        query = (
            select(Delivery)
            .where(*conditions)
            .order_by(Delivery.created_at.desc(), Delivery.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return int(total or 0), (await self.session.scalars(query)).all()

    async def backlog(self) -> int:
        query = select(func.count()).select_from(Delivery).where(Delivery.status == PENDING)
        return int((await self.session.scalar(query)) or 0)

    async def purge(self, before: datetime) -> int:
        """Delete finished deliveries (delivered or cancelled) created before ``before``."""
        connection = await self.session.connection()
        result = await connection.execute(
            delete(Delivery).where(
                Delivery.status.in_((DELIVERED, CANCELLED)), Delivery.created_at < before
            )
        )
        return int(result.rowcount)


def note_attempt(row: Delivery, entry: dict[str, Any]) -> None:
    """Append one attempt to the row's history (the newest ``HISTORY_KEPT`` are kept)."""
    row.attempts += 1
    row.history = [*row.history, entry][-HISTORY_KEPT:]
