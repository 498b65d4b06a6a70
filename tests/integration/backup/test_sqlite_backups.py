"""SQLite: full + page-level incrementals, point-in-time restore, verify, refusals."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from tests.integration.backup.helpers import backup_settings, engine, execute, migrate, scalar

from nsl.core.clock import ManualClock
from nsl.services.backup.errors import BackupIntegrity, BackupWrongKey, TargetNotEmpty
from nsl.services.backup.targets import ABANDONED_TEMPORARY_S


async def test_full_and_incrementals_restore_to_any_point(tmp_path: Path) -> None:
    settings = backup_settings(tmp_path)
    source = await migrate(settings)
    execute(source, "CREATE TABLE ledger (id INTEGER PRIMARY KEY, note TEXT)")
    execute(
        source,
        *[f"INSERT INTO ledger (note) VALUES ('{i}' || hex(randomblob(200)))" for i in range(2000)],
    )
    clock = ManualClock()
    backups = engine(settings, clock)
    try:
        full = await backups.full()
        clock.advance(900)
        execute(source, "INSERT INTO ledger (note) VALUES ('after-full')")
        first = await backups.incremental()
        clock.advance(900)
        execute(
            source, "DELETE FROM ledger WHERE id <= 10", "INSERT INTO ledger (note) VALUES ('late')"
        )
        second = await backups.incremental()
    finally:
        await backups.close()
    assert first.parent == full.id and second.parent == first.id
    assert first.stored_bytes * 20 < full.stored_bytes  # pages, not the whole file
    assert first.details["changed_pages"] < full.details["page_count"] // 10

    backups = engine(settings, clock)
    try:
        latest = tmp_path / "latest.db"
        result = await backups.restore("latest", target=str(latest))
        assert result["backups"] == [full.id, first.id, second.id]
        assert scalar(latest, "SELECT count(*) FROM ledger") == 2000 + 2 - 10
        assert scalar(latest, "PRAGMA integrity_check") == "ok"

        middle = tmp_path / "middle.db"
        await backups.restore("latest", to_time=first.covers, target=str(middle))
        assert scalar(middle, "SELECT count(*) FROM ledger") == 2001
        assert scalar(middle, "SELECT count(*) FROM ledger WHERE note = 'late'") == 0

        only_offsite = tmp_path / "offsite.db"
        await backups.restore("latest", target=str(only_offsite), from_target="offsite")
        assert scalar(only_offsite, "SELECT count(*) FROM ledger") == 1992

        for manifest in (full, first, second):
            report = await backups.verify(manifest.id)
            assert report["ok"] and report["checked"] == "scratch-restore"
    finally:
        await backups.close()


async def test_restore_refuses_a_non_empty_target_without_force(tmp_path: Path) -> None:
    settings = backup_settings(tmp_path)
    await migrate(settings)
    backups = engine(settings)
    try:
        await backups.full()
        target = tmp_path / "busy.db"
        execute(target, "CREATE TABLE mine (x)", "INSERT INTO mine VALUES (42)")
        before = target.read_bytes()
        with pytest.raises(TargetNotEmpty):
            await backups.restore("latest", target=str(target))
        assert target.read_bytes() == before
        await backups.restore("latest", target=str(target), force=True)
        assert scalar(target, "SELECT count(*) FROM sqlite_master WHERE name = 'mine'") == 0
    finally:
        await backups.close()


async def test_corrupted_or_wrongly_keyed_backup_never_touches_the_target(tmp_path: Path) -> None:
    settings = backup_settings(tmp_path)
    source = await migrate(settings)
    execute(source, "CREATE TABLE t (x)", "INSERT INTO t VALUES (1)")
    clock = ManualClock()
    backups = engine(settings, clock)
    try:
        await backups.full()
        clock.advance(60)
        execute(source, "INSERT INTO t VALUES (2)")
        incremental = await backups.incremental()
    finally:
        await backups.close()
    target = tmp_path / "existing.db"
    execute(target, "CREATE TABLE precious (x)", "INSERT INTO precious VALUES ('keep me')")
    before = target.read_bytes()

    wrong = backup_settings(tmp_path, master_key="cd" * 32)
    other = engine(wrong)
    try:
        with pytest.raises(BackupWrongKey):
            await other.restore("latest", target=str(target), force=True)
    finally:
        await other.close()
    assert target.read_bytes() == before

    for name in ("local", "offsite"):
        obj = tmp_path / name / "objects" / f"{incremental.id}.nslbak"
        raw = bytearray(obj.read_bytes())
        raw[-40] ^= 0xFF
        obj.write_bytes(bytes(raw))
    backups = engine(settings)
    try:
        with pytest.raises(BackupIntegrity):
            await backups.restore("latest", target=str(target), force=True)
        assert target.read_bytes() == before
        with pytest.raises(BackupIntegrity):
            await backups.verify(incremental.id)
    finally:
        await backups.close()


async def test_incremental_without_a_full_is_refused(tmp_path: Path) -> None:
    settings = backup_settings(tmp_path)
    await migrate(settings)
    backups = engine(settings)
    try:
        with pytest.raises(Exception) as caught:
            await backups.incremental()
        assert getattr(caught.value, "code", "") == "backup.invalid"
    finally:
        await backups.close()


async def test_incremental_after_losing_the_local_page_map(tmp_path: Path) -> None:
    """The page map is read back from the parent object when the local cache is gone."""
    settings = backup_settings(tmp_path)
    source = await migrate(settings)
    backups = engine(settings)
    try:
        await backups.full()
        (Path(settings.data_dir) / "backup-state" / "sqlite-pagemap.bin").unlink()
        execute(source, "CREATE TABLE t (x)", *[f"INSERT INTO t VALUES ({i})" for i in range(50)])
        incremental = await backups.incremental()
        restored = tmp_path / "r.db"
        await backups.restore(incremental.id, target=str(restored))
        assert scalar(restored, "SELECT count(*) FROM t") == 50
    finally:
        await backups.close()


async def test_prune_deletes_expired_chains_from_every_target(tmp_path: Path) -> None:
    settings = backup_settings(tmp_path)
    source = await migrate(settings)
    clock = ManualClock()
    backups = engine(settings, clock)
    try:
        old_full = await backups.full()
        clock.advance(3600)
        execute(source, "CREATE TABLE t (x)")
        old_incremental = await backups.incremental()
        clock.advance(40 * 86400)
        new_full = await backups.full()
        leftover = tmp_path / "local" / "objects" / ".tmp-leftover.nslbak.1234"
        leftover.write_bytes(b"partial")  # a crashed writer's, a day old
        crashed_at = time.time() - ABANDONED_TEMPORARY_S - 60
        os.utime(leftover, (crashed_at, crashed_at))
        removed = await backups.prune()
        assert {m.id for m in removed} == {old_full.id, old_incremental.id}
        for name in ("local", "offsite"):
            left = sorted(p.name for p in (tmp_path / name / "objects").iterdir())
            assert left == [f"{new_full.id}.nslbak"]
        assert [m.id for m in backups.manifests()] == [new_full.id]
    finally:
        await backups.close()
