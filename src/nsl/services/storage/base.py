"""What the storage use cases share: settings, chunk stores, the wrapping key, access rules
and the audit entry every access ends with."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from nsl.adapters.wrapping_key import wrapping_key
from nsl.core.audited import AuditScope
from nsl.core.context import ServiceContext
from nsl.core.errors import Unavailable
from nsl.core.health import Check, Status
from nsl.core.security import Principal, Role
from nsl.core.service import ServiceBase
from nsl.services.storage.chunkstores import ChunkStore, DatabaseChunkStore, FilesystemChunkStore
from nsl.services.storage.errors import AccessDenied, ObjectNotFound
from nsl.services.storage.models import StorageKeyring, StorageObject, StorageVersion
from nsl.services.storage.quotas import Quotas
from nsl.services.storage.repository import StorageRepository
from nsl.services.storage.telemetry import storage_metrics

READ_WRITE = "read-write"
READ = "read"
TARGET_KEY_MAX = 400  # the audit target column holds 512


class Need(StrEnum):
    READ = "read"
    WRITE = "write"
    OWN = "own"  # delete the whole object, share it


def is_admin(principal: Principal) -> bool:
    return Role.ADMIN in principal.roles


def target(owner_id: str, key: str, version: int | None = None) -> str:
    shown = key if len(key) <= TARGET_KEY_MAX else key[:TARGET_KEY_MAX] + "~"
    return f"object/{owner_id}/{shown}" + (f"/v{version}" if version else "")


def not_found(owner_id: str, key: str) -> ObjectNotFound:
    return ObjectNotFound(f"no object {key!r} of owner {owner_id} that you may access")


class StorageBase(ServiceBase):
    _key_ref: str | None = None

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__(ctx)
        self.settings = ctx.settings.storage
        self.telemetry = storage_metrics(ctx.metrics)
        self.quotas = Quotas(ctx.database, self.settings)
        root = self.settings.directory or ctx.settings.data_dir / "storage"
        self.stores: dict[str, ChunkStore] = {
            "database": DatabaseChunkStore(ctx.database),
            "filesystem": FilesystemChunkStore(root),
        }

    @property
    def store(self) -> ChunkStore:
        """Where new versions go; each version remembers its own store for reading."""
        return self.stores[self.settings.chunk_store]

    async def on_start(self) -> None:
        self._key_ref = await wrapping_key(
            self.ctx.database, self.ctx.enclave, self.ctx.clock, StorageKeyring, "storage"
        )

    async def on_stop(self) -> None:
        self._key_ref = None

    async def checks(self) -> list[Check]:
        loaded = self._key_ref is not None
        return [
            Check("storage.wrapping_key", Status.OK if loaded else Status.DOWN),
            Check("storage.chunk_store", Status.OK, self.settings.chunk_store),
        ]

    @property
    def key_ref(self) -> str:
        if self._key_ref is None:
            raise Unavailable("the storage service is not started", code="storage.stopped")
        return self._key_ref

    def audited(self, principal: Principal, action: str, owner_id: str, key: str) -> AuditScope:
        return AuditScope(
            self.ctx.audit,
            self.operation(action),
            self.name,
            action,
            principal.id,
            target(owner_id, key),
        )

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[StorageRepository]:
        async with self.ctx.database.session() as session:
            yield StorageRepository(session)

    async def access(
        self, repo: StorageRepository, principal: Principal, owner_id: str, key: str, need: Need
    ) -> StorageObject:
        """The live object if the caller may ``need`` it: no access at all (or no object) is
        404, saying nothing about existence; a read grant asked to write is 403."""
        obj = await repo.object(owner_id, key)
        now = self.ctx.clock.now()
        if obj is None or (obj.expires_at is not None and obj.expires_at <= now):
            raise not_found(owner_id, key)
        if is_admin(principal) or obj.owner_id == principal.id:
            return obj
        grant = await repo.grant(obj.id, principal.id)
        if grant is None:
            raise not_found(owner_id, key)
        if need is Need.READ or (need is Need.WRITE and grant.access == READ_WRITE):
            return obj
        raise AccessDenied(f"your {grant.access} grant does not allow this on {key!r}")

    async def abandon(self, upload_id: str) -> bool:
        """Give back an unfinished upload's reservation and delete its chunks (idempotent);
        False when there was nothing to abandon (it completed, or was abandoned already)."""
        async with self.ctx.database.session() as session:
            repo = StorageRepository(session)
            upload = await repo.upload(upload_id)
            if upload is None:
                committed = await repo.version_by_id(upload_id) is not None
        if upload is None:  # reclaimed already (chunks may have come since) or committed
            if not committed:
                for store in self.stores.values():
                    await store.delete(upload_id)
            return False
        async with self.ctx.database.session() as session:
            repo = StorageRepository(session)
            if await repo.upload(upload_id) is None:
                return False
            await self.quotas.release(
                session,
                upload.owner_id,
                nbytes=upload.reserved_bytes,
                objects=1 if upload.reserved_object else 0,
            )
            await repo.remove_upload(upload_id)
            store = self.stores[upload.chunk_store]
        await store.delete(upload_id)
        self.telemetry.objects.labels("abandoned").inc()
        return True

    async def _remove_object(
        self, session: AsyncSession, repo: StorageRepository, obj: StorageObject
    ) -> Sequence[StorageVersion]:
        removed = await repo.remove_object(obj)
        await self.quotas.release(
            session, obj.owner_id, nbytes=sum(v.size for v in removed), objects=1
        )
        return removed

    async def _drop_chunks(self, versions: Sequence[StorageVersion], outcome: str) -> None:
        for version in versions:
            await self.stores[version.chunk_store].delete(version.id)
            self.telemetry.objects.labels(outcome).inc()

    async def clear_expired(self, owner_id: str, key: str) -> None:
        """Remove ``key`` now if it has expired (a new PUT must not revive old versions)."""
        async with self.ctx.database.session() as session:
            repo = StorageRepository(session)
            obj = await repo.object(owner_id, key)
            now = self.ctx.clock.now()
            if obj is None or obj.expires_at is None or obj.expires_at > now:
                return
            removed = await self._remove_object(session, repo, obj)
        await self._drop_chunks(removed, "expired")
