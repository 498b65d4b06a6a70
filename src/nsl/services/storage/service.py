"""The storage service: objects addressed by owner + key, streamed in encrypted 1 MiB chunks
with versions, expiry, sharing, atomic per-owner quotas and an audit entry for every access."""

from __future__ import annotations

from typing import ClassVar

from fastapi import APIRouter

from nsl.core.context import ServiceContext
from nsl.services.storage.manage import ManageUseCases
from nsl.services.storage.reads import ReadUseCases
from nsl.services.storage.router import build_router
from nsl.services.storage.uploads import UploadUseCases

PURGE_TASK = "purge"


class StorageService(UploadUseCases, ReadUseCases, ManageUseCases):
    name: ClassVar[str] = "storage"
    phase: ClassVar[int] = 3
    depends_on: ClassVar[tuple[str, ...]] = ("auth",)
    description: ClassVar[str] = "encrypted, versioned object storage with quotas and sharing"

    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__(ctx)
        self.every(self.settings.purge_interval_s, PURGE_TASK, self.purge)

    def routes(self) -> APIRouter:
        return build_router(self)
