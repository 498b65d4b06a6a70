"""Read views: what the API returns for a secret's data, its metadata, and a policy."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from nsl.services.secrets.models import SecretPolicyRecord, SecretRecord, SecretVersionRecord


def data_view(secret: SecretRecord, version: SecretVersionRecord, data: Any) -> dict[str, Any]:
    return {
        "path": secret.path,
        "data": data,
        "version": version.version,
        "created_at": version.created_at,
        "deleted": False,
        "custom_metadata": secret.custom_metadata,
    }


def written_view(path: str, version: int, created_at: datetime) -> dict[str, Any]:
    return {"path": path, "version": version, "created_at": created_at}


def summary_view(secret: SecretRecord, max_versions: int, rotation_days: int) -> dict[str, Any]:
    """A secret's metadata without its version list (listing)."""
    return {
        "path": secret.path,
        "owner": secret.owner_id,
        "current_version": secret.current_version,
        "max_versions": max_versions,
        "cas_required": secret.cas_required,
        "rotation_period_days": rotation_days,
        "rotation_due_at": secret.rotation_due_at,
        "custom_metadata": secret.custom_metadata,
        "created_at": secret.created_at,
        "updated_at": secret.updated_at,
        "updated_by": secret.updated_by,
    }


def version_view(row: SecretVersionRecord) -> dict[str, Any]:
    return {
        "version": row.version,
        "created_at": row.created_at,
        "created_by": row.created_by,
        "deleted": row.deleted_at is not None,
        "deleted_at": row.deleted_at,
        "destroyed": row.destroyed,
    }


def metadata_view(
    secret: SecretRecord,
    versions: Sequence[SecretVersionRecord],
    max_versions: int,
    rotation_days: int,
) -> dict[str, Any]:
    oldest = versions[0].version if versions else 0
    return {
        **summary_view(secret, max_versions, rotation_days),
        "oldest_version": oldest,
        "versions": [version_view(v) for v in versions],
    }


def policy_view(row: SecretPolicyRecord) -> dict[str, Any]:
    return {
        "id": row.id,
        "pattern": row.pattern,
        "subject": row.subject,
        "capabilities": row.capabilities,
        "effect": row.effect,
        "description": row.description,
        "created_at": row.created_at,
        "created_by": row.created_by,
    }


def page(items: list[dict[str, Any]], total: int, number: int, size: int) -> dict[str, Any]:
    return {"items": items, "total": total, "page": number, "page_size": size}
