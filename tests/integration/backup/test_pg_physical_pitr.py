"""PostgreSQL physical backups end to end on a real throw-away cluster: base backup, WAL
shipping, point-in-time restore (to the end and to a time between writes), verify, refusals."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from nsl.core.settings import Settings
from nsl.services.backup import pitr, wal
from nsl.services.backup.basebackup import take_base_backup
from nsl.services.backup.errors import BackupIntegrity, BackupWrongKey, TargetNotEmpty
from nsl.services.backup.pgcluster import PgCluster, free_port
from nsl.services.backup.store import BackupStore

pytestmark = pytest.mark.postgres
MASTER = bytes(range(32))


@dataclass
class Primary:
    root: Path
    cluster: PgCluster
    settings: Settings
    store: BackupStore

    def insert(self, value: int) -> datetime:
        """Insert one row (autocommit) and return the server's clock right after the commit."""
        self.cluster.sql(f"INSERT INTO t (v) VALUES ({value})", database="app")
        return datetime.fromisoformat(self.cluster.sql("SELECT clock_timestamp()"))


@pytest.fixture
def primary() -> Iterator[Primary]:
    root = Path(tempfile.mkdtemp(prefix="nsl-pitr-", dir="/tmp"))
    root.chmod(0o755)
    cluster = PgCluster(
        root / "primary",
        free_port(),
        wal_spool_dir=root / "spool",
        archive_timeout_s=2,
        fsync=False,
    )
    cluster.init()
    cluster.start()
    cluster.create_database("app")
    cluster.sql("CREATE TABLE t (v int PRIMARY KEY, note text DEFAULT 'x')", database="app")
    settings = Settings(
        env="test",
        data_dir=root / "var",
        database={"url": f"postgresql://postgres@127.0.0.1:{cluster.port}/app"},
        backup={
            "targets": [
                {"name": "local", "path": str(root / "backups")},
                {"name": "offsite", "path": str(root / "offsite")},
            ],
            "postgres_method": "physical",
            "wal_spool_dir": str(root / "spool"),
            "archive_timeout_s": 2,
        },
    )
    try:
        yield Primary(root, cluster, settings, BackupStore(settings, master_key=MASTER))
    finally:
        cluster.destroy()
        shutil.rmtree(root, ignore_errors=True)


def rows(cluster: PgCluster) -> list[int]:
    out = cluster.sql("SELECT v FROM t ORDER BY v", database="app")
    return [int(v) for v in out.split()] if out else []


def test_base_backup_wal_ship_and_pitr_to_the_end_and_to_a_time(primary: Primary) -> None:
    for value in (1, 2, 3):
        primary.insert(value)
    base = take_base_backup(primary.settings, primary.store)
    assert base.kind == "database-base" and base.engine == "postgresql"
    assert base.details["tables"]["public.t"]["rows"] == 3
    assert len(base.details["start_segment"]) == 24
    assert set(base.targets) == {"local", "offsite"}
    primary.insert(4)
    between = primary.insert(5)
    primary.insert(6)
    shipped = wal.switch_and_ship(primary.settings, primary.store)
    assert shipped.shipped and not shipped.kept
    assert wal.pending(primary.root / "spool") == []
    again = wal.ship(primary.settings, primary.store)
    assert again.shipped == [] and again.kept == {}
    replay = primary.root / "spool" / shipped.shipped[-1]  # archived again after a crash
    replay.write_bytes(b"".join(primary.store.open(shipped.manifests[-1].id)))
    idempotent = wal.ship(primary.settings, primary.store)
    assert idempotent.already_stored == [replay.name] and idempotent.manifests == []
    assert not replay.exists()

    primary.cluster.destroy()  # the database is lost: only the backup targets remain

    end_plan = pitr.plan(primary.store, "latest")
    assert end_plan.base.id == base.id and end_plan.to_time is None
    restored = pitr.restore(
        primary.store, end_plan, primary.root / "restored", port=free_port(), start_timeout_s=60
    )
    assert restored is not None
    try:
        assert rows(restored) == [1, 2, 3, 4, 5, 6]
        assert restored.sql("SELECT pg_is_in_recovery()") == "f"
    finally:
        restored.destroy()

    time_plan = pitr.plan(primary.store, "latest", to_time=between, from_target="offsite")
    assert time_plan.to_time == between
    at_time = pitr.restore(
        primary.store,
        time_plan,
        primary.root / "at-time",
        from_target="offsite",
        port=free_port(),
        start_timeout_s=60,
    )
    assert at_time is not None
    try:
        assert rows(at_time) == [1, 2, 3, 4, 5]
    finally:
        at_time.destroy()


def test_verify_restores_into_a_scratch_cluster_and_compares_tables(primary: Primary) -> None:
    for value in range(1, 21):
        primary.insert(value)
    base = take_base_backup(primary.settings, primary.store)
    wal.switch_and_ship(primary.settings, primary.store)
    primary.insert(99)  # after the fingerprint: must not show up in the verify
    report = pitr.verify_base(primary.store, base.id, primary.cluster.bindir)
    assert report == {"backup": base.id, "tables": 1, "mismatched": []}
    assert not list(Path("/tmp").glob("nsl-verify-*/data/PG_VERSION"))


def corrupt_everywhere(root: Path, backup_id: str) -> None:
    for target in ("backups", "offsite"):
        path = root / target / "objects" / f"{backup_id}.nslbak"
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x01
        path.write_bytes(bytes(data))


def test_corrupted_wal_or_wrong_key_is_refused_before_the_target_is_touched(
    primary: Primary,
) -> None:
    primary.insert(1)
    take_base_backup(primary.settings, primary.store)
    primary.insert(2)
    shipped = wal.switch_and_ship(primary.settings, primary.store)
    target = primary.root / "target"
    target.mkdir()
    (target / "keep.txt").write_text("operator data")

    with pytest.raises(TargetNotEmpty):
        pitr.restore(primary.store, pitr.plan(primary.store, "latest"), target, port=free_port())

    wrong = BackupStore(primary.settings, master_key=os.urandom(32))
    with pytest.raises(BackupWrongKey):
        pitr.restore(wrong, pitr.plan(primary.store, "latest"), target, force=True)
    assert [p.name for p in target.iterdir()] == ["keep.txt"]

    corrupt_everywhere(primary.root, shipped.manifests[-1].id)
    with pytest.raises(BackupIntegrity):
        pitr.restore(primary.store, pitr.plan(primary.store, "latest"), target, force=True)
    assert [p.name for p in target.iterdir()] == ["keep.txt"]
    assert (target / "keep.txt").read_text() == "operator data"


def test_a_failing_target_keeps_the_segment_in_the_spool_until_every_target_has_it(
    primary: Primary,
) -> None:
    blocked = primary.root / "blocked"
    blocked.write_text("a file where the offsite directory should be")
    backup = primary.settings.backup.model_copy(
        update={
            "targets": [
                primary.settings.backup.targets[0],
                primary.settings.backup.targets[1].model_copy(update={"path": blocked / "off"}),
            ]
        }
    )
    settings = primary.settings.model_copy(update={"backup": backup})
    store = BackupStore(settings, master_key=MASTER)
    primary.insert(1)
    first = wal.switch_and_ship(settings, store)
    assert first.kept and not first.shipped
    assert all(m.status == "failed" and "offsite" in m.failed_targets for m in first.manifests)
    kept = sorted(first.kept)
    assert [p.name for p in wal.pending(primary.root / "spool")] == kept

    blocked.unlink()
    blocked.mkdir()
    second = wal.ship(settings, store)
    assert second.shipped == kept and second.kept == {}
    assert wal.pending(primary.root / "spool") == []
    on_offsite = {m.details["wal_file"] for m in store.list("wal", target="offsite")}
    assert set(kept) <= on_offsite
