"""Reads and writes of ``enclave_items``: each call is its own short transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from nsl.core.ports import Database
from nsl.enclave.models import EnclaveItem


class ItemStore:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def insert(self, item: EnclaveItem) -> None:
        async with self._database.session() as session:
            session.add(item)

    async def insert_labelled(self, item: EnclaveItem) -> EnclaveItem:
        """Insert a labelled item, or return the one another process inserted first."""
        try:
            await self.insert(item)
        except IntegrityError:
            assert item.label is not None
            existing = await self.by_label(item.label)
            if existing is None:
                raise
            return existing
        return item

    async def get(self, item_id: str) -> EnclaveItem | None:
        async with self._database.session() as session:
            item = await session.get(EnclaveItem, item_id)
            return None if item is None or item.destroyed_at is not None else item

    async def by_label(self, label: str) -> EnclaveItem | None:
        async with self._database.session() as session:
            query = select(EnclaveItem).where(
                EnclaveItem.label == label, EnclaveItem.destroyed_at.is_(None)
            )
            return (await session.execute(query)).scalar_one_or_none()

    async def sealed_elsewhere(
        self, provider: str, current_master_id: str, limit: int
    ) -> list[EnclaveItem]:
        """Live items of ``provider`` sealed under any master key but the current one."""
        async with self._database.session() as session:
            query = (
                select(EnclaveItem)
                .where(
                    EnclaveItem.provider == provider,
                    EnclaveItem.destroyed_at.is_(None),
                    EnclaveItem.master_id != current_master_id,
                )
                .order_by(EnclaveItem.id)
                .limit(limit)
            )
            return list((await session.execute(query)).scalars())

    async def count_sealed_under(self, provider: str, master_id: str) -> int:
        async with self._database.session() as session:
            query = select(func.count(EnclaveItem.id)).where(
                EnclaveItem.provider == provider,
                EnclaveItem.destroyed_at.is_(None),
                EnclaveItem.master_id == master_id,
            )
            return int((await session.execute(query)).scalar_one())

    async def rewrap(
        self, item_id: str, old_master_id: str, new_master_id: str, blob: bytes
    ) -> bool:
        """Replace the sealed blob if it is still under ``old_master_id`` (False if it moved)."""
        async with self._database.session() as session:
            result = await session.execute(
                update(EnclaveItem)
                .where(EnclaveItem.id == item_id, EnclaveItem.master_id == old_master_id)
                .values(master_id=new_master_id, blob=blob)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def destroy(self, item_id: str, now: datetime) -> bool:
        """Erase the key material for good; False when there was no live item."""
        async with self._database.session() as session:
            result = await session.execute(
                update(EnclaveItem)
                .where(EnclaveItem.id == item_id, EnclaveItem.destroyed_at.is_(None))
                .values(blob=None, destroyed_at=now)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]
