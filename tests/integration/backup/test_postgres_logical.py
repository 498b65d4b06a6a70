"""PostgreSQL logical backups: pg_dump in a snapshot, scratch-database verify, guarded restore."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from tests.conftest import PG_ADMIN_URL, require_backend
from tests.integration.backup.helpers import backup_settings

from nsl.core.clock import ManualClock
from nsl.db.migrate import upgrade
from nsl.services.backup.engine import BackupEngine
from nsl.services.backup.errors import BackupIntegrity, NotSupported, TargetNotEmpty

BASE = PG_ADMIN_URL.rsplit("/", 1)[0]


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture
async def databases() -> AsyncIterator[tuple[str, str]]:
    require_backend("PostgreSQL", 5432)
    suffix = uuid.uuid4().hex[:8]
    source, target = f"nsl_bk_src_{suffix}", f"nsl_bk_dst_{suffix}"
    await _admin(f'CREATE DATABASE "{source}"')
    yield f"{BASE}/{source}", f"{BASE}/{target}"
    for name in (source, target):
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _count(url: str, query: str) -> int:
    connection = await asyncpg.connect(url)
    try:
        return int(await connection.fetchval(query))
    finally:
        await connection.close()


async def _exec(url: str, *statements: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


async def test_full_verify_restore_and_refusals(tmp_path: Path, databases: tuple[str, str]) -> None:
    source, target = databases
    await upgrade(source.replace("postgresql://", "postgresql+asyncpg://", 1))
    await _exec(
        source,
        "CREATE TABLE ledger (id serial PRIMARY KEY, note text, amount numeric)",
        "INSERT INTO ledger (note, amount) "
        "SELECT md5(g::text), g * 1.5 FROM generate_series(1, 5000) g",
    )
    settings = backup_settings(tmp_path, database={"url": source})
    clock = ManualClock()
    backups = BackupEngine(settings, clock=clock)
    try:
        full = await backups.full()
        assert full.engine == "postgresql" and full.details["method"] == "logical"
        assert full.details["tables"]["public.ledger"]["rows"] == 5000
        with pytest.raises(NotSupported) as caught:
            await backups.incremental()
        assert caught.value.fields[0].field == "NSL_BACKUP__POSTGRES_METHOD"

        report = await backups.verify(full.id)
        assert report["ok"] and report["checked"] == "scratch-restore"
        scratch = "nsl_verify_" + hashlib.sha256(full.id.encode()).hexdigest()[:12]
        exists = "SELECT count(*) FROM pg_database WHERE datname = '" + scratch + "'"
        assert await _count(PG_ADMIN_URL, exists) == 0  # created, used and dropped

        result = await backups.restore("latest", target=target)
        assert result["backups"] == [full.id]
        assert await _count(target, "SELECT count(*) FROM ledger") == 5000
        assert await _count(target, "SELECT sum(amount)::bigint FROM ledger") == await _count(
            source, "SELECT sum(amount)::bigint FROM ledger"
        )

        await _exec(target, "INSERT INTO ledger (note, amount) VALUES ('local change', 1)")
        with pytest.raises(TargetNotEmpty):
            await backups.restore(full.id, target=target)
        assert await _count(target, "SELECT count(*) FROM ledger") == 5001

        for name in ("local", "offsite"):
            obj = tmp_path / name / "objects" / f"{full.id}.nslbak"
            raw = bytearray(obj.read_bytes())
            raw[100] ^= 1
            obj.write_bytes(bytes(raw))
        with pytest.raises(BackupIntegrity):
            await backups.restore(full.id, target=target, force=True)
        assert await _count(target, "SELECT count(*) FROM ledger") == 5001  # untouched
    finally:
        await backups.close()


async def test_forced_restore_replaces_the_target(
    tmp_path: Path, databases: tuple[str, str]
) -> None:
    source, target = databases
    await _exec(source, "CREATE TABLE t (x int)", "INSERT INTO t SELECT generate_series(1, 10)")
    settings = backup_settings(tmp_path, database={"url": source})
    backups = BackupEngine(settings)
    try:
        await backups.full()
        await backups.restore("latest", target=target)
        await _exec(target, "CREATE TABLE stray (y int)", "DELETE FROM t WHERE x > 3")
        await backups.restore("latest", target=target, force=True)
        assert await _count(target, "SELECT count(*) FROM t") == 10
        assert await _count(target, "SELECT count(*) FROM pg_tables WHERE tablename = 'stray'") == 0
    finally:
        await backups.close()


async def test_config_backup_on_postgresql(tmp_path: Path, databases: tuple[str, str]) -> None:
    source, _ = databases
    await upgrade(source.replace("postgresql://", "postgresql+asyncpg://", 1))
    await _exec(
        source,
        "INSERT INTO configuration_entries (id, environment, key, value_json, secret, read_only, "
        "description, scope, version, created_at, updated_at, updated_by) VALUES ('A', 'test', "
        "'app/x', '1', false, false, '', 'global', 1, now(), now(), 't')",
    )
    settings = backup_settings(tmp_path, database={"url": source})
    backups = BackupEngine(settings)
    try:
        manifest = await backups.config()
        assert (await backups.verify(manifest.id))["ok"]
        await _exec(source, "DELETE FROM configuration_entries")
        await backups.restore(manifest.id)
        assert await _count(source, "SELECT count(*) FROM configuration_entries") == 1
    finally:
        await backups.close()
