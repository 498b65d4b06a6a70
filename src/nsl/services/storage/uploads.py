"""Streaming upload: 1 MiB chunks, hashed, optionally compressed, sealed and stored one at a
time; quota reserved chunk by chunk; the version appears only when every chunk is stored.

An upload that fails (quota, size, client gone, crash) leaves no version: its chunks are
deleted and its reservation given back at once, or by the purge task after a crash.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from nsl.core.errors import BadRequest
from nsl.core.ids import new_id
from nsl.core.security import Principal
from nsl.services.storage import codec
from nsl.services.storage.base import Need, StorageBase, is_admin, not_found
from nsl.services.storage.errors import (
    ConcurrentChange,
    ObjectTooLarge,
    QuotaExceeded,
    UploadAbandoned,
)
from nsl.services.storage.models import StorageObject, StorageUpload, StorageVersion
from nsl.services.storage.repository import StorageRepository
from nsl.services.storage.views import version_view

COMMIT_ATTEMPTS = 5


@dataclass
class NewObject:
    """What a PUT says about the version it creates (already validated)."""

    owner_id: str
    key: str
    content_type: str
    metadata: dict[str, str] = field(default_factory=dict)
    expires_at: datetime | None = None
    compress: bool = False
    declared_size: int | None = None  # Content-Length: reserved whole, before any byte is read


@dataclass
class Written:
    size: int = 0
    stored: int = 0
    chunks: int = 0
    digest: Any = field(default_factory=hashlib.sha256)


async def chunked(stream: AsyncIterator[bytes], size: int) -> AsyncIterator[tuple[bytes, bool]]:
    """``(chunk, last)`` pairs of ``size`` bytes (the last shorter); an empty body is one empty
    last chunk. At most one chunk plus one received piece is held."""
    buffer = bytearray()
    async for piece in stream:
        buffer += piece
        while len(buffer) > size:  # bytes follow this chunk: it is not the last
            yield bytes(buffer[:size]), False
            del buffer[:size]
    yield bytes(buffer), True


class UploadUseCases(StorageBase):
    async def put_object(
        self, principal: Principal, new: NewObject, body: AsyncIterator[bytes]
    ) -> dict[str, Any]:
        async with self.audited(principal, "put", new.owner_id, new.key) as scope:
            await self.clear_expired(new.owner_id, new.key)
            async with self.reading() as repo:
                existing = await repo.object(new.owner_id, new.key)
                if existing is not None:
                    await self.access(repo, principal, new.owner_id, new.key, Need.WRITE)
            if existing is None and new.owner_id != principal.id and not is_admin(principal):
                raise not_found(new.owner_id, new.key)
            version = await self._upload(principal, new, body, new_object=existing is None)
            scope.target = f"{scope.target}/v{version.number}"
            scope.data_hash = "sha256:" + version.sha256
            scope.details = {"size": version.size, "version_id": version.id}
            self.telemetry.bytes_in.inc(version.size)
            self.telemetry.objects.labels("stored").inc()
            return version_view(new.owner_id, new.key, version)

    async def _upload(
        self, principal: Principal, new: NewObject, body: AsyncIterator[bytes], *, new_object: bool
    ) -> StorageVersion:
        version_id = new_id()
        store = self.store
        wrapped = await self.ctx.enclave.generate_data_key(
            self.key_ref, codec.key_aad(new.owner_id, version_id)
        )
        sealer = codec.ChunkCodec(
            wrapped.plaintext,
            version_id,
            compression=codec.ZSTD if new.compress else codec.NONE,
            level=self.settings.compression_level,
            chunk_bytes=self.settings.chunk_bytes,
        )
        limit = self.settings.max_object_bytes
        if new.declared_size is not None and new.declared_size > limit:
            raise ObjectTooLarge(f"objects are at most {limit} bytes")
        await self.quotas.ensure(new.owner_id)
        await self._begin(new, version_id, store.name, reserve_object=new_object)
        try:
            written = await self._write(new, version_id, sealer, body)
            return await self._commit(principal, new, version_id, wrapped.wrapped, written, sealer)
        except BaseException:
            await asyncio.shield(self.abandon(version_id))
            raise

    async def _begin(
        self, new: NewObject, upload_id: str, store: str, *, reserve_object: bool
    ) -> None:
        now = self.ctx.clock.now()
        try:
            async with self.ctx.database.session() as session:
                objects = 1 if reserve_object else 0
                declared = new.declared_size or 0
                await self.quotas.reserve(session, new.owner_id, nbytes=declared, objects=objects)
                StorageRepository(session).add(
                    StorageUpload(
                        id=upload_id,
                        owner_id=new.owner_id,
                        key=new.key,
                        reserved_bytes=declared,
                        reserved_object=reserve_object,
                        chunk_store=store,
                        started_at=now,
                        touched_at=now,
                    )
                )
        except QuotaExceeded as exc:
            self.telemetry.quota_rejections.labels(exc.extra.get("quota", "bytes")).inc()
            raise

    async def _write(
        self, new: NewObject, upload_id: str, sealer: codec.ChunkCodec, body: AsyncIterator[bytes]
    ) -> Written:
        written = Written()
        limit = self.settings.max_object_bytes
        storing: asyncio.Task[None] | None = None  # the previous chunk's write, overlapped
        try:
            async for plain, last in chunked(body, self.settings.chunk_bytes):
                if written.size + len(plain) > limit:
                    raise ObjectTooLarge(f"objects are at most {limit} bytes")
                if new.declared_size is None:
                    await self._reserve(new.owner_id, upload_id, len(plain))
                elif written.size + len(plain) > new.declared_size:
                    raise BadRequest(
                        "the body is longer than its Content-Length",
                        code="storage.length_mismatch",
                    )
                written.digest.update(plain)
                sealed = sealer.seal(written.chunks, plain, last=last)
                if storing is not None:
                    await storing
                storing = asyncio.create_task(self.store.put(upload_id, written.chunks, sealed))
                written.size += len(plain)
                written.stored += len(sealed)
                written.chunks += 1
            if storing is not None:
                await storing
        except BaseException:
            if storing is not None and not storing.done():
                storing.cancel()
                await asyncio.gather(storing, return_exceptions=True)
            raise
        return written

    async def _reserve(self, owner_id: str, upload_id: str, nbytes: int) -> None:
        try:
            async with self.ctx.database.session() as session:
                await self.quotas.reserve(session, owner_id, nbytes=nbytes, objects=0)
                if not await StorageRepository(session).add_reserved(
                    upload_id, nbytes, self.ctx.clock.now()
                ):
                    raise UploadAbandoned("this upload was reclaimed as abandoned; start again")
        except QuotaExceeded as exc:
            self.telemetry.quota_rejections.labels("bytes").inc()
            raise exc

    async def _commit(
        self,
        principal: Principal,
        new: NewObject,
        version_id: str,
        wrapped_key: bytes,
        written: Written,
        sealer: codec.ChunkCodec,
    ) -> StorageVersion:
        for attempt in range(COMMIT_ATTEMPTS):
            try:
                return await self._commit_once(
                    principal, new, version_id, wrapped_key, written, sealer
                )
            except ConcurrentChange:
                if attempt == COMMIT_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    async def _commit_once(
        self,
        principal: Principal,
        new: NewObject,
        version_id: str,
        wrapped_key: bytes,
        written: Written,
        sealer: codec.ChunkCodec,
    ) -> StorageVersion:
        now = self.ctx.clock.now()
        async with self.ctx.database.session() as session:
            repo = StorageRepository(session)
            upload = await repo.upload(version_id)
            if upload is None:
                raise UploadAbandoned("this upload was reclaimed as abandoned; start again")
            if new.declared_size is not None and written.size != new.declared_size:
                raise BadRequest(
                    "the body is shorter than its Content-Length", code="storage.length_mismatch"
                )
            obj = await repo.object(new.owner_id, new.key)
            if obj is None:
                if not upload.reserved_object:
                    await self.quotas.reserve(session, new.owner_id, nbytes=0, objects=1)
                obj = StorageObject(
                    id=new_id(),
                    owner_id=new.owner_id,
                    key=new.key,
                    latest_number=1,
                    current_version_id=version_id,
                    expires_at=new.expires_at,
                    created_at=now,
                    updated_at=now,
                )
                repo.add(obj)
                await repo.flush()
                number = 1
            else:
                if upload.reserved_object:  # someone created it meanwhile: one object, not two
                    await self.quotas.release(session, new.owner_id, nbytes=0, objects=1)
                number = await repo.next_number(obj.id)
                obj.current_version_id = version_id
                obj.expires_at = new.expires_at
                obj.updated_at = now
            version = StorageVersion(
                id=version_id,
                object_id=obj.id,
                number=number,
                size=written.size,
                stored_size=written.stored,
                chunk_count=written.chunks,
                chunk_bytes=self.settings.chunk_bytes,
                compression=sealer.compression,
                content_type=new.content_type,
                user_metadata=new.metadata,
                sha256=written.digest.hexdigest(),
                wrapped_key=wrapped_key,
                wrapping_key_ref=self.key_ref,
                chunk_store=upload.chunk_store,
                created_at=now,
                created_by=principal.id,
            )
            repo.add(version)
            await repo.remove_upload(version_id)
            await repo.flush()
            return version
