"""HTTP routes under ``/api/v1/configuration``, each calling one service method.

``GET /{key}``, the hot read, comes first as an :class:`EntryReadRoute` that declines the
fixed paths; the other fixed paths (``export``, ``import``, ``schemas``, ``{key}/history``) come
before the ``{key:path}`` writes. Hence those names and a ``/history`` suffix are not valid keys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from nsl.core.security import Principal, require_roles
from nsl.services.configuration.base import READ_ROLES, WRITE_ROLES
from nsl.services.configuration.hotpath import (
    ENTRY_READ_PARAMETERS,
    EntryReadRoute,
    JsonResponse,
    read_entry,
)
from nsl.services.configuration.schemas import ImportDocument, SchemaBody, SetEntry

if TYPE_CHECKING:
    from nsl.services.configuration.service import ConfigurationService

_READ = require_roles(*READ_ROLES)
_WRITE = require_roles(*WRITE_ROLES)


async def reader(request: Request) -> Principal:
    """Any authenticated role may read (an async dependency: no hop to a worker thread)."""
    return _READ(request)


async def writer(request: Request) -> Principal:
    return _WRITE(request)


NO_CONTENT = 204


def build_router(service: ConfigurationService) -> APIRouter:
    router = APIRouter(
        prefix="/api/v1/configuration", tags=["configuration"], default_response_class=JsonResponse
    )

    async def get_entry(request: Request) -> Response:
        return JsonResponse(await read_entry(service, request, request.path_params["key"]))

    router.add_api_route(
        "/{key:path}",
        get_entry,
        methods=["GET"],
        summary="Read an entry (secret values masked unless revealed)",
        route_class_override=EntryReadRoute,
        openapi_extra={"parameters": ENTRY_READ_PARAMETERS},
    )

    @router.get("", summary="List entries (values of secrets masked unless revealed)")
    @router.get("/", include_in_schema=False)
    async def list_entries(
        prefix: str | None = None,
        environment: str | None = None,
        page: int = 1,
        page_size: int = 50,
        reveal: bool = False,
        principal: Principal = Depends(reader),
    ) -> Response:
        result = await service.list_entries(
            principal=principal,
            prefix=prefix,
            environment=environment,
            page_number=page,
            page_size=page_size,
            reveal=reveal,
        )
        return JsonResponse(result)

    @router.get("/export", summary="Export entries as an import document")
    async def export(
        prefix: str | None = None,
        environment: str | None = None,
        reveal: bool = False,
        principal: Principal = Depends(reader),
    ) -> Response:
        """Secret values are masked ("********") unless ``reveal=true`` by admin, operator or
        service: a revealed export holds secrets in clear and must be kept as a secret itself.
        A masked export cannot be imported back (its secret values would be refused)."""
        result = await service.export(
            principal=principal, prefix=prefix, environment=environment, reveal=reveal
        )
        return JsonResponse(result)

    @router.post("/import", summary="Import a document atomically (merge or replace, dry run)")
    async def import_document(
        document: ImportDocument,
        environment: str | None = None,
        principal: Principal = Depends(writer),
    ) -> Response:
        """All or nothing: every entry is checked (key rules, size, schema, masked secrets) before
        any is written. ``replace`` also deletes entries under the document's ``prefix`` that it
        does not name. Target: ``?environment=``, else the document's, else the default.
        Read-only entries need ``force: true`` from an admin."""
        result = await service.import_document(
            document, principal=principal, environment=environment
        )
        return JsonResponse(result)

    @router.get("/schemas", summary="One schema (?prefix=) or the list of schemas")
    async def get_schemas(
        prefix: str | None = None,
        environment: str | None = None,
        page: int = 1,
        page_size: int = 50,
        principal: Principal = Depends(reader),
    ) -> Response:
        if prefix is not None:
            return JsonResponse(await service.get_schema(prefix, environment=environment))
        result = await service.list_schemas(
            environment=environment, page_number=page, page_size=page_size
        )
        return JsonResponse(result)

    @router.put("/schemas", summary="Register the JSON Schema (Draft 2020-12) for a key prefix")
    async def put_schema(
        prefix: str,
        body: SchemaBody,
        environment: str | None = None,
        principal: Principal = Depends(writer),
    ) -> Response:
        result = await service.put_schema(
            prefix, body.schema_, principal=principal, environment=environment
        )
        return JsonResponse(result)

    @router.delete("/schemas", status_code=NO_CONTENT, summary="Remove a prefix's schema")
    async def delete_schema(
        prefix: str, environment: str | None = None, principal: Principal = Depends(writer)
    ) -> Response:
        await service.delete_schema(prefix, principal=principal, environment=environment)
        return Response(status_code=NO_CONTENT)

    @router.get("/{key:path}/history", summary="Versions of a key, newest first")
    async def history(
        key: str,
        environment: str | None = None,
        limit: int | None = None,
        reveal: bool = False,
        principal: Principal = Depends(reader),
    ) -> Response:
        result = await service.history(
            key, principal=principal, environment=environment, limit=limit, reveal=reveal
        )
        return JsonResponse(result)

    @router.put("/{key:path}", summary="Set an entry: a new version (read-only: admin + force)")
    async def put_entry(
        key: str,
        body: SetEntry,
        environment: str | None = None,
        force: bool = False,
        principal: Principal = Depends(writer),
    ) -> Response:
        """Every set makes a new version. Omitted flags keep the entry's current ones. Values are
        sealed when ``secret`` is set or the key names a secret (password, token, api_key...).
        A read-only entry changes only for an admin passing ``force=true``. Keys: 1-255 of
        ``[A-Za-z0-9._/-]``, no leading, trailing or doubled ``/``, no ``..``, no ``/history`` end.
        """
        result = await service.set(
            key, body, principal=principal, environment=environment, force=force
        )
        return JsonResponse(result)

    @router.delete("/{key:path}", status_code=NO_CONTENT, summary="Delete an entry")
    async def delete_entry(
        key: str,
        environment: str | None = None,
        force: bool = False,
        principal: Principal = Depends(writer),
    ) -> Response:
        await service.delete(key, principal=principal, environment=environment, force=force)
        return Response(status_code=NO_CONTENT)

    return router
