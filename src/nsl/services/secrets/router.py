"""HTTP routes under ``/api/v1/secrets``, each calling one service method.

Fixed paths come first: the listing, ``/_policies`` (hence no path segment starts with ``_``),
then ``{path}/metadata|undelete|destroy`` (hence no path ends in those names), then ``{path}``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from nsl.core.security import Principal, Role, require_roles
from nsl.services.secrets.schemas import CreatePolicy, Versions, WriteMetadata, WriteSecret

if TYPE_CHECKING:
    from nsl.services.secrets.service import SecretsService

# The auditor role reads the audit log, not secrets.
USER_ROLES = (Role.ADMIN, Role.OPERATOR, Role.DEVELOPER, Role.USER, Role.SERVICE)
_USER = require_roles(*USER_ROLES)
_ADMIN = require_roles(Role.ADMIN)
NO_CONTENT = 204


async def caller(request: Request) -> Principal:
    return _USER(request)


async def admin(request: Request) -> Principal:
    return _ADMIN(request)


class JsonResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def build_router(service: SecretsService) -> APIRouter:
    router = APIRouter(
        prefix="/api/v1/secrets", tags=["secrets"], default_response_class=JsonResponse
    )

    @router.get("", summary="List secrets you own or may list (metadata only)")
    @router.get("/", include_in_schema=False)
    async def list_secrets(
        prefix: str | None = None,
        page: int = 1,
        page_size: int = 50,
        principal: Principal = Depends(caller),
    ) -> Response:
        result = await service.list_secrets(
            principal=principal, prefix=prefix, page_number=page, page_size=page_size
        )
        return JsonResponse(result)

    @router.get("/_policies", summary="List path policies (admin)")
    async def list_policies(
        page: int = 1, page_size: int = 50, principal: Principal = Depends(admin)
    ) -> Response:
        return JsonResponse(await service.list_policies(page_number=page, page_size=page_size))

    @router.post("/_policies", status_code=201, summary="Create a path policy (admin)")
    async def create_policy(body: CreatePolicy, principal: Principal = Depends(admin)) -> Response:
        """``pattern`` globs paths (``*`` within a segment, ``**`` across); ``subject`` is
        ``principal:<id>`` or ``role:<role>``; a matching ``deny`` beats every allow, and
        ownership."""
        result = await service.create_policy(body, principal=principal)
        return JsonResponse(result, status_code=201)

    @router.delete("/_policies/{policy_id}", status_code=NO_CONTENT, summary="Delete a policy")
    async def delete_policy(policy_id: str, principal: Principal = Depends(admin)) -> Response:
        await service.delete_policy(policy_id, principal=principal)
        return Response(status_code=NO_CONTENT)

    @router.get("/{path:path}/metadata", summary="A secret's metadata and version states")
    async def get_metadata(path: str, principal: Principal = Depends(caller)) -> Response:
        return JsonResponse(await service.metadata(path, principal=principal))

    @router.api_route(
        "/{path:path}/metadata", methods=["PUT", "POST"], summary="Change a secret's metadata"
    )
    async def set_metadata(
        path: str, body: WriteMetadata, principal: Principal = Depends(caller)
    ) -> Response:
        """Omitted fields keep their value; a new path is created (owned by you)."""
        return JsonResponse(await service.set_metadata(path, body, principal=principal))

    @router.delete(
        "/{path:path}/metadata", status_code=NO_CONTENT, summary="Remove a secret for good"
    )
    async def delete_metadata(path: str, principal: Principal = Depends(caller)) -> Response:
        """Deletes the secret, its metadata and every version (needs ``destroy``)."""
        await service.delete_metadata(path, principal=principal)
        return Response(status_code=NO_CONTENT)

    @router.post("/{path:path}/undelete", summary="Restore soft-deleted versions")
    async def undelete(
        path: str, body: Versions, principal: Principal = Depends(caller)
    ) -> Response:
        changed = await service.undelete(path, body.versions, principal=principal)
        return JsonResponse({"path": path, "versions": changed})

    @router.post("/{path:path}/destroy", summary="Erase versions' encrypted data for good")
    async def destroy(
        path: str, body: Versions, principal: Principal = Depends(caller)
    ) -> Response:
        changed = await service.destroy(path, body.versions, principal=principal)
        return JsonResponse({"path": path, "versions": changed})

    @router.get("/{path:path}", summary="Read a secret (the current version, or ?version=N)")
    async def read(
        path: str, version: str | None = None, principal: Principal = Depends(caller)
    ) -> Response:
        return JsonResponse(await service.read(path, principal=principal, version=version))

    @router.api_route(
        "/{path:path}", methods=["PUT", "POST"], summary="Write a new version of a secret"
    )
    async def write(
        path: str, body: WriteSecret, principal: Principal = Depends(caller)
    ) -> Response:
        """Paths: 1-500 of ``[a-zA-Z0-9-_./]``, no leading, trailing or doubled ``/``, no
        segment starting with ``_``, no last segment ``metadata``, ``undelete`` or
        ``destroy``. ``cas``: 0 creates only; N writes only over version N."""
        result = await service.write(path, body.data, principal=principal, cas=body.cas)
        return JsonResponse(result)

    @router.delete("/{path:path}", status_code=NO_CONTENT, summary="Soft-delete versions")
    async def delete(
        path: str, versions: str | None = None, principal: Principal = Depends(caller)
    ) -> Response:
        """The current version, or ``?versions=1,2``; undelete brings them back."""
        await service.delete(path, principal=principal, versions=versions)
        return Response(status_code=NO_CONTENT)

    return router
