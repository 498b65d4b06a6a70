"""HTTP routes under ``/api/v1/automation``, each calling one service method."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from nsl.core.security import Principal, Role, require_roles
from nsl.services.automation import signing
from nsl.services.automation.schemas import CreateJob, UpdateJob

if TYPE_CHECKING:
    from nsl.services.automation.service import AutomationService

_USER = require_roles(Role.ADMIN, Role.OPERATOR, Role.DEVELOPER, Role.USER, Role.SERVICE)
CREATED, ACCEPTED = 201, 202
ONE = "/jobs/{job_id}"


async def caller(request: Request) -> Principal:
    return _USER(request)


def build_router(service: AutomationService) -> APIRouter:
    router = APIRouter(prefix="/api/v1/automation", tags=["automation"])

    @router.post("/jobs", status_code=CREATED, summary="Create a job")
    async def create(body: CreateJob, principal: Principal = Depends(caller)) -> JSONResponse:
        """A job runs ``action`` each time ``trigger`` is due, exactly once per due time. The
        job's ``secret`` is in this answer only: it signs webhook actions and must sign calls
        of a webhook trigger (``X-NSL-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>."
        + body)>``, ``X-NSL-Timestamp``)."""
        return JSONResponse(await service.create(body, principal=principal), CREATED)

    @router.get("/jobs", summary="Your jobs (every job for an admin), newest first")
    async def list_jobs(
        status: str | None = None,
        page: int = 1,
        page_size: int = 50,
        principal: Principal = Depends(caller),
    ) -> JSONResponse:
        result = await service.list_jobs(
            principal=principal, status=status, page_number=page, page_size=page_size
        )
        return JSONResponse(result)

    @router.get(ONE, summary="A job")
    async def get(job_id: str, principal: Principal = Depends(caller)) -> JSONResponse:
        return JSONResponse(await service.get(job_id, principal=principal))

    @router.put(ONE, summary="Replace a job's definition")
    async def replace(
        job_id: str, body: CreateJob, principal: Principal = Depends(caller)
    ) -> JSONResponse:
        return JSONResponse(await service.update(job_id, body, principal=principal))

    @router.patch(ONE, summary="Change some of a job's fields")
    async def change(
        job_id: str, body: UpdateJob, principal: Principal = Depends(caller)
    ) -> JSONResponse:
        return JSONResponse(await service.update(job_id, body, principal=principal))

    for target in ("pause", "resume", "cancel"):
        _status_route(router, service, target)

    @router.get(f"{ONE}/executions", summary="Execution history, newest due time first")
    async def executions(
        job_id: str,
        status: str | None = None,
        page: int = 1,
        page_size: int = 50,
        principal: Principal = Depends(caller),
    ) -> JSONResponse:
        result = await service.executions(
            job_id, principal=principal, status=status, page_number=page, page_size=page_size
        )
        return JSONResponse(result)

    @router.post("/hooks/{job_id}", status_code=ACCEPTED, summary="Fire a webhook trigger")
    async def hook(job_id: str, request: Request) -> JSONResponse:
        """No API key: the request is signed with the job's secret (5-minute replay window)."""
        headers = request.headers
        result = await service.hook(
            job_id,
            await request.body(),
            headers.get(signing.TIMESTAMP_HEADER),
            headers.get(signing.SIGNATURE_HEADER),
        )
        return JSONResponse(result, ACCEPTED)

    return router


def _status_route(router: APIRouter, service: AutomationService, target: str) -> None:
    @router.post(f"{ONE}/{target}", summary=f"{target.capitalize()} a job", name=target)
    async def change_status(job_id: str, principal: Principal = Depends(caller)) -> JSONResponse:
        return JSONResponse(await service.set_status(job_id, target, principal=principal))
