"""Secrets endpoints (``/api/v1/secrets``): versioned data, metadata, listing, path policies."""

from __future__ import annotations

from typing import Any

from nsl.client import results
from nsl.client.base import Call, drop_none, endpoint, key_path, path_segment
from nsl.client.results import JsonObject, Page

PREFIX = "/api/v1/secrets"
POLICIES = f"{PREFIX}/_policies"


def _secret(path: str) -> str:
    return f"{PREFIX}/{key_path(path)}"


class SecretsEndpoints:
    @endpoint
    def write_secret(self, path: str, data: JsonObject, cas: int | None = None) -> Call[JsonObject]:
        """A new version: ``{"path", "version", "created_at"}``. ``cas=0`` creates only;
        ``cas=N`` writes only over version N (409 otherwise)."""
        body = {"data": data, **drop_none(cas=cas)}
        return Call("PUT", _secret(path), results.json_object, json=body)

    @endpoint
    def read_secret(self, path: str, version: int | None = None) -> Call[JsonObject]:
        """``{"path", "data", "version", "created_at", "deleted", "custom_metadata"}``."""
        return Call("GET", _secret(path), results.json_object, params={"version": version})

    @endpoint
    def delete_secret(self, path: str, versions: list[int] | None = None) -> Call[None]:
        """Soft-delete the current version, or the ``versions`` given."""
        listed = ",".join(str(v) for v in versions) if versions else None
        return Call("DELETE", _secret(path), results.no_content, params={"versions": listed})

    @endpoint
    def undelete_secret(self, path: str, versions: list[int]) -> Call[JsonObject]:
        """``{"path", "versions"}``: the versions restored."""
        body = {"versions": versions}
        return Call("POST", f"{_secret(path)}/undelete", results.json_object, json=body)

    @endpoint
    def destroy_secret(self, path: str, versions: list[int]) -> Call[JsonObject]:
        """``{"path", "versions"}``: the versions whose encrypted data was erased."""
        body = {"versions": versions}
        return Call("POST", f"{_secret(path)}/destroy", results.json_object, json=body)

    @endpoint
    def secret_metadata(self, path: str) -> Call[JsonObject]:
        return Call("GET", f"{_secret(path)}/metadata", results.json_object)

    @endpoint
    def set_secret_metadata(
        self,
        path: str,
        max_versions: int | None = None,
        cas_required: bool | None = None,
        rotation_period_days: int | None = None,
        custom_metadata: dict[str, str] | None = None,
    ) -> Call[JsonObject]:
        """Change the fields given (``None`` keeps); a new path is created, owned by you."""
        body: dict[str, Any] = drop_none(
            max_versions=max_versions,
            cas_required=cas_required,
            rotation_period_days=rotation_period_days,
            custom_metadata=custom_metadata,
        )
        return Call("PUT", f"{_secret(path)}/metadata", results.json_object, json=body)

    @endpoint
    def delete_secret_metadata(self, path: str) -> Call[None]:
        """Remove the secret and every version of it."""
        return Call("DELETE", f"{_secret(path)}/metadata", results.no_content)

    @endpoint
    def list_secrets(
        self, prefix: str | None = None, page: int = 1, page_size: int = 50
    ) -> Call[Page]:
        params = {"prefix": prefix, "page": page, "page_size": page_size}
        return Call("GET", PREFIX, results.json_body, params=params)

    @endpoint
    def list_secret_policies(self, page: int = 1, page_size: int = 50) -> Call[Page]:
        params = {"page": page, "page_size": page_size}
        return Call("GET", POLICIES, results.json_body, params=params)

    @endpoint
    def create_secret_policy(
        self,
        pattern: str,
        subject: str,
        capabilities: list[str],
        effect: str = "allow",
        description: str = "",
    ) -> Call[JsonObject]:
        """``subject``: ``principal:<id>`` or ``role:<role>``; ``pattern``: ``*``/``**`` globs."""
        body = {
            "pattern": pattern,
            "subject": subject,
            "capabilities": capabilities,
            "effect": effect,
            "description": description,
        }
        return Call("POST", POLICIES, results.json_object, json=body)

    @endpoint
    def delete_secret_policy(self, policy_id: str) -> Call[None]:
        return Call("DELETE", f"{POLICIES}/{path_segment(policy_id)}", results.no_content)
