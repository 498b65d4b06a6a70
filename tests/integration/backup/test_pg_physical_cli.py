"""`nsl backup full|incremental|wal-ship|verify` and `nsl restore` with the physical method."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nsl.services.backup.pgcluster import PgCluster, free_port

pytestmark = pytest.mark.postgres
NSL = str(Path(sys.executable).with_name("nsl"))


@pytest.fixture
def root(pg_workdir: Path) -> Path:
    return pg_workdir


def nsl(root: Path, port: int, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NSL_")}
    env.update(
        NSL_ENV="test",
        NSL_DATA_DIR=str(root / "var"),
        NSL_DATABASE__URL=f"postgresql://postgres@127.0.0.1:{port}/app",
        NSL_BACKUP__POSTGRES_METHOD="physical",
        NSL_BACKUP__WAL_SPOOL_DIR=str(root / "spool"),
        NSL_BACKUP__TARGETS=json.dumps([{"name": "local", "path": str(root / "backups")}]),
    )
    return subprocess.run([NSL, *args], capture_output=True, text=True, env=env, timeout=300)


def test_cli_backup_ship_verify_and_restore(root: Path) -> None:
    primary = PgCluster(root / "primary", free_port(), wal_spool_dir=root / "spool", fsync=False)
    primary.init()
    primary.start()
    try:
        primary.create_database("app")
        primary.sql("CREATE TABLE t AS SELECT generate_series(1, 50) AS v", database="app")
        full = nsl(root, primary.port, "backup", "full", "--json")
        assert full.returncode == 0, full.stderr
        base = json.loads(full.stdout)
        assert base["kind"] == "database-base"
        assert base["details"]["tables"]["public.t"]["rows"] == 50

        primary.sql("INSERT INTO t VALUES (51)", database="app")
        incremental = nsl(root, primary.port, "backup", "incremental", "--json")
        assert incremental.returncode == 0, incremental.stderr
        assert json.loads(incremental.stdout)["kind"] == "wal"
        shipped = nsl(root, primary.port, "backup", "wal-ship", "--json")
        assert shipped.returncode == 0, shipped.stderr
        assert json.loads(shipped.stdout)["kept"] == {}

        verified = nsl(root, primary.port, "backup", "verify", "--backup", base["id"], "--json")
        assert verified.returncode == 0, verified.stderr
        assert '"scratch-restore"' in verified.stdout
    finally:
        primary.destroy()

    occupied = root / "occupied"
    occupied.mkdir()
    (occupied / "keep.txt").write_text("x")
    refused = nsl(root, primary.port, "restore", "--backup", "latest", "--target", str(occupied))
    assert refused.returncode != 0 and "not empty" in refused.stderr
    assert (occupied / "keep.txt").exists()

    restored = nsl(
        root,
        primary.port,
        "restore",
        "--backup",
        "latest",
        "--target",
        str(root / "primary"),
        "--json",
    )
    assert restored.returncode == 0, restored.stderr
    cluster = PgCluster(root / "primary", primary.port)
    try:
        assert cluster.sql("SELECT count(*), max(v) FROM t", database="app") == "51|51"
    finally:
        cluster.destroy()
