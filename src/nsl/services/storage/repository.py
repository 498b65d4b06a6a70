"""The only module that queries the storage metadata tables (chunks: see ``chunkstores``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from nsl.services.storage.errors import ConcurrentChange
from nsl.services.storage.models import (
    StorageGrant,
    StorageObject,
    StorageUpload,
    StorageVersion,
)

Obj = StorageObject
Version = StorageVersion
Grant = StorageGrant
Upload = StorageUpload


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class StorageRepository:
    """Queries on one session (one transaction)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, row: Obj | Version | Grant | Upload) -> None:
        self.session.add(row)

    async def flush(self) -> None:
        """Write pending rows; a row another writer just created is a conflict."""
        try:
            await self.session.flush()
        except IntegrityError as exc:
            raise ConcurrentChange("another writer changed the same object; retry") from exc

    # objects ----------------------------------------------------------------------------
    async def object(self, owner_id: str, key: str) -> Obj | None:
        query = select(Obj).where(Obj.owner_id == owner_id, Obj.key == key)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def next_number(self, object_id: str) -> int:
        """Hand out the object's next version number (atomic under concurrent writers)."""
        query = (
            update(Obj)
            .where(Obj.id == object_id)
            .values(latest_number=Obj.latest_number + 1)
            .returning(Obj.latest_number)
        )
        return int((await self.session.execute(query)).scalar_one())

    async def listing(
        self,
        prefix: str,
        now: datetime,
        *,
        owner_id: str | None,
        grantee_id: str | None,
        offset: int,
        limit: int,
    ) -> tuple[int, Sequence[tuple[Obj, Version]]]:
        """Live objects under ``prefix`` (of ``owner_id``, or shared with ``grantee_id``, or
        everyone's when both are None) with their current versions, by owner then key."""
        conditions: list[ColumnElement[bool]] = [
            (Obj.expires_at.is_(None)) | (Obj.expires_at > now)
        ]
        if prefix:
            conditions.append(Obj.key.like(_escape_like(prefix) + "%", escape="\\"))
        if owner_id is not None:
            conditions.append(Obj.owner_id == owner_id)
        if grantee_id is not None:
            shared = select(Grant.object_id).where(Grant.grantee_id == grantee_id)
            conditions.append(Obj.id.in_(shared))
        total_query = select(func.count()).select_from(Obj).where(*conditions)
        total = int((await self.session.execute(total_query)).scalar_one())
        query = (
            select(Obj, Version)
            .join(Version, Version.id == Obj.current_version_id)
            .where(*conditions)
            .order_by(Obj.owner_id, Obj.key)
            .offset(offset)
            .limit(limit)
        )
        rows = (await self.session.execute(query)).all()
        return total, [(obj, version) for obj, version in rows]

    async def expired(self, now: datetime, limit: int) -> Sequence[Obj]:
        query = select(Obj).where(Obj.expires_at <= now).order_by(Obj.expires_at).limit(limit)
        return (await self.session.execute(query)).scalars().all()

    async def remove_object(self, obj: Obj) -> Sequence[Version]:
        """Delete an object with its versions and grants; returns the versions removed."""
        versions = await self.versions(obj.id)
        await self.session.execute(delete(Grant).where(Grant.object_id == obj.id))
        await self.session.execute(delete(Version).where(Version.object_id == obj.id))
        await self.session.execute(delete(Obj).where(Obj.id == obj.id))
        return versions

    # versions ---------------------------------------------------------------------------
    async def version_by_id(self, version_id: str) -> Version | None:
        return await self.session.get(Version, version_id)

    async def version(self, object_id: str, number: int) -> Version | None:
        query = select(Version).where(Version.object_id == object_id, Version.number == number)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def versions(self, object_id: str) -> Sequence[Version]:
        """An object's versions, newest first."""
        query = (
            select(Version).where(Version.object_id == object_id).order_by(Version.number.desc())
        )
        return (await self.session.execute(query)).scalars().all()

    async def remove_version(self, version: Version) -> None:
        await self.session.execute(delete(Version).where(Version.id == version.id))

    # grants -----------------------------------------------------------------------------
    async def grant(self, object_id: str, grantee_id: str) -> Grant | None:
        return await self.session.get(Grant, (object_id, grantee_id))

    async def grants(self, object_id: str) -> Sequence[Grant]:
        query = select(Grant).where(Grant.object_id == object_id).order_by(Grant.grantee_id)
        return (await self.session.execute(query)).scalars().all()

    async def remove_grant(self, object_id: str, grantee_id: str) -> bool:
        query = delete(Grant).where(Grant.object_id == object_id, Grant.grantee_id == grantee_id)
        result = await self.session.execute(query)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    # uploads ----------------------------------------------------------------------------
    async def upload(self, upload_id: str) -> Upload | None:
        return await self.session.get(Upload, upload_id)

    async def abandoned(self, before: datetime, limit: int) -> Sequence[Upload]:
        query = (
            select(Upload)
            .where(Upload.touched_at < before)
            .order_by(Upload.touched_at)
            .limit(limit)
        )
        return (await self.session.execute(query)).scalars().all()

    async def remove_upload(self, upload_id: str) -> None:
        await self.session.execute(delete(Upload).where(Upload.id == upload_id))

    async def add_reserved(self, upload_id: str, nbytes: int, now: datetime) -> bool:
        """Count ``nbytes`` more against the upload; False when it was already reclaimed."""
        query = (
            update(Upload)
            .where(Upload.id == upload_id)
            .values(reserved_bytes=Upload.reserved_bytes + nbytes, touched_at=now)
        )
        result = await self.session.execute(query)
        return bool(result.rowcount)  # type: ignore[attr-defined]
