"""Shared set-up of the backup integration tests: settings, a migrated SQLite data dir."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nsl.core.clock import ManualClock
from nsl.core.settings import Settings
from nsl.db.migrate import upgrade
from nsl.services.backup.engine import BackupEngine

MASTER = "ab" * 32


def backup_settings(tmp_path: Path, **overrides: Any) -> Settings:
    options: dict[str, Any] = {
        "env": "test",
        "data_dir": tmp_path / "data",
        "master_key": MASTER,
        "backup": {
            "targets": [
                {"name": "local", "path": tmp_path / "local"},
                {"name": "offsite", "path": tmp_path / "offsite"},
            ],
            **overrides.pop("backup", {}),
        },
    }
    options.update(overrides)
    return Settings(**options)


def sqlite_path(settings: Settings) -> Path:
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    return (Path(settings.data_dir) / "nsl.db").resolve()


async def migrate(settings: Settings) -> Path:
    path = sqlite_path(settings)
    await upgrade(f"sqlite+aiosqlite:///{path}")
    return path


def engine(settings: Settings, clock: ManualClock | None = None) -> BackupEngine:
    return BackupEngine(settings, clock=clock or ManualClock(datetime(2026, 3, 1, tzinfo=UTC)))


def execute(path: Path, *statements: str) -> None:
    connection = sqlite3.connect(path)
    try:
        for statement in statements:
            connection.execute(statement)
        connection.commit()
    finally:
        connection.close()


def scalar(path: Path, query: str) -> Any:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(query).fetchone()[0]
    finally:
        connection.close()
