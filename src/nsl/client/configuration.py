"""Configuration endpoints (``/api/v1/configuration``): values, history, export/import, schemas."""

from __future__ import annotations

from typing import Any

from nsl.client import results
from nsl.client.base import Call, endpoint, key_path
from nsl.client.results import JsonObject, Page

PREFIX = "/api/v1/configuration"


def _value(key: str) -> str:
    return f"{PREFIX}/{key_path(key)}"


class ConfigurationEndpoints:
    @endpoint
    def set_config(
        self,
        key: str,
        value: Any,
        secret: bool = False,
        description: str | None = None,
        read_only: bool = False,
        scope: str | None = None,
        environment: str | None = None,
        force: bool = False,
    ) -> Call[JsonObject]:
        """Create or replace a value; ``force`` overrides a read-only entry (admin only)."""
        body: dict[str, Any] = {"value": value, "secret": secret, "read_only": read_only}
        for name, extra in (("description", description), ("scope", scope)):
            if extra is not None:
                body[name] = extra
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
    ) -> Call[Page]:
        params = {
            "prefix": prefix,
            "page": page,
            "page_size": page_size,
            "environment": environment,
        }
        return Call("GET", f"{PREFIX}/", results.json_body, params=params)

    @endpoint
    def config_history(
        self, key: str, limit: int | None = None, reveal: bool = False
    ) -> Call[JsonObject]:
        """Earlier versions of an entry, newest first."""
        params = {"limit": limit, "reveal": reveal or None}
        return Call("GET", f"{_value(key)}/history", results.json_object, params=params)

    @endpoint
    def export_config(self, prefix: str | None = None, reveal: bool = False) -> Call[JsonObject]:
        """A document ``import_config`` accepts back."""
        params = {"prefix": prefix, "reveal": reveal or None}
        return Call("GET", f"{PREFIX}/export", results.json_object, params=params)

    @endpoint
    def import_config(
        self, document: JsonObject, mode: str = "merge", dry_run: bool = False
    ) -> Call[JsonObject]:
        """Load an export document; ``dry_run`` reports what would change without changing it."""
        body = {**document, "mode": mode, "dry_run": dry_run}
        return Call("POST", f"{PREFIX}/import", results.json_object, json=body)

    @endpoint
    def put_config_schema(self, prefix: str, schema: JsonObject) -> Call[JsonObject]:
        """Validate every value under ``prefix`` against a JSON Schema from now on."""
        params = {"prefix": prefix}
        return Call("PUT", f"{PREFIX}/schemas", results.json_object, params=params, json=schema)

    @endpoint
    def get_config_schema(self, prefix: str) -> Call[JsonObject]:
        params = {"prefix": prefix}
        return Call("GET", f"{PREFIX}/schemas", results.json_object, params=params)

    @endpoint
    def delete_config_schema(self, prefix: str) -> Call[None]:
        params = {"prefix": prefix}
        return Call("DELETE", f"{PREFIX}/schemas", results.no_content, params=params)
