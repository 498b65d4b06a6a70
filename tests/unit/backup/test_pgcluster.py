"""The private-cluster tool against a real throw-away PostgreSQL cluster on a free port."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.polling import eventually

from nsl.core.errors import ValidationFailed
from nsl.services.backup.pgcluster import ClusterError, PgCluster, free_port

pytestmark = pytest.mark.postgres


@pytest.fixture
def root(pg_workdir: Path) -> Path:
    return pg_workdir


def test_init_start_query_stop_destroy(root: Path) -> None:
    cluster = PgCluster(root / "data", free_port(), wal_spool_dir=root / "spool", fsync=False)
    assert cluster.status() == "absent"
    cluster.init()
    try:
        assert cluster.status() == "stopped"
        cluster.start()
        assert cluster.status() == "running"
        cluster.create_database("app")
        cluster.sql("CREATE TABLE t (v int); INSERT INTO t VALUES (1), (2)", database="app")
        assert cluster.sql("SELECT sum(v) FROM t", database="app") == "3"
        assert cluster.sql("SHOW listen_addresses") == "127.0.0.1"
        assert cluster.sql("SHOW wal_level") == "replica"
        assert cluster.sql("SHOW archive_mode") == "on"
        assert cluster.sql("SHOW port") == str(cluster.port)
        assert not list(cluster.data_dir.glob(".s.PGSQL*")), "sockets live in the run dir"
    finally:
        cluster.stop()
    assert cluster.status() == "stopped"
    cluster.destroy()
    assert not cluster.data_dir.exists() and not cluster.run_dir.exists()


async def test_archive_command_copies_finished_segments_to_the_spool(root: Path) -> None:
    cluster = PgCluster(root / "data", free_port(), wal_spool_dir=root / "spool", fsync=False)
    cluster.init()
    cluster.start()
    try:
        segment = cluster.sql("SELECT pg_walfile_name(pg_current_wal_lsn())")
        cluster.sql("CREATE TABLE t (v int); INSERT INTO t VALUES (1)")
        cluster.sql("SELECT pg_switch_wal()")
        spooled = root / "spool" / segment
        await eventually(spooled.exists, within=30)
        assert spooled.stat().st_size == 16 * 1024 * 1024
    finally:
        cluster.destroy()


def test_init_refuses_a_non_empty_data_dir(root: Path) -> None:
    (root / "data").mkdir()
    (root / "data" / "precious.txt").write_text("keep me")
    with pytest.raises(ValidationFailed) as caught:
        PgCluster(root / "data", free_port()).init()
    assert caught.value.fields[0].rule == "empty"
    assert (root / "data" / "precious.txt").read_text() == "keep me"


def test_spool_path_with_a_quote_is_rejected_before_anything_runs(root: Path) -> None:
    with pytest.raises(ValidationFailed) as caught:
        PgCluster(root / "data", free_port(), wal_spool_dir=root / "sp'ool")
    assert caught.value.fields[0].field == "wal_spool_dir"
    assert not (root / "data").exists()


def test_start_of_a_broken_config_fails_with_the_server_log(root: Path) -> None:
    cluster = PgCluster(root / "data", free_port(), fsync=False)
    cluster.init()
    (cluster.data_dir / "nsl-cluster.conf").write_text("shared_buffers = 'nonsense'\n")
    with pytest.raises(ClusterError) as caught:
        cluster.start(timeout_s=20)
    assert "shared_buffers" in caught.value.detail
    assert cluster.status() == "stopped"
