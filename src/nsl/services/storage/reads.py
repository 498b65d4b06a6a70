"""Reads: HEAD, streaming GET with per-chunk authentication and the content hash checked before
the last bytes leave, version lists and prefix listings.

A GET checks the first chunk before answering, so damage there is a clean 500 problem. Damage
found later cannot change the status already sent: the stream is aborted before the damaged
chunk (or, for a hash mismatch, before the last chunk), so the reader gets fewer bytes than
``Content-Length`` announced and a broken connection, never wrong bytes presented as whole.
``verify=True`` checks every chunk and the hash first, then streams.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from nsl.core.audit import AuditEntry
from nsl.core.enclave import EnclaveDecryptFailed, EnclaveKeyUnknown
from nsl.core.errors import ValidationFailed
from nsl.core.security import Principal
from nsl.services.storage import codec
from nsl.services.storage.base import Need, StorageBase, is_admin, target
from nsl.services.storage.errors import IntegrityFailure, ObjectNotFound
from nsl.services.storage.models import StorageObject, StorageVersion
from nsl.services.storage.views import object_view, page, version_view


@dataclass
class Opened:
    """An object version ready to stream: its record and its verified plaintext chunks."""

    obj: StorageObject
    version: StorageVersion
    chunks: AsyncIterator[bytes]


class ReadUseCases(StorageBase):
    async def head_object(
        self, principal: Principal, owner_id: str, key: str, number: int | None, verify: bool
    ) -> tuple[StorageObject, StorageVersion]:
        async with self.audited(principal, "head", owner_id, key) as scope:
            obj, version = await self._resolve(principal, owner_id, key, number)
            scope.target = target(owner_id, key, version.number)
            if verify:
                await self._verify(principal, obj, version)
            return obj, version

    async def get_object(
        self, principal: Principal, owner_id: str, key: str, number: int | None, verify: bool
    ) -> Opened:
        async with self.audited(principal, "get", owner_id, key) as scope:
            obj, version = await self._resolve(principal, owner_id, key, number)
            scope.target = target(owner_id, key, version.number)
            scope.data_hash = "sha256:" + version.sha256
            if verify:
                await self._verify(principal, obj, version)
            chunks = self._plaintext(principal, obj, version)
            first = await chunks.__anext__()  # damage in chunk 0 fails before the answer starts
        return Opened(obj, version, self._sent(first, chunks))

    async def verify_object(
        self, principal: Principal, owner_id: str, key: str, number: int | None
    ) -> dict[str, Any]:
        async with self.audited(principal, "verify", owner_id, key) as scope:
            obj, version = await self._resolve(principal, owner_id, key, number)
            scope.target = target(owner_id, key, version.number)
            await self._verify(principal, obj, version)
            return {**version_view(owner_id, key, version), "verified": True}

    async def list_versions(self, principal: Principal, owner_id: str, key: str) -> dict[str, Any]:
        async with self.audited(principal, "versions", owner_id, key):
            async with self.reading() as repo:
                obj = await self.access(repo, principal, owner_id, key, Need.READ)
                versions = await repo.versions(obj.id)
            items = [
                {**version_view(owner_id, key, v), "current": v.id == obj.current_version_id}
                for v in versions
            ]
            return page(items, len(items), 1, len(items))

    async def list_objects(
        self,
        principal: Principal,
        *,
        prefix: str,
        owner_id: str | None,
        shared: bool,
        number: int,
        size: int,
    ) -> dict[str, Any]:
        """The caller's objects (or, with ``shared``, those shared with it); an admin may name
        any ``owner_id`` or, naming none and not ``shared``, sees everyone's."""
        others = owner_id is not None and owner_id != principal.id
        if others and not shared and not is_admin(principal):
            raise ValidationFailed.on(
                "owner", "own_or_shared", "list another owner's objects with shared=true"
            )
        scope_owner: str | None = owner_id
        if owner_id is None and not shared and not is_admin(principal):
            scope_owner = principal.id
        grantee = principal.id if shared else None
        async with self.audited(principal, "list", scope_owner or "*", prefix or "*"):
            async with self.reading() as repo:
                total, rows = await repo.listing(
                    prefix,
                    self.ctx.clock.now(),
                    owner_id=scope_owner,
                    grantee_id=grantee,
                    offset=(number - 1) * size,
                    limit=size,
                )
            return page([object_view(o, v) for o, v in rows], total, number, size)

    # internals -----------------------------------------------------------------------------
    async def _resolve(
        self, principal: Principal, owner_id: str, key: str, number: int | None
    ) -> tuple[StorageObject, StorageVersion]:
        async with self.reading() as repo:
            obj = await self.access(repo, principal, owner_id, key, Need.READ)
            if number is None:
                version = await repo.version_by_id(obj.current_version_id)
            else:
                version = await repo.version(obj.id, number)
        if version is None:
            raise ObjectNotFound(f"object {key!r} has no version {number}")
        return obj, version

    async def _codec(self, obj: StorageObject, version: StorageVersion) -> codec.ChunkCodec:
        try:
            data_key = await self.ctx.enclave.unwrap_data_key(
                version.wrapping_key_ref,
                version.wrapped_key,
                codec.key_aad(obj.owner_id, version.id),
            )
        except (EnclaveDecryptFailed, EnclaveKeyUnknown, ValidationFailed) as exc:
            raise IntegrityFailure(
                f"the data key of version {version.number} of {obj.key!r} does not open"
            ) from exc
        return codec.ChunkCodec(
            data_key, version.id, compression=version.compression, chunk_bytes=version.chunk_bytes
        )

    async def _plaintext(
        self, principal: Principal, obj: StorageObject, version: StorageVersion
    ) -> AsyncIterator[bytes]:
        """Each chunk's plaintext after its tag checked; the last one only after the whole
        content hash matched the stored one."""
        fetching: asyncio.Task[bytes] | None = None  # the next chunk, read ahead
        try:
            opener = await self._codec(obj, version)
            store = self.stores[version.chunk_store]
            digest = hashlib.sha256()
            last_index = version.chunk_count - 1
            fetching = asyncio.create_task(store.get(version.id, 0))
            for index in range(version.chunk_count):
                stored = await fetching
                if index < last_index:
                    fetching = asyncio.create_task(store.get(version.id, index + 1))
                plain = opener.open(index, stored, last=index == last_index)
                digest.update(plain)
                if index == last_index and digest.hexdigest() != version.sha256:
                    raise IntegrityFailure(
                        f"version {version.number} of {obj.key!r} does not match its SHA-256"
                    )
                yield plain
        except IntegrityFailure as exc:
            await self._integrity_failed(principal, obj, version, exc)
            raise
        finally:
            if fetching is not None and not fetching.done():
                fetching.cancel()
                await asyncio.gather(fetching, return_exceptions=True)

    async def _sent(self, first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        sent = len(first)
        try:
            yield first
            async for plain in rest:
                sent += len(plain)
                yield plain
        finally:
            self.telemetry.bytes_out.inc(sent)

    async def _verify(
        self, principal: Principal, obj: StorageObject, version: StorageVersion
    ) -> None:
        async for _ in self._plaintext(principal, obj, version):
            pass

    async def _integrity_failed(
        self, principal: Principal, obj: StorageObject, version: StorageVersion, exc: Exception
    ) -> None:
        self.telemetry.integrity_failures.inc()
        await self.ctx.audit.record(
            AuditEntry(
                principal.id,
                self.name,
                "integrity",
                target(obj.owner_id, obj.key, version.number),
                IntegrityFailure.code,
                None,
                {"version_id": version.id, "detail": str(exc)[:200]},
            )
        )
