"""Deleting objects and versions, sharing (grants), usage and quotas, and the purge of expired
objects and abandoned uploads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from nsl.core.audit import AuditEntry
from nsl.core.errors import ValidationFailed
from nsl.core.security import Principal
from nsl.services.storage.base import READ, READ_WRITE, Need, StorageBase, is_admin, target
from nsl.services.storage.errors import AccessDenied, ObjectNotFound
from nsl.services.storage.models import StorageGrant, StorageObject, StorageVersion
from nsl.services.storage.repository import StorageRepository
from nsl.services.storage.views import grant_view, page

PURGE_BATCH = 100
ACCESS_LEVELS = (READ, READ_WRITE)
SYSTEM = "system:storage"


class ManageUseCases(StorageBase):
    async def delete_object(
        self, principal: Principal, owner_id: str, key: str, number: int | None
    ) -> None:
        """The whole object (owner or admin), or one version (``read-write`` grants too)."""
        async with self.audited(principal, "delete", owner_id, key) as scope:
            need = Need.OWN if number is None else Need.WRITE
            async with self.ctx.database.session() as session:
                repo = StorageRepository(session)
                obj = await self.access(repo, principal, owner_id, key, need)
                if need is Need.OWN and obj.owner_id != principal.id and not is_admin(principal):
                    raise AccessDenied("only the owner deletes a whole object")
                if number is None:
                    removed = await self._remove_object(session, repo, obj)
                else:
                    scope.target = target(owner_id, key, number)
                    removed = await self._remove_version(session, repo, obj, number)
            await self._drop_chunks(removed, "deleted")

    async def _remove_version(
        self, session: Any, repo: StorageRepository, obj: StorageObject, number: int
    ) -> Sequence[StorageVersion]:
        version = await repo.version(obj.id, number)
        if version is None:
            raise ObjectNotFound(f"object {obj.key!r} has no version {number}")
        remaining = [v for v in await repo.versions(obj.id) if v.id != version.id]
        if not remaining:
            return await self._remove_object(session, repo, obj)
        await repo.remove_version(version)
        await self.quotas.release(session, obj.owner_id, nbytes=version.size, objects=0)
        if obj.current_version_id == version.id:
            obj.current_version_id = remaining[0].id  # newest first
        return [version]

    # sharing ------------------------------------------------------------------------------
    async def share(
        self, principal: Principal, owner_id: str, key: str, grantee: str, access: str
    ) -> dict[str, Any]:
        if access not in ACCESS_LEVELS:
            raise ValidationFailed.on("access", "one_of", "read or read-write")
        if grantee == owner_id:
            raise ValidationFailed.on("grantee", "not_owner", "the owner has every access")
        async with self.audited(principal, "share", owner_id, key) as scope:
            scope.details = {"grantee": grantee, "access": access}
            async with self.ctx.database.session() as session:
                repo = StorageRepository(session)
                obj = await self._owned(repo, principal, owner_id, key)
                grant = await repo.grant(obj.id, grantee)
                if grant is None:
                    grant = StorageGrant(
                        object_id=obj.id,
                        grantee_id=grantee,
                        access=access,
                        created_at=self.ctx.clock.now(),
                        created_by=principal.id,
                    )
                    repo.add(grant)
                    await repo.flush()
                else:
                    grant.access = access
                return grant_view(obj, grant)

    async def unshare(self, principal: Principal, owner_id: str, key: str, grantee: str) -> None:
        async with self.audited(principal, "unshare", owner_id, key) as scope:
            scope.details = {"grantee": grantee}
            async with self.ctx.database.session() as session:
                repo = StorageRepository(session)
                obj = await self._owned(repo, principal, owner_id, key)
                if not await repo.remove_grant(obj.id, grantee):
                    raise ObjectNotFound(f"{grantee} holds no grant on {key!r}")

    async def grants(self, principal: Principal, owner_id: str, key: str) -> dict[str, Any]:
        async with self.audited(principal, "grants", owner_id, key):
            async with self.reading() as repo:
                obj = await self._owned(repo, principal, owner_id, key)
                items = [grant_view(obj, g) for g in await repo.grants(obj.id)]
            return page(items, len(items), 1, len(items))

    async def _owned(
        self, repo: StorageRepository, principal: Principal, owner_id: str, key: str
    ) -> StorageObject:
        obj = await self.access(repo, principal, owner_id, key, Need.OWN)
        if obj.owner_id != principal.id and not is_admin(principal):
            raise AccessDenied("only the owner shares an object")
        return obj

    # usage and quotas ---------------------------------------------------------------------
    async def usage(self, principal: Principal, owner_id: str | None) -> dict[str, Any]:
        owner = owner_id or principal.id
        if owner != principal.id and not is_admin(principal):
            raise AccessDenied("only an admin reads another owner's usage")
        async with self.audited(principal, "usage", owner, "*"):
            return (await self.quotas.report(owner)).as_dict()

    async def set_quota(
        self, principal: Principal, owner_id: str, max_bytes: int | None, max_objects: int | None
    ) -> dict[str, Any]:
        async with self.audited(principal, "quota", owner_id, "*") as scope:
            scope.details = {"max_bytes": max_bytes, "max_objects": max_objects}
            return (await self.quotas.set_limits(owner_id, max_bytes, max_objects)).as_dict()

    # purge --------------------------------------------------------------------------------
    async def purge(self) -> int:
        """Remove expired objects and reclaim abandoned uploads; how many were removed."""
        now = self.ctx.clock.now()
        removed = 0
        while True:
            async with self.ctx.database.session() as session:
                repo = StorageRepository(session)
                batch = await repo.expired(now, PURGE_BATCH)
                versions: list[StorageVersion] = []
                for obj in batch:
                    versions.extend(await self._remove_object(session, repo, obj))
            for obj in batch:  # after the transaction: the audit log writes its own
                await self.ctx.audit.record(
                    AuditEntry(SYSTEM, self.name, "expire", target(obj.owner_id, obj.key))
                )
            await self._drop_chunks(versions, "expired")
            removed += len(batch)
            if len(batch) < PURGE_BATCH:
                break
        before = now - timedelta(seconds=self.settings.abandoned_upload_s)
        async with self.reading() as repo:
            stale = [u.id for u in await repo.abandoned(before, PURGE_BATCH)]
        for upload_id in stale:
            removed += int(await self.abandon(upload_id))
        return removed
