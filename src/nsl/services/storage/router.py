"""HTTP routes under ``/api/v1/storage``, each calling one service method.

Object bytes travel as the raw request and response bodies, streamed; user metadata as
``X-NSL-Meta-<name>`` headers; another owner's object (shared, or any for an admin) is named
with ``?owner=``.
"""

from __future__ import annotations

from email.utils import format_datetime
from typing import TYPE_CHECKING, Any

import orjson
from fastapi import APIRouter, Depends, Request
from starlette.responses import Response, StreamingResponse

from nsl.core.security import Principal, Role, require_roles
from nsl.services.storage import rules
from nsl.services.storage.models import StorageObject, StorageVersion
from nsl.services.storage.schemas import QuotaBody, ShareBody
from nsl.services.storage.uploads import NewObject

if TYPE_CHECKING:
    from nsl.services.storage.service import StorageService

USER_ROLES = (Role.ADMIN, Role.OPERATOR, Role.DEVELOPER, Role.USER, Role.SERVICE)
_USER = require_roles(*USER_ROLES)
_ADMIN = require_roles(Role.ADMIN)
CREATED, NO_CONTENT = 201, 204


async def caller(request: Request) -> Principal:
    return _USER(request)


async def admin(request: Request) -> Principal:
    return _ADMIN(request)


class JsonResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def object_headers(obj: StorageObject, version: StorageVersion) -> dict[str, str]:
    headers = {
        "content-length": str(version.size),
        "content-type": version.content_type,
        "etag": f'"{version.sha256}"',
        "last-modified": format_datetime(version.created_at, usegmt=True),
        "x-nsl-owner": obj.owner_id,
        "x-nsl-version": str(version.number),
        "x-nsl-version-id": version.id,
        "x-nsl-content-sha256": version.sha256,
    }
    if obj.expires_at is not None:
        headers["x-nsl-expires-at"] = obj.expires_at.isoformat()
    for name, value in version.user_metadata.items():
        headers[f"{rules.META_PREFIX}{name}"] = value
    return headers


def build_router(service: StorageService) -> APIRouter:
    router = APIRouter(
        prefix="/api/v1/storage", tags=["storage"], default_response_class=JsonResponse
    )
    settings = service.settings

    def owner_of(principal: Principal, owner: str | None) -> str:
        return rules.owner(owner) or principal.id

    @router.get("/objects", summary="List objects by key prefix (yours, or shared with you)")
    async def listing(
        prefix: str | None = None,
        owner: str | None = None,
        shared: bool = False,
        page: int = 1,
        page_size: int = 50,
        principal: Principal = Depends(caller),
    ) -> Response:
        number, size = rules.page(page, page_size)
        result = await service.list_objects(
            principal,
            prefix=rules.prefix(prefix, settings),
            owner_id=rules.owner(owner),
            shared=shared,
            number=number,
            size=size,
        )
        return JsonResponse(result)

    @router.put("/objects/{key:path}", status_code=CREATED, summary="Upload a new version")
    async def put(
        key: str,
        request: Request,
        owner: str | None = None,
        compress: bool = False,
        expires_at: str | None = None,
        principal: Principal = Depends(caller),
    ) -> Response:
        """The raw body is the object (streamed; up to ``max_object_bytes``). ``Content-Type``
        is kept; ``X-NSL-Meta-<name>`` headers are user metadata; ``compress=true`` stores
        chunks zstd-compressed; ``expires_at`` (ISO 8601) removes the object then."""
        new = NewObject(
            owner_id=owner_of(principal, owner),
            key=rules.key(key, settings),
            content_type=rules.content_type(request.headers.get("content-type")),
            metadata=rules.metadata(request.headers.items(), settings),
            expires_at=rules.expires_at(expires_at, service.ctx.clock.now()),
            compress=compress,
            declared_size=rules.content_length(request.headers.get("content-length")),
        )
        result = await service.put_object(principal, new, request.stream())
        return JsonResponse(result, status_code=CREATED)

    @router.get("/objects/{key:path}", summary="Download an object (streamed)")
    async def get(
        key: str,
        owner: str | None = None,
        version: str | None = None,
        verify: bool = False,
        principal: Principal = Depends(caller),
    ) -> Response:
        """Every chunk is authenticated before it is sent and the SHA-256 before the last;
        ``verify=true`` checks the whole object before sending anything."""
        opened = await service.get_object(
            principal,
            owner_of(principal, owner),
            rules.key(key, settings),
            rules.version(version),
            verify,
        )
        return StreamingResponse(opened.chunks, headers=object_headers(opened.obj, opened.version))

    @router.head("/objects/{key:path}", summary="An object's headers (size, hash, metadata)")
    async def head(
        key: str,
        owner: str | None = None,
        version: str | None = None,
        verify: bool = False,
        principal: Principal = Depends(caller),
    ) -> Response:
        obj, found = await service.head_object(
            principal,
            owner_of(principal, owner),
            rules.key(key, settings),
            rules.version(version),
            verify,
        )
        return Response(headers=object_headers(obj, found))

    @router.delete("/objects/{key:path}", status_code=NO_CONTENT, summary="Delete an object")
    async def delete(
        key: str,
        owner: str | None = None,
        version: str | None = None,
        principal: Principal = Depends(caller),
    ) -> Response:
        """Without ``version``: the object and every version; with it: that version."""
        await service.delete_object(
            principal, owner_of(principal, owner), rules.key(key, settings), rules.version(version)
        )
        return Response(status_code=NO_CONTENT)

    @router.get("/versions/{key:path}", summary="An object's versions, newest first")
    async def versions(
        key: str, owner: str | None = None, principal: Principal = Depends(caller)
    ) -> Response:
        result = await service.list_versions(
            principal, owner_of(principal, owner), rules.key(key, settings)
        )
        return JsonResponse(result)

    @router.post("/verify/{key:path}", summary="Check every chunk and the SHA-256 of a version")
    async def verify_object(
        key: str,
        owner: str | None = None,
        version: str | None = None,
        principal: Principal = Depends(caller),
    ) -> Response:
        result = await service.verify_object(
            principal, owner_of(principal, owner), rules.key(key, settings), rules.version(version)
        )
        return JsonResponse(result)

    _sharing(router, service)
    _usage(router, service)
    return router


def _sharing(router: APIRouter, service: StorageService) -> None:
    settings = service.settings

    @router.post("/share", status_code=CREATED, summary="Grant read or read-write access")
    async def share(body: ShareBody, principal: Principal = Depends(caller)) -> Response:
        result = await service.share(
            principal,
            rules.owner(body.owner) or principal.id,
            rules.key(body.key, settings),
            body.grantee,
            body.access,
        )
        return JsonResponse(result, status_code=CREATED)

    @router.get("/share", summary="Grants on one of your objects")
    async def grants(
        key: str, owner: str | None = None, principal: Principal = Depends(caller)
    ) -> Response:
        result = await service.grants(
            principal, rules.owner(owner) or principal.id, rules.key(key, settings)
        )
        return JsonResponse(result)

    @router.delete("/share", status_code=NO_CONTENT, summary="Revoke a grant")
    async def unshare(
        key: str, grantee: str, owner: str | None = None, principal: Principal = Depends(caller)
    ) -> Response:
        await service.unshare(
            principal, rules.owner(owner) or principal.id, rules.key(key, settings), grantee
        )
        return Response(status_code=NO_CONTENT)


def _usage(router: APIRouter, service: StorageService) -> None:
    @router.get("/usage", summary="Bytes and objects used against the quota")
    async def usage(owner: str | None = None, principal: Principal = Depends(caller)) -> Response:
        return JsonResponse(await service.usage(principal, rules.owner(owner)))

    @router.put("/quotas/{owner_id}", summary="Set an owner's quota (admin)")
    async def set_quota(
        owner_id: str, body: QuotaBody, principal: Principal = Depends(admin)
    ) -> Response:
        result = await service.set_quota(
            principal, rules.owner(owner_id) or owner_id, body.max_bytes, body.max_objects
        )
        return JsonResponse(result)
