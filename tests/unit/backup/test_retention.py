"""Retention: old chains go whole, the newest full keeps its chain, each kind keeps its newest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nsl.core.settings_backup import BackupSettings
from nsl.services.backup.manifest import Manifest
from nsl.services.backup.retention import select

NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)


def backup(backup_id: str, kind: str, days_ago: float, parent: str | None = None) -> Manifest:
    created = (NOW - timedelta(days=days_ago)).isoformat()
    return Manifest(
        id=backup_id,
        kind=kind,
        engine="sqlite" if kind.startswith("database") else None,
        created_at=created,
        parent=parent,
        covers_until=created,
        plain_bytes=1,
        stored_bytes=1,
        sha256="",
        key_id="master:x",
        wrapped_key="",
        status="complete",
        targets=["local"],
    )


def test_old_chain_goes_and_newest_full_keeps_its_incrementals() -> None:
    items = [
        backup("f1", "database-full", 40),
        backup("i1", "database-incremental", 39.9, "f1"),
        backup("f2", "database-full", 35),
        backup("i2", "database-incremental", 20, "f2"),  # keeps f2's chain (inside 30 days)
        backup("f3", "database-full", 1),
        backup("i3", "database-incremental", 0.5, "f3"),
    ]
    assert sorted(select(items, NOW, BackupSettings())) == ["f1", "i1"]


def test_newest_full_is_kept_even_when_everything_is_old() -> None:
    items = [
        backup("f1", "database-full", 100),
        backup("i1", "database-incremental", 99, "f1"),
        backup("f2", "database-full", 90),
        backup("i2", "database-incremental", 89, "f2"),
    ]
    assert sorted(select(items, NOW, BackupSettings())) == ["f1", "i1"]


def test_other_kinds_age_out_but_keep_their_newest() -> None:
    items = [
        backup("c1", "config", 40),
        backup("c2", "config", 35),
        backup("c3", "config", 2),
        backup("k1", "keys", 400),
        backup("k2", "keys", 300),
        backup("k3", "keys", 200),
        backup("w-old", "config", 31),
    ]
    doomed = select(items, NOW, BackupSettings())
    assert sorted(doomed) == ["c1", "c2", "k1", "w-old"]
    assert "k3" not in doomed and "c3" not in doomed


def test_custom_retention_days() -> None:
    items = [backup("c1", "config", 5), backup("c2", "config", 1)]
    assert select(items, NOW, BackupSettings(retention_days=3)) == ["c1"]


def test_an_expired_chain_takes_its_newest_incremental_with_it() -> None:
    items = [
        backup("f1", "database-full", 45),
        backup("i1", "database-incremental", 44, "f1"),
        backup("f2", "database-full", 1),
    ]
    assert sorted(select(items, NOW, BackupSettings())) == ["f1", "i1"]
