"""Point-in-time restore: a `database-base` plus the `wal` after it into an empty data dir.

Order matters: pick the backups, refuse a non-empty target (without ``force``), verify every
object's MAC, key and sha256, and only then write: extract the base, decrypt the WAL into a
restore dir next to the data dir, write `recovery.signal` and the recovery settings
(`restore_command`, `recovery_target_time|lsn`, promote), start it as a private cluster and
wait until recovery has finished (`pg_is_in_recovery()` false).
"""

from __future__ import annotations

import io
import shutil
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nsl.core.settings import Settings
from nsl.services.backup.basebackup import PgServer, fingerprint, server_from_settings
from nsl.services.backup.errors import BackupIntegrity, InvalidInput, TargetNotEmpty
from nsl.services.backup.manifest import Manifest
from nsl.services.backup.pgcluster import ClusterError, PgCluster, free_port, running_as_root
from nsl.services.backup.store import BackupStore

RECOVERY_FILE = "nsl-recovery.conf"
POLL_S = 0.05


@dataclass(frozen=True)
class RestorePlan:
    """The base backup and the WAL files (by name, one manifest each) a restore replays."""

    base: Manifest
    wal: list[Manifest]
    to_time: datetime | None

    def as_dict(self) -> dict[str, object]:
        return {
            "base": self.base.id,
            "wal_files": len(self.wal),
            "to_time": self.to_time.isoformat() if self.to_time else None,
        }


def plan(
    store: BackupStore,
    backup_id: str,
    to_time: datetime | None = None,
    from_target: str | None = None,
) -> RestorePlan:
    """Choose the base (``latest``: the newest base that ends before ``to_time``) and its WAL."""
    if backup_id == "latest":
        bases = [
            m
            for m in store.list("database-base", target=from_target)
            if m.engine == "postgresql" and (to_time is None or m.covers <= to_time)
        ]
        if not bases:
            raise InvalidInput.on("backup", "exists", "no PostgreSQL base backup before --to-time")
        base = store.get(bases[-1].id, from_target)
    else:
        base = store.get(backup_id, from_target)
        if base.kind != "database-base":
            raise InvalidInput.on("backup", "kind", f"{backup_id} is a {base.kind} backup")
        if to_time is not None and to_time < base.covers:
            raise InvalidInput.on("to_time", "after_base", "earlier than the end of that backup")
    first = str(base.details.get("start_segment", ""))
    chosen: dict[str, Manifest] = {}
    for manifest in store.list("wal", target=from_target):
        name = str(manifest.details.get("wal_file", ""))
        wanted = name.endswith(".history") or name[:24] >= first
        if wanted and (manifest.status == "complete" or name not in chosen):
            chosen[name] = manifest
    wal = [chosen[name] for name in sorted(chosen)]
    if to_time is not None:
        needed = []
        for manifest in sorted(wal, key=lambda m: m.covers):
            needed.append(manifest)
            if manifest.covers >= to_time:
                break
        else:  # every shipped WAL ends before the target: recover to the end of it
            to_time = None
        wal = sorted(needed, key=lambda m: str(m.details.get("wal_file")))
    return RestorePlan(base, [store.get(m.id, from_target) for m in wal], to_time)


def restore(
    store: BackupStore,
    restore_plan: RestorePlan,
    data_dir: Path,
    *,
    force: bool = False,
    from_target: str | None = None,
    port: int | None = None,
    wal_spool_dir: Path | None = None,
    target_lsn: str | None = None,
    start_timeout_s: float = 600.0,
) -> PgCluster | None:
    """Write the restore into ``data_dir``; with ``port``, start it there and wait for promotion.

    Raises TargetNotEmpty (nothing touched) or backup.integrity / backup.wrong_key (nothing
    touched). Without ``port`` the data dir is left ready to recover on its first start.
    """
    data_dir = data_dir.absolute()
    if data_dir.exists() and any(data_dir.iterdir()) and not force:
        raise TargetNotEmpty(f"restore target {data_dir} is not empty (use --force)")
    for manifest in [restore_plan.base, *restore_plan.wal]:
        store.verify_object(manifest.id, from_target)
    cluster = PgCluster(data_dir, port or 5432, wal_spool_dir=wal_spool_dir)
    if cluster.status() == "running":
        raise TargetNotEmpty(f"a server is running on {data_dir}; stop it first")
    _empty(data_dir)
    wal_dir = data_dir.with_name(data_dir.name + ".pitr-wal")
    _empty(wal_dir)
    _extract(store.open(restore_plan.base.id, from_target), data_dir)
    for manifest in restore_plan.wal:
        with (wal_dir / str(manifest.details["wal_file"])).open("wb") as out:
            for block in store.open(manifest.id, from_target):
                out.write(block)
    (data_dir / "postmaster.pid").unlink(missing_ok=True)
    (data_dir / "recovery.signal").write_text("")
    _write_recovery_conf(data_dir, wal_dir, restore_plan.to_time, target_lsn)
    if port is not None:
        cluster.configure()  # port, sockets, pg_hba, archiving of the restored cluster
    _hand_to_server(data_dir, wal_dir)
    cluster.include_in_postgresql_conf(RECOVERY_FILE)
    if port is None:
        return None
    cluster.start(start_timeout_s)
    wait_promoted(cluster, start_timeout_s)
    (data_dir / RECOVERY_FILE).unlink(missing_ok=True)
    shutil.rmtree(wal_dir, ignore_errors=True)
    return cluster


def wait_promoted(cluster: PgCluster, within_s: float) -> None:
    """Poll until the restored server has left recovery (the target reached, then promoted)."""
    deadline = time.monotonic() + within_s
    while cluster.sql("SELECT pg_is_in_recovery()") != "f":
        if time.monotonic() > deadline:
            raise ClusterError(f"restored cluster still in recovery after {within_s} s")
        time.sleep(POLL_S)


def _write_recovery_conf(
    data_dir: Path, wal_dir: Path, to_time: datetime | None, target_lsn: str | None
) -> None:
    lines = [
        f"restore_command = 'cp {wal_dir}/%f %p'",
        "recovery_target_timeline = 'latest'",
        "recovery_target_action = 'promote'",
    ]
    if to_time is not None:
        lines.append(f"recovery_target_time = '{to_time.astimezone(UTC).isoformat()}'")
    elif target_lsn is not None:
        lines.append(f"recovery_target_lsn = '{target_lsn}'")
    (data_dir / RECOVERY_FILE).write_text("\n".join(lines) + "\n")


def _empty(path: Path) -> None:
    if path.exists():
        for child in path.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    path.mkdir(parents=True, exist_ok=True)


def _extract(blocks: Iterator[bytes], data_dir: Path) -> None:
    with tarfile.open(fileobj=_Stream(blocks), mode="r|") as archive:
        archive.extractall(data_dir, filter="tar")


def _hand_to_server(data_dir: Path, wal_dir: Path) -> None:
    data_dir.chmod(0o700)
    if not running_as_root():
        return
    for root in (data_dir, wal_dir):
        shutil.chown(root, "postgres", "postgres")
        for path in root.rglob("*"):
            shutil.chown(path, "postgres", "postgres")


class _Stream(io.RawIOBase):
    """A read-only file over an iterator of byte blocks (for tarfile's streaming mode)."""

    def __init__(self, blocks: Iterator[bytes]) -> None:
        self._blocks = iter(blocks)
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._buffer:
            try:
                self._buffer = next(self._blocks)
            except StopIteration:
                return 0
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


def verify_base(
    store: BackupStore,
    backup_id: str,
    bindir: Path | None = None,
    from_target: str | None = None,
) -> dict[str, object]:
    """Restore a base backup (+ its WAL, up to the fingerprint's LSN) into a scratch cluster on
    a free port, compare row counts and checksums with the manifest, destroy the cluster."""
    restore_plan = plan(store, backup_id, None, from_target)
    expected = restore_plan.base.details.get("tables", {})
    scratch = Path(tempfile.mkdtemp(prefix="nsl-verify-", dir="/tmp"))
    scratch.chmod(0o755)
    try:
        cluster = restore(
            store,
            restore_plan,
            scratch / "data",
            from_target=from_target,
            port=free_port(),
            target_lsn=str(restore_plan.base.details.get("fingerprint_lsn") or "") or None,
        )
        if cluster is None:  # restore() always returns the cluster when given a port
            raise ClusterError("scratch cluster did not start")
        database = str(restore_plan.base.details["database"])
        server = PgServer("127.0.0.1", cluster.port, "postgres", database)
        try:
            found = fingerprint(bindir or cluster.bindir, server)["tables"]
        finally:
            cluster.destroy()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    mismatched = sorted(
        name for name in set(expected) | set(found) if expected.get(name) != found.get(name)
    )
    if mismatched:
        raise BackupIntegrity(f"backup {backup_id}: tables differ after a restore: {mismatched}")
    return {"backup": backup_id, "tables": len(expected), "mismatched": mismatched}


def restore_physical(
    settings: Settings,
    store: BackupStore,
    backup: str,
    *,
    target: Path,
    to_time: datetime | None = None,
    from_target: str | None = None,
    force: bool = False,
    port: int | None = None,
) -> dict[str, Any]:
    """`nsl restore` for PostgreSQL physical: PITR into the data dir ``target`` and start it
    as a private cluster on ``port`` (default: the configured database URL's port), archiving
    to the configured spool so WAL shipping carries on from the restored server."""
    restore_plan = plan(store, backup, to_time, from_target)
    port = port or server_from_settings(settings).port
    started = time.monotonic()
    restore(
        store,
        restore_plan,
        target,
        force=force,
        from_target=from_target,
        port=port,
        wal_spool_dir=settings.backup.wal_spool_dir,
        start_timeout_s=settings.backup.pitr_start_timeout_s,
    )
    return {
        **restore_plan.as_dict(),
        "target": str(target),
        "port": port,
        "seconds": round(time.monotonic() - started, 3),
    }
