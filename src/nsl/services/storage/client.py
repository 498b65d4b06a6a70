"""What other services use from storage: store and read objects as a principal, through the
same checks, quotas, encryption and audit as the HTTP API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Protocol, runtime_checkable

from nsl.core.context import ServiceContext
from nsl.core.errors import Unavailable
from nsl.core.security import Principal
from nsl.services.storage import rules
from nsl.services.storage.uploads import NewObject


@runtime_checkable
class ObjectStore(Protocol):
    async def put_object(
        self, principal: Principal, new: NewObject, body: AsyncIterator[bytes]
    ) -> dict[str, Any]: ...

    async def get_object(
        self, principal: Principal, owner_id: str, key: str, number: int | None, verify: bool
    ) -> Any: ...


class StorageClient:
    """In-process access to the storage service (looked up at call time)."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def _service(self) -> ObjectStore:
        service: Any = self.ctx.services.get("storage")
        if not isinstance(service, ObjectStore):
            raise Unavailable(
                "the storage service does not run in this process", code="storage.unavailable"
            )
        return service

    async def put(
        self,
        principal: Principal,
        key: str,
        body: AsyncIterator[bytes],
        *,
        content_type: str | None = None,
        compress: bool = False,
    ) -> dict[str, Any]:
        """Store ``body`` as a new version of ``principal``'s ``key``; the version JSON."""
        service = self._service()
        settings = self.ctx.settings.storage
        new = NewObject(
            owner_id=principal.id,
            key=rules.key(key, settings),
            content_type=rules.content_type(content_type),
            compress=compress,
        )
        return await service.put_object(principal, new, body)

    async def read(
        self,
        principal: Principal,
        key: str,
        *,
        owner: str | None = None,
        version: int | None = None,
    ) -> AsyncIterator[bytes]:
        """The object's verified plaintext chunks (``storage.integrity`` on damage)."""
        opened = await self._service().get_object(
            principal, owner or principal.id, key, version, False
        )
        chunks: AsyncIterator[bytes] = opened.chunks
        return chunks
