"""The `backup` service with the physical method: the daily base backup and the periodic
`wal-ship` task move archived WAL from the spool into the targets on their own."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.integration.gateway.conftest import Gateway, make_settings
from tests.polling import eventually

from nsl.services.backup.pgcluster import PgCluster, free_port
from nsl.services.backup.store import BackupStore

pytestmark = pytest.mark.postgres


@pytest.fixture
def root(pg_workdir: Path) -> Path:
    return pg_workdir


async def test_service_takes_a_base_backup_and_ships_wal_periodically(root: Path) -> None:
    cluster = PgCluster(root / "primary", free_port(), wal_spool_dir=root / "spool", fsync=False)
    cluster.init()
    cluster.start()
    try:
        cluster.create_database("app")
        settings = make_settings(
            root,
            only_services=["backup"],
            master_key="cd" * 32,
            database={"url": f"postgresql://postgres@127.0.0.1:{cluster.port}/app"},
            backup={
                "targets": [{"name": "local", "path": str(root / "local")}],
                "postgres_method": "physical",
                "wal_spool_dir": str(root / "spool"),
                "wal_ship_interval_s": 0.2,
                "scheduler_tick_s": 0.2,
            },
        )
        store = BackupStore(settings)
        async with Gateway(settings):
            await eventually(lambda: store.latest("database-base") is not None, within=60)
            cluster.sql("CREATE TABLE t AS SELECT 1 AS v", database="app")
            segment = cluster.sql("SELECT pg_walfile_name(pg_switch_wal() - 1)")

            def shipped() -> bool:
                names = {m.details.get("wal_file") for m in store.list("wal")}
                return segment in names and not (root / "spool" / segment).exists()

            await eventually(shipped, within=60)
    finally:
        cluster.destroy()
