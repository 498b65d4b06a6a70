"""Backup endpoints (``/api/v1/backup``, admin or operator): list, get, run now, verify."""

from __future__ import annotations

from nsl.client import results
from nsl.client.base import Call, drop_none, endpoint, path_segment
from nsl.client.results import JsonObject

PREFIX = "/api/v1/backup/backups"


class BackupEndpoints:
    @endpoint
    def list_backups(self, kind: str | None = None) -> Call[JsonObject]:
        """``{"backups": [manifest, ...]}`` oldest first, from every target."""
        return Call("GET", PREFIX, results.json_object, params=drop_none(kind=kind))

    @endpoint
    def backup(self, backup_id: str) -> Call[JsonObject]:
        """One manifest, MAC-checked (``backup.integrity`` when tampered)."""
        return Call("GET", f"{PREFIX}/{path_segment(backup_id)}", results.json_object)

    @endpoint
    def run_backup(self, kind: str) -> Call[JsonObject]:
        """``kind``: full, incremental, keys or config; returns the new manifest."""
        return Call("POST", PREFIX, results.json_object, json={"kind": kind})

    @endpoint
    def verify_backup(self, backup_id: str) -> Call[JsonObject]:
        """Restore into a scratch database and compare row counts and checksums."""
        return Call("POST", f"{PREFIX}/{path_segment(backup_id)}/verify", results.json_object)
