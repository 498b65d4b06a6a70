"""Per-owner usage and quotas, enforced atomically: every reservation is one conditional
``UPDATE ... WHERE used + n <= limit`` on the owner's usage row, so concurrent uploads can
never together pass a limit, on SQLite or PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from nsl.core.ports import Database
from nsl.core.settings_storage import StorageSettings
from nsl.services.storage.errors import QuotaExceeded
from nsl.services.storage.models import StorageUsage

Usage = StorageUsage


@dataclass(frozen=True)
class UsageReport:
    owner_id: str
    bytes_used: int
    bytes_limit: int
    objects_used: int
    objects_limit: int

    def as_dict(self) -> dict[str, object]:
        return {
            "owner": self.owner_id,
            "bytes": {"used": self.bytes_used, "limit": self.bytes_limit},
            "objects": {"used": self.objects_used, "limit": self.objects_limit},
        }


class Quotas:
    def __init__(self, database: Database, settings: StorageSettings) -> None:
        self.database = database
        self.settings = settings

    async def ensure(self, owner_id: str) -> None:
        """Create the owner's usage row once (a concurrent creator winning is fine)."""
        async with self.database.session() as session:
            if await session.get(Usage, owner_id) is not None:
                return
        try:
            async with self.database.session() as session:
                session.add(
                    Usage(
                        owner_id=owner_id,
                        bytes_used=0,
                        objects_used=0,
                        bytes_limit=None,
                        objects_limit=None,
                    )
                )
        except IntegrityError:
            return

    async def reserve(
        self, session: AsyncSession, owner_id: str, *, nbytes: int, objects: int
    ) -> None:
        """Take ``nbytes`` and ``objects`` from the owner's quota in ``session``'s transaction,
        or raise :class:`QuotaExceeded` (413) with the owner's usage, taking nothing."""
        if nbytes == 0 and objects == 0:
            return
        byte_limit = func.coalesce(Usage.bytes_limit, self.settings.default_quota_bytes)
        object_limit = func.coalesce(Usage.objects_limit, self.settings.default_quota_objects)
        query = (
            update(Usage)
            .where(
                Usage.owner_id == owner_id,
                Usage.bytes_used + nbytes <= byte_limit,
                Usage.objects_used + objects <= object_limit,
            )
            .values(bytes_used=Usage.bytes_used + nbytes, objects_used=Usage.objects_used + objects)
            .execution_options(synchronize_session=False)
        )
        if (await session.execute(query)).rowcount == 1:  # type: ignore[attr-defined]
            return
        report = await self.report_in(session, owner_id)
        what = "bytes" if report.bytes_used + nbytes > report.bytes_limit else "objects"
        raise QuotaExceeded(
            f"this upload would exceed the {what} quota of owner {owner_id}",
            extra={"quota": what, "usage": report.as_dict()},
        )

    async def release(
        self, session: AsyncSession, owner_id: str, *, nbytes: int, objects: int
    ) -> None:
        if nbytes == 0 and objects == 0:
            return
        query = (
            update(Usage)
            .where(Usage.owner_id == owner_id)
            .values(bytes_used=Usage.bytes_used - nbytes, objects_used=Usage.objects_used - objects)
            .execution_options(synchronize_session=False)
        )
        await session.execute(query)

    async def report(self, owner_id: str) -> UsageReport:
        async with self.database.session() as session:
            return await self.report_in(session, owner_id)

    async def report_in(self, session: AsyncSession, owner_id: str) -> UsageReport:
        row = (
            await session.execute(select(Usage).where(Usage.owner_id == owner_id))
        ).scalar_one_or_none()
        used_bytes = row.bytes_used if row else 0
        used_objects = row.objects_used if row else 0
        bytes_limit = row.bytes_limit if row and row.bytes_limit is not None else None
        objects_limit = row.objects_limit if row and row.objects_limit is not None else None
        return UsageReport(
            owner_id,
            used_bytes,
            self.settings.default_quota_bytes if bytes_limit is None else bytes_limit,
            used_objects,
            self.settings.default_quota_objects if objects_limit is None else objects_limit,
        )

    async def set_limits(
        self, owner_id: str, bytes_limit: int | None, objects_limit: int | None
    ) -> UsageReport:
        """Set (or with ``None`` reset to the default) an owner's limits; usage is kept."""
        await self.ensure(owner_id)
        async with self.database.session() as session:
            await session.execute(
                update(Usage)
                .where(Usage.owner_id == owner_id)
                .values(bytes_limit=bytes_limit, objects_limit=objects_limit)
            )
            return await self.report_in(session, owner_id)
