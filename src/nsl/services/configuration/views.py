"""Read views: what the API returns for an entry, a version, and a schema."""

from __future__ import annotations

from typing import Any

from nsl.services.configuration.models import (
    ConfigurationEntry,
    ConfigurationSchema,
    ConfigurationVersion,
)


def entry_view(row: ConfigurationEntry, value: Any) -> dict[str, Any]:
    """An entry with ``value`` as given (the value, the mask, or a pre-serialized fragment)."""
    return {
        "key": row.key,
        "value": value,
        "version": row.version,
        "secret": row.secret,
        "read_only": row.read_only,
        "description": row.description,
        "scope": row.scope,
        "environment": row.environment,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "updated_by": row.updated_by,
    }


def version_view(row: ConfigurationVersion, value: Any) -> dict[str, Any]:
    return {
        "version": row.version,
        "value": value,
        "secret": row.secret,
        "deleted": row.deleted,
        "changed_at": row.changed_at,
        "changed_by": row.changed_by,
    }


def schema_view(row: ConfigurationSchema) -> dict[str, Any]:
    return {
        "prefix": row.prefix,
        "environment": row.environment,
        "schema": row.document,
        "created_at": row.created_at,
        "created_by": row.created_by,
        "updated_at": row.updated_at,
        "updated_by": row.updated_by,
    }


def page(items: list[dict[str, Any]], total: int, number: int, size: int) -> dict[str, Any]:
    return {"items": items, "total": total, "page": number, "page_size": size}
