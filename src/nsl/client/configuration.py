"""Configuration endpoints (``/api/v1/configuration``): values, history, export/import, schemas."""

from __future__ import annotations

from typing import Any

from nsl.client import results
from nsl.client.base import Call, drop_none, endpoint, key_path
from nsl.client.results import JsonObject, Page

PREFIX = "/api/v1/configuration"
SCHEMAS = f"{PREFIX}/schemas"


def _value(key: str) -> str:
    return f"{PREFIX}/{key_path(key)}"


class ConfigurationEndpoints:
    @endpoint
    def set_config(
        self,
        key: str,
        value: Any,
        secret: bool | None = None,
        description: str | None = None,
        read_only: bool | None = None,
        scope: str | None = None,
        environment: str | None = None,
        force: bool = False,
    ) -> Call[JsonObject]:
        """Create or replace a value. Flags left ``None`` keep the entry's current ones.

        ``force`` overrides a read-only entry (admin only).
        """
        flags = drop_none(secret=secret, description=description, read_only=read_only, scope=scope)
        body = {"value": value, **flags}
        params = {"environment": environment, "force": force or None}
        return Call("PUT", _value(key), results.json_object, params=params, json=body)

    @endpoint
    def get_config(
        self, key: str, reveal: bool = False, environment: str | None = None
    ) -> Call[JsonObject]:
        """One entry; a secret's value is masked unless ``reveal`` (and the role allows it)."""
        params = {"reveal": reveal or None, "environment": environment}
        return Call("GET", _value(key), results.json_object, params=params)

    @endpoint
    def delete_config(
        self, key: str, environment: str | None = None, force: bool = False
    ) -> Call[None]:
        params = {"environment": environment, "force": force or None}
        return Call("DELETE", _value(key), results.no_content, params=params)

    @endpoint
    def list_config(
        self,
        prefix: str | None = None,
        page: int = 1,
        page_size: int = 50,
        environment: str | None = None,
        reveal: bool = False,
    ) -> Call[Page]:
        params = {
            "prefix": prefix,
            "page": page,
            "page_size": page_size,
            "environment": environment,
            "reveal": reveal or None,
        }
        return Call("GET", f"{PREFIX}/", results.json_body, params=params)

    @endpoint
    def config_history(
        self,
        key: str,
        limit: int | None = None,
        reveal: bool = False,
        environment: str | None = None,
    ) -> Call[JsonObject]:
        """``{"key", "environment", "items"}``: the entry's versions, newest first."""
        params = {"limit": limit, "reveal": reveal or None, "environment": environment}
        return Call("GET", f"{_value(key)}/history", results.json_object, params=params)

    @endpoint
    def export_config(
        self, prefix: str | None = None, reveal: bool = False, environment: str | None = None
    ) -> Call[JsonObject]:
        """A document ``import_config`` accepts back."""
        params = {"prefix": prefix, "reveal": reveal or None, "environment": environment}
        return Call("GET", f"{PREFIX}/export", results.json_object, params=params)

    @endpoint
    def import_config(
        self,
        document: JsonObject,
        mode: str = "merge",
        dry_run: bool = False,
        force: bool = False,
        environment: str | None = None,
    ) -> Call[JsonObject]:
        """Load an export document; ``dry_run`` reports what would change without changing it.

        ``mode`` is ``merge`` or ``replace``; ``force`` lets an admin overwrite read-only entries.
        """
        body = {**document, "mode": mode, "dry_run": dry_run}
        if force:
            body["force"] = True
        params = {"environment": environment}
        return Call("POST", f"{PREFIX}/import", results.json_object, params=params, json=body)

    @endpoint
    def put_config_schema(
        self, prefix: str, schema: JsonObject, environment: str | None = None
    ) -> Call[JsonObject]:
        """Validate every value under ``prefix`` against a JSON Schema from now on."""
        params = {"prefix": prefix, "environment": environment}
        body = {"schema": schema}
        return Call("PUT", SCHEMAS, results.json_object, params=params, json=body)

    @endpoint
    def get_config_schema(self, prefix: str, environment: str | None = None) -> Call[JsonObject]:
        params = {"prefix": prefix, "environment": environment}
        return Call("GET", SCHEMAS, results.json_object, params=params)

    @endpoint
    def list_config_schemas(
        self, page: int = 1, page_size: int = 50, environment: str | None = None
    ) -> Call[Page]:
        params = {"page": page, "page_size": page_size, "environment": environment}
        return Call("GET", SCHEMAS, results.json_body, params=params)

    @endpoint
    def delete_config_schema(self, prefix: str, environment: str | None = None) -> Call[None]:
        params = {"prefix": prefix, "environment": environment}
        return Call("DELETE", SCHEMAS, results.no_content, params=params)
