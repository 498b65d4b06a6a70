"""The only module that queries the events tables (subscriptions, cursors, blocks, inbox);
deliveries have their own queries in ``delivery_queries``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nsl.adapters.sqlutil import insert_if_absent
from nsl.core.chain import BlockRef
from nsl.services.events.models import Cursor, Delivery, InboxEntry, SeenBlock, Subscription


class EventsRepository:
    """Queries on one session (one transaction)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.dialect = session.get_bind().dialect.name

    # subscriptions ----------------------------------------------------------------------
    def add(self, row: Subscription | Cursor) -> None:
        self.session.add(row)

    async def subscription(self, subscription_id: str) -> Subscription | None:
        return await self.session.get(Subscription, subscription_id)

    async def cursor(self, subscription_id: str) -> Cursor | None:
        return await self.session.get(Cursor, subscription_id)

    async def count_owned(self, owner_id: str) -> int:
        query = (
            select(func.count()).select_from(Subscription).where(Subscription.owner_id == owner_id)
        )
        return int((await self.session.execute(query)).scalar_one())

    async def listing(
        self, owner_id: str, chain: str | None, status: str | None, offset: int, limit: int
    ) -> tuple[int, Sequence[tuple[Subscription, Cursor]]]:
        """A page of the owner's subscriptions (newest first) with their cursors, and the total."""
        conditions = [Subscription.owner_id == owner_id]
        if chain is not None:
            conditions.append(Subscription.chain == chain)
        if status is not None:
            conditions.append(Subscription.status == status)
        total = await self.session.scalar(
            select(func.count()).select_from(Subscription).where(*conditions)
        )
        query = (
            select(Subscription, Cursor)
            .join(Cursor, Cursor.subscription_id == Subscription.id)
            .where(*conditions)
            .order_by(Subscription.created_at.desc(), Subscription.id.desc())
            .offset(offset)
            .limit(limit)
        )
        rows = (await self.session.execute(query)).all()
        return int(total or 0), rows

    async def remove(self, subscription_id: str) -> None:
        """The subscription with its cursor, deliveries and inbox."""
        for model in (Delivery, InboxEntry, Cursor):
            await self.session.execute(
                delete(model).where(model.subscription_id == subscription_id)
            )
        await self.session.execute(delete(Subscription).where(Subscription.id == subscription_id))

    async def active(self, chain: str) -> Sequence[tuple[Subscription, Cursor]]:
        query = (
            select(Subscription, Cursor)
            .join(Cursor, Cursor.subscription_id == Subscription.id)
            .where(Subscription.chain == chain, Subscription.status == "active")
            .order_by(Subscription.id)
        )
        return (await self.session.execute(query)).all()

    async def cursors(self, ids: Iterable[str], *, lock: bool = False) -> dict[str, Cursor]:
        """Cursors of still-active subscriptions among ``ids`` (locked on PostgreSQL)."""
        query = (
            select(Cursor)
            .join(Subscription, Subscription.id == Cursor.subscription_id)
            .where(Cursor.subscription_id.in_(list(ids)), Subscription.status == "active")
        )
        if lock:
            query = query.with_for_update(of=Cursor)
        return {c.subscription_id: c for c in (await self.session.scalars(query)).all()}

    async def rewind(
        self, chain: str, fork_point: int, fork_hash: str | None, now: datetime
    ) -> None:
        """Cursors past ``fork_point`` go back to it (never before their start)."""
        await self.session.execute(
            update(Cursor)
            .where(Cursor.chain == chain, Cursor.block_number > fork_point)
            .values(block_number=fork_point, block_hash=fork_hash, updated_at=now)
        )
        starts = select(Subscription.id, Subscription.start_block).where(
            Subscription.chain == chain, Subscription.start_block - 1 > fork_point
        )
        for subscription_id, start in (await self.session.execute(starts)).all():
            await self.session.execute(
                update(Cursor)
                .where(Cursor.subscription_id == subscription_id)
                .values(block_number=start - 1, block_hash=None)
            )

    # remembered blocks ------------------------------------------------------------------
    async def remembered(self, chain: str) -> list[tuple[int, str]]:
        query = select(SeenBlock.number, SeenBlock.hash).where(SeenBlock.chain == chain)
        return [(n, h) for n, h in (await self.session.execute(query)).all()]

    async def seen_block(self, chain: str, number: int) -> SeenBlock | None:
        return await self.session.get(SeenBlock, (chain, number))

    async def remember(self, chain: str, blocks: Iterable[BlockRef]) -> None:
        for block in blocks:
            await self.session.execute(
                delete(SeenBlock).where(SeenBlock.chain == chain, SeenBlock.number == block.number)
            )
            self.session.add(
                SeenBlock(
                    chain=chain, number=block.number, hash=block.hash, timestamp=block.timestamp
                )
            )
        await self.session.flush()

    async def forget(
        self, chain: str, *, above: int | None = None, below: int | None = None
    ) -> None:
        """Forget blocks above ``above`` (orphaned) or below ``below`` (final, out of window)."""
        query = delete(SeenBlock).where(SeenBlock.chain == chain)
        if above is not None:
            query = query.where(SeenBlock.number > above)
        if below is not None:
            query = query.where(SeenBlock.number < below)
        await self.session.execute(query)

    # inbox ------------------------------------------------------------------------------
    async def add_inbox(self, **values: object) -> bool:
        return await insert_if_absent(self.session, self.dialect, InboxEntry, **values)

    async def flag_retracted(self, subscription_id: str, event_id: str) -> None:
        await self.session.execute(
            update(InboxEntry)
            .where(
                InboxEntry.subscription_id == subscription_id,
                InboxEntry.event_id == event_id,
                InboxEntry.kind == "event",
            )
            .values(retracted=True)
        )

    async def inbox(self, subscription_id: str, after: int, limit: int) -> Sequence[InboxEntry]:
        query = (
            select(InboxEntry)
            .where(InboxEntry.subscription_id == subscription_id, InboxEntry.seq > after)
            .order_by(InboxEntry.seq)
            .limit(limit)
        )
        return (await self.session.scalars(query)).all()

    async def ack(self, subscription_id: str, up_to: int) -> None:
        await self.session.execute(
            delete(InboxEntry).where(
                InboxEntry.subscription_id == subscription_id, InboxEntry.seq <= up_to
            )
        )
        await self.session.execute(
            update(Subscription)
            .where(Subscription.id == subscription_id, Subscription.inbox_acked < up_to)
            .values(inbox_acked=up_to)
        )

    async def purge_inbox(self, before: datetime) -> int:
        connection = await self.session.connection()
        result = await connection.execute(delete(InboxEntry).where(InboxEntry.created_at < before))
        return int(result.rowcount)
