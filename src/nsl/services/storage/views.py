"""JSON shapes of objects, versions and grants as the API returns them."""

from __future__ import annotations

from typing import Any

from nsl.services.storage.models import StorageGrant, StorageObject, StorageVersion


def version_view(owner_id: str, key: str, version: StorageVersion) -> dict[str, Any]:
    return {
        "owner": owner_id,
        "key": key,
        "version": version.number,
        "version_id": version.id,
        "size": version.size,
        "stored_size": version.stored_size,
        "chunks": version.chunk_count,
        "compression": version.compression,
        "content_type": version.content_type,
        "metadata": dict(version.user_metadata),
        "sha256": version.sha256,
        "created_at": version.created_at.isoformat(),
        "created_by": version.created_by,
    }


def object_view(obj: StorageObject, version: StorageVersion) -> dict[str, Any]:
    view = version_view(obj.owner_id, obj.key, version)
    view["expires_at"] = obj.expires_at.isoformat() if obj.expires_at else None
    view["updated_at"] = obj.updated_at.isoformat()
    return view


def grant_view(obj: StorageObject, grant: StorageGrant) -> dict[str, Any]:
    return {
        "owner": obj.owner_id,
        "key": obj.key,
        "grantee": grant.grantee_id,
        "access": grant.access,
        "created_at": grant.created_at.isoformat(),
        "created_by": grant.created_by,
    }


def page(items: list[dict[str, Any]], total: int, number: int, size: int) -> dict[str, Any]:
    return {"items": items, "total": total, "page": number, "page_size": size}
