"""Settings of backups and restores (``NSL_BACKUP__*``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator


class BackupTarget(BaseModel):
    """One place every backup is copied to: a local (or mounted off-site) directory."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")
    path: Path


class BackupSettings(BaseModel):
    """Backups: targets, schedule, retention, PostgreSQL method and the recovery public key.

    Empty ``targets`` means one target ``local`` at ``<data_dir>-backups`` (a sibling of the
    data dir, never inside it: a complete-outage drill wipes the data dir).
    RPO 15 min is reached with SQLite page-level incrementals every
    ``incremental_interval_s`` (default 900 s) between daily fulls at ``full_at``; keys are
    exported every ``keys_interval_s`` (default 3600 s, RPO 1 h) when they changed.
    """

    targets: list[BackupTarget] = Field(default_factory=list)
    retention_days: int = Field(30, ge=1)
    keys_retention_days: int = Field(365, ge=1)
    full_at: str = "02:00"
    prune_at: str = "03:30"
    incremental_interval_s: float = Field(900.0, gt=0)
    keys_interval_s: float = Field(3600.0, gt=0)
    config_coalesce_s: float = Field(2.0, ge=0)
    scheduler_tick_s: float = Field(30.0, gt=0)
    lease_ttl_s: float = Field(3600.0, gt=0)
    compression_level: int = Field(3, ge=1, le=19)
    postgres_method: Literal["logical", "physical"] = "logical"
    recovery_public_key: str | None = None
    recovery_public_key_file: Path | None = None
    pg_bindir: Path | None = None
    # PostgreSQL physical (base backups + WAL archiving, see docs/operations-pitr.md):
    wal_spool_dir: Path | None = None
    archive_timeout_s: int = Field(60, ge=1)
    wal_ship_interval_s: float = Field(60.0, gt=0)
    wal_archive_wait_s: float = Field(60.0, gt=0)
    pitr_start_timeout_s: float = Field(600.0, gt=0)

    @field_validator("full_at", "prune_at")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        hours, _, minutes = value.partition(":")
        if not (hours.isdigit() and minutes.isdigit()):
            raise ValueError("must be HH:MM (UTC)")
        if not (0 <= int(hours) < 24 and 0 <= int(minutes) < 60):
            raise ValueError("must be HH:MM (UTC)")
        return f"{int(hours):02d}:{int(minutes):02d}"

    @field_validator("targets")
    @classmethod
    def _unique_names(cls, value: list[BackupTarget]) -> list[BackupTarget]:
        names = [target.name for target in value]
        if len(names) != len(set(names)):
            raise ValueError("target names must be unique")
        return value
