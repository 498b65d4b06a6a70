"""Audit endpoints (``/api/v1/audit``): search entries, verify the chain."""

from __future__ import annotations

from datetime import datetime

from nsl.client import results
from nsl.client.base import Call, drop_none, endpoint
from nsl.client.results import JsonObject

PREFIX = "/api/v1/audit"


class AuditEndpoints:
    @endpoint
    def audit_entries(
        self,
        service: str | None = None,
        actor: str | None = None,
        action: str | None = None,
        outcome: str | None = None,
        target_prefix: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        page: int = 1,
        page_size: int = 50,
    ) -> Call[JsonObject]:
        """Audit entries, newest first (roles auditor and admin)."""
        params = drop_none(
            service=service,
            actor=actor,
            action=action,
            outcome=outcome,
            target_prefix=target_prefix,
            since=since.isoformat() if since else None,
            until=until.isoformat() if until else None,
            page=page,
            page_size=page_size,
        )
        return Call("GET", f"{PREFIX}/entries", results.json_object, params=params)

    @endpoint
    def audit_verify(self) -> Call[JsonObject]:
        """Recompute the whole hash chain: ``{"ok", "entries", "head_hash", ...}``."""
        return Call("GET", f"{PREFIX}/verify", results.json_object)
