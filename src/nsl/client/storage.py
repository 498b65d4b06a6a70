"""Storage endpoints (``/api/v1/storage``): objects, versions, sharing, usage and quotas.

These methods send and receive whole ``bytes``; for objects too large for memory, stream with
``httpx`` directly (``PUT`` with an iterable body, ``GET`` with ``client.stream``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from nsl.client import results
from nsl.client.base import Call, drop_none, endpoint, key_path, path_segment
from nsl.client.results import JsonObject, Page

PREFIX = "/api/v1/storage"
META = "X-NSL-Meta-"


def _object(key: str) -> str:
    return f"{PREFIX}/objects/{key_path(key)}"


def _content(response: httpx.Response) -> bytes:
    return response.content


def _headers(response: httpx.Response) -> dict[str, str]:
    return dict(response.headers)


class StorageEndpoints:
    @endpoint
    def put_object(
        self,
        key: str,
        data: bytes,
        content_type: str | None = None,
        metadata: dict[str, str] | None = None,
        owner: str | None = None,
        compress: bool = False,
        expires_at: datetime | None = None,
    ) -> Call[JsonObject]:
        """A new version: ``{"owner", "key", "version", "version_id", "size", "sha256", ...}``.
        Over quota: ``ApiError`` 413 ``storage.quota_exceeded`` with the usage."""
        headers = {f"{META}{name}": value for name, value in (metadata or {}).items()}
        if content_type:
            headers["Content-Type"] = content_type
        params: dict[str, Any] = drop_none(
            owner=owner,
            compress="true" if compress else None,
            expires_at=expires_at.isoformat() if expires_at else None,
        )
        return Call(
            "PUT", _object(key), results.json_object, params=params, headers=headers, content=data
        )

    @endpoint
    def get_object(
        self, key: str, owner: str | None = None, version: int | None = None, verify: bool = False
    ) -> Call[bytes]:
        params = drop_none(owner=owner, version=version, verify="true" if verify else None)
        return Call("GET", _object(key), _content, params=params, headers={"Accept": "*/*"})

    @endpoint
    def head_object(
        self, key: str, owner: str | None = None, version: int | None = None
    ) -> Call[dict[str, str]]:
        """The object's headers: ``content-length``, ``etag``, ``x-nsl-version``, metadata."""
        return Call("HEAD", _object(key), _headers, params=drop_none(owner=owner, version=version))

    @endpoint
    def delete_object(
        self, key: str, owner: str | None = None, version: int | None = None
    ) -> Call[None]:
        """Without ``version``: the object and all its versions."""
        params = drop_none(owner=owner, version=version)
        return Call("DELETE", _object(key), results.no_content, params=params)

    @endpoint
    def list_objects(
        self,
        prefix: str | None = None,
        owner: str | None = None,
        shared: bool = False,
        page: int = 1,
        page_size: int = 50,
    ) -> Call[Page]:
        params: dict[str, Any] = {"prefix": prefix, "owner": owner, "page": page}
        params.update(page_size=page_size, shared="true" if shared else None)
        return Call("GET", f"{PREFIX}/objects", results.json_body, params=params)

    @endpoint
    def object_versions(self, key: str, owner: str | None = None) -> Call[Page]:
        path = f"{PREFIX}/versions/{key_path(key)}"
        return Call("GET", path, results.json_body, params=drop_none(owner=owner))

    @endpoint
    def verify_object(
        self, key: str, owner: str | None = None, version: int | None = None
    ) -> Call[JsonObject]:
        """Checks every chunk and the SHA-256; a damaged object is ``storage.integrity``."""
        path = f"{PREFIX}/verify/{key_path(key)}"
        params = drop_none(owner=owner, version=version)
        return Call("POST", path, results.json_object, params=params)

    @endpoint
    def share_object(
        self, key: str, grantee: str, access: str = "read", owner: str | None = None
    ) -> Call[JsonObject]:
        """``access``: ``read`` or ``read-write``."""
        body = {"key": key, "grantee": grantee, "access": access, **drop_none(owner=owner)}
        return Call("POST", f"{PREFIX}/share", results.json_object, json=body)

    @endpoint
    def object_grants(self, key: str, owner: str | None = None) -> Call[Page]:
        params = {"key": key, **drop_none(owner=owner)}
        return Call("GET", f"{PREFIX}/share", results.json_body, params=params)

    @endpoint
    def unshare_object(self, key: str, grantee: str, owner: str | None = None) -> Call[None]:
        params = {"key": key, "grantee": grantee, **drop_none(owner=owner)}
        return Call("DELETE", f"{PREFIX}/share", results.no_content, params=params)

    @endpoint
    def storage_usage(self, owner: str | None = None) -> Call[JsonObject]:
        """``{"owner", "bytes": {"used", "limit"}, "objects": {"used", "limit"}}``."""
        return Call("GET", f"{PREFIX}/usage", results.json_object, params=drop_none(owner=owner))

    @endpoint
    def set_storage_quota(
        self, owner: str, max_bytes: int | None = None, max_objects: int | None = None
    ) -> Call[JsonObject]:
        """Admin: an owner's limits (``None``: the default from the settings)."""
        body = {"max_bytes": max_bytes, "max_objects": max_objects}
        path = f"{PREFIX}/quotas/{path_segment(owner)}"
        return Call("PUT", path, results.json_object, json=body)
