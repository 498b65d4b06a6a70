"""Settings of backups and restores (``NSL_BACKUP__*``)."""

from __future__ import annotations

from pydantic import BaseModel


class BackupSettings(BaseModel):
    """Backups: targets, schedule, retention, PostgreSQL method and the recovery public key."""
