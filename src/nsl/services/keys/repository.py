"""The only module that queries the keys tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from nsl.services.keys.errors import NameTaken
from nsl.services.keys.models import KeyRow, VersionRow


class KeysRepository:
    """Queries on one session (one transaction)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # reads ------------------------------------------------------------------------------
    async def key(self, key_id: str, *, lock: bool = False) -> KeyRow | None:
        query = select(KeyRow).where(KeyRow.id == key_id)
        if lock:
            query = query.with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def versions(self, key_id: str) -> Sequence[VersionRow]:
        query = select(VersionRow).where(VersionRow.key_id == key_id).order_by(VersionRow.version)
        return (await self.session.execute(query)).scalars().all()

    async def versions_of(self, key_ids: list[str]) -> dict[str, list[VersionRow]]:
        found: dict[str, list[VersionRow]] = {k: [] for k in key_ids}
        if key_ids:
            query = (
                select(VersionRow)
                .where(VersionRow.key_id.in_(key_ids))
                .order_by(VersionRow.key_id, VersionRow.version)
            )
            for row in (await self.session.execute(query)).scalars():
                found[row.key_id].append(row)
        return found

    async def page(
        self, owner_id: str, key_type: str | None, status: str | None, offset: int, limit: int
    ) -> Sequence[KeyRow]:
        query = (
            select(KeyRow)
            .where(*_owned(owner_id, key_type, status))
            .order_by(KeyRow.created_at, KeyRow.id)
            .offset(offset)
            .limit(limit)
        )
        return (await self.session.execute(query)).scalars().all()

    async def count(self, owner_id: str, key_type: str | None, status: str | None) -> int:
        query = select(func.count()).select_from(KeyRow).where(*_owned(owner_id, key_type, status))
        return int((await self.session.execute(query)).scalar_one())

    async def count_live(self, owner_id: str) -> int:
        query = (
            select(func.count())
            .select_from(KeyRow)
            .where(KeyRow.owner_id == owner_id, KeyRow.status != "destroyed")
        )
        return int((await self.session.execute(query)).scalar_one())

    async def name_used(self, owner_id: str, name: str) -> bool:
        query = select(KeyRow.id).where(KeyRow.owner_id == owner_id, KeyRow.name == name)
        return (await self.session.execute(query)).first() is not None

    # writes -----------------------------------------------------------------------------
    async def insert(self, key: KeyRow, version: VersionRow) -> None:
        self.session.add(key)
        try:
            await self.session.flush()
        except IntegrityError as exc:
            raise NameTaken(f"you already have a key named {key.name!r}") from exc
        self.session.add(version)
        await self.session.flush()

    async def flush(self, name: str | None) -> None:
        """Write pending changes; a name another key of the owner holds is a conflict."""
        try:
            await self.session.flush()
        except IntegrityError as exc:
            raise NameTaken(f"you already have a key named {name!r}") from exc

    async def bump_version(
        self, key_id: str, expected: int, now: datetime, next_rotation_at: datetime | None
    ) -> bool:
        """Make ``expected + 1`` current, only if ``expected`` still is and the key is active."""
        result = await self.session.execute(
            update(KeyRow)
            .where(
                KeyRow.id == key_id,
                KeyRow.current_version == expected,
                KeyRow.status == "active",
            )
            .values(current_version=expected + 1, next_rotation_at=next_rotation_at, updated_at=now)
        )
        return _changed(result) == 1

    def add_version(self, version: VersionRow) -> None:
        self.session.add(version)

    async def set_status(self, key_id: str, expected: str, **values: Any) -> bool:
        """Move a key out of status ``expected`` (a no-op if another writer moved it first)."""
        result = await self.session.execute(
            update(KeyRow).where(KeyRow.id == key_id, KeyRow.status == expected).values(**values)
        )
        return _changed(result) == 1

    async def mark_destroyed(self, key_id: str, now: datetime) -> bool:
        """Deleted and past its grace period -> destroyed (its name is released)."""
        result = await self.session.execute(
            update(KeyRow)
            .where(KeyRow.id == key_id, KeyRow.status == "deleted", KeyRow.destroy_at <= now)
            .values(status="destroyed", name=None, updated_at=now)
        )
        return _changed(result) == 1

    async def mark_version_destroyed(self, key_id: str, version: int) -> None:
        await self.session.execute(
            update(VersionRow)
            .where(VersionRow.key_id == key_id, VersionRow.version == version)
            .values(destroyed=True)
        )

    async def add_usage(self, key_id: str, counts: dict[str, int], last_used: datetime) -> None:
        values: dict[str, Any] = {
            f"{kind}_count": getattr(KeyRow, f"{kind}_count") + n for kind, n in counts.items() if n
        }
        values["last_used_at"] = case(
            (KeyRow.last_used_at.is_(None), last_used),
            (KeyRow.last_used_at < last_used, last_used),
            else_=KeyRow.last_used_at,
        )
        await self.session.execute(update(KeyRow).where(KeyRow.id == key_id).values(**values))

    # periodic work ----------------------------------------------------------------------
    async def due_rotation(self, now: datetime, limit: int) -> Sequence[KeyRow]:
        query = (
            select(KeyRow)
            .where(
                KeyRow.status == "active",
                KeyRow.next_rotation_at <= now,
                or_(KeyRow.expires_at.is_(None), KeyRow.expires_at > now),
            )
            .order_by(KeyRow.next_rotation_at)
            .limit(limit)
        )
        return (await self.session.execute(query)).scalars().all()

    async def due_expiry(self, now: datetime, limit: int) -> Sequence[str]:
        query = (
            select(KeyRow.id)
            .where(KeyRow.status == "active", KeyRow.expires_at <= now)
            .limit(limit)
        )
        return (await self.session.execute(query)).scalars().all()

    async def due_destroy(self, now: datetime, limit: int) -> Sequence[str]:
        query = (
            select(KeyRow.id)
            .where(KeyRow.status == "deleted", KeyRow.destroy_at <= now)
            .limit(limit)
        )
        return (await self.session.execute(query)).scalars().all()

    async def undestroyed_versions(self, limit: int) -> Sequence[VersionRow]:
        """Versions of destroyed keys whose enclave key is still to be destroyed."""
        query = (
            select(VersionRow)
            .join(KeyRow, KeyRow.id == VersionRow.key_id)
            .where(KeyRow.status == "destroyed", VersionRow.destroyed.is_(False))
            .limit(limit)
        )
        return (await self.session.execute(query)).scalars().all()


def _changed(result: Any) -> int:
    return int(result.rowcount)


def _owned(owner_id: str, key_type: str | None, status: str | None) -> list[ColumnElement[bool]]:
    conditions = [KeyRow.owner_id == owner_id]
    if key_type is not None:
        conditions.append(KeyRow.key_type == key_type)
    if status is not None:
        conditions.append(KeyRow.status == status)
    return conditions
