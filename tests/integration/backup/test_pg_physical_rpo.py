"""The RPO of WAL archiving: with `archive_timeout` a committed row reaches the spool (and, once
shipped, the backup targets) without anyone forcing a switch; a restore then contains it."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from tests.polling import eventually

from nsl.core.settings import Settings
from nsl.services.backup import pitr, wal
from nsl.services.backup.basebackup import segment_name, take_base_backup
from nsl.services.backup.pgcluster import PgCluster, free_port
from nsl.services.backup.store import BackupStore

pytestmark = pytest.mark.postgres
ARCHIVE_TIMEOUT_S = 2


@pytest.fixture
def root(pg_workdir: Path) -> Path:
    return pg_workdir


async def test_archive_timeout_bounds_the_rpo_without_a_forced_switch(root: Path) -> None:
    cluster = PgCluster(
        root / "primary",
        free_port(),
        wal_spool_dir=root / "spool",
        archive_timeout_s=ARCHIVE_TIMEOUT_S,
        fsync=False,
    )
    cluster.init()
    cluster.start()
    try:
        cluster.create_database("app")
        settings = Settings(
            env="test",
            data_dir=root / "var",
            database={"url": f"postgresql://postgres@127.0.0.1:{cluster.port}/app"},
            backup={
                "targets": [{"name": "local", "path": str(root / "backups")}],
                "postgres_method": "physical",
                "wal_spool_dir": str(root / "spool"),
            },
        )
        store = BackupStore(settings, master_key=bytes(32))
        cluster.sql("CREATE TABLE t (v int)", database="app")
        take_base_backup(settings, store)
        wal.ship(settings, store)

        cluster.sql("INSERT INTO t VALUES (42)", database="app")
        committed = time.monotonic()
        lsn = cluster.sql("SELECT pg_current_wal_lsn()")
        segment = segment_name(1, lsn)
        assert segment == cluster.sql(f"SELECT pg_walfile_name('{lsn}')")
        spooled = root / "spool" / segment
        await eventually(spooled.exists, within=60, interval=0.05)
        archived_after = time.monotonic() - committed
        shipped = wal.ship(settings, store)
        shipped_after = time.monotonic() - committed
        assert segment in shipped.shipped
        print(
            json.dumps(
                {
                    "archive_timeout_s": ARCHIVE_TIMEOUT_S,
                    "commit_to_spool_s": round(archived_after, 2),
                    "commit_to_targets_s": round(shipped_after, 2),
                }
            )
        )
    finally:
        cluster.destroy()

    restored = pitr.restore(store, pitr.plan(store, "latest"), root / "restored", port=free_port())
    assert restored is not None
    try:
        assert restored.sql("SELECT v FROM t", database="app") == "42"
    finally:
        restored.destroy()
