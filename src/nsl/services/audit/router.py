"""HTTP routes under ``/api/v1/audit`` (roles auditor and admin)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, Query, Request

from nsl.adapters.audit import AuditQuery
from nsl.core.security import Principal, Role, require_roles

if TYPE_CHECKING:
    from nsl.services.audit.service import AuditService

_READ = require_roles(Role.AUDITOR, Role.ADMIN)


async def auditor(request: Request) -> Principal:
    return _READ(request)


def build_router(service: AuditService) -> APIRouter:
    router = APIRouter(prefix="/api/v1/audit", tags=["audit"])

    @router.get("/entries", summary="Search audit entries, newest first")
    async def entries(
        service_name: str | None = Query(None, alias="service"),
        actor: str | None = None,
        action: str | None = None,
        outcome: str | None = None,
        target_prefix: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        page: int = 1,
        page_size: int = 50,
        _: Principal = Depends(auditor),
    ) -> dict[str, Any]:
        query = AuditQuery(service_name, actor, action, outcome, target_prefix, since, until)
        return await service.entries(query, page, page_size)

    @router.get("/verify", summary="Verify the whole hash chain")
    async def verify(_: Principal = Depends(auditor)) -> dict[str, Any]:
        return await service.verify()

    return router
