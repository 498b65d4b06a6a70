"""HTTP routes under ``/api/v1/backup`` (admin and operator only), each calling one method."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from nsl.core.security import Principal, Role, require_roles

if TYPE_CHECKING:
    from nsl.services.backup.service import BackupService

_OPERATOR = require_roles(Role.ADMIN, Role.OPERATOR)
CREATED = 201


async def operator(request: Request) -> Principal:
    return _OPERATOR(request)


class TriggerBackup(BaseModel):
    kind: str


def build_router(service: BackupService) -> APIRouter:
    router = APIRouter(prefix="/api/v1/backup", tags=["backup"], dependencies=[Depends(operator)])

    @router.get("/backups", summary="Backups in the targets, oldest first")
    async def list_backups(kind: str | None = None) -> JSONResponse:
        return JSONResponse(await service.list_backups(kind))

    @router.get("/backups/{backup_id}", summary="One backup's manifest (MAC-checked)")
    async def get_backup(backup_id: str) -> JSONResponse:
        return JSONResponse(await service.get_backup(backup_id))

    @router.post("/backups", status_code=CREATED, summary="Run a backup now")
    async def trigger(body: TriggerBackup) -> JSONResponse:
        """``kind``: full, incremental, keys or config. A target that fails is named in
        ``failed_targets`` and the backup's ``status`` is ``failed``."""
        return JSONResponse(await service.trigger(body.kind), CREATED)

    @router.post("/backups/{backup_id}/verify", summary="Restore into a scratch database")
    async def verify(backup_id: str) -> JSONResponse:
        return JSONResponse(await service.verify(backup_id))

    return router
