"""WAL shipping: archived segments move from the spool dir into the BackupStore as kind `wal`.

PostgreSQL's `archive_command` drops each finished segment (and timeline history files) in
the spool; `ship` encrypts each one to every target and deletes it from the spool only once
every target holds it. Shipping is idempotent (a segment already on every target with the
same content is not written again). `switch_and_ship` closes the current segment first.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from nsl.core.settings import Settings
from nsl.services.backup.basebackup import PgServer, psql, server_from_settings, take_base_backup
from nsl.services.backup.errors import BackupFailed, NotSupported
from nsl.services.backup.manifest import Manifest
from nsl.services.backup.pgcluster import find_bindir
from nsl.services.backup.store import BackupStore

WAL_FILE = re.compile(
    r"^[0-9A-F]{24}(\.partial)?$|^[0-9A-F]{8}\.history$|^[0-9A-F]{24}\.[0-9A-F]{8}\.backup$"
)
POLL_S = 0.05


@dataclass
class ShipResult:
    """What one pass shipped, skipped as already stored, and kept in the spool (failed)."""

    shipped: list[str] = field(default_factory=list)
    already_stored: list[str] = field(default_factory=list)
    kept: dict[str, str] = field(default_factory=dict)
    manifests: list[Manifest] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "shipped": self.shipped,
            "already_stored": self.already_stored,
            "kept": self.kept,
            "backups": [m.id for m in self.manifests],
        }


def spool_dir(settings: Settings) -> Path:
    if settings.backup.wal_spool_dir is None:
        raise NotSupported.on(
            "backup.wal_spool_dir", "required", "set NSL_BACKUP__WAL_SPOOL_DIR for WAL shipping"
        )
    return settings.backup.wal_spool_dir


def pending(spool: Path) -> list[Path]:
    """Archived WAL files waiting in the spool, oldest first (temporaries are ignored)."""
    if not spool.is_dir():
        return []
    return sorted(p for p in spool.iterdir() if p.is_file() and WAL_FILE.match(p.name))


def ship(settings: Settings, store: BackupStore, spool: Path | None = None) -> ShipResult:
    """Ship every spooled WAL file to every target; delete each once all targets have it."""
    spool = spool or spool_dir(settings)
    result = ShipResult()
    files = pending(spool)
    if not files:
        return result
    stored = _stored_on_all_targets(store)
    base = store.latest("database-base", engine="postgresql")
    for path in files:
        try:
            # archive_command copies with ``cp -p``: the time of the segment's last write, so
            # every commit acknowledged before it is inside this or an earlier segment
            data, archived = path.read_bytes(), path.stat().st_mtime
        except FileNotFoundError:  # another shipper (CLI or a second process) took it
            continue
        digest = hashlib.sha256(data).hexdigest()
        if stored.get(path.name) == digest:
            path.unlink(missing_ok=True)
            result.already_stored.append(path.name)
            continue
        manifest = store.write(
            "wal",
            [data],
            engine="postgresql",
            parent=base.id if base is not None else None,
            covers_until=datetime.fromtimestamp(archived, UTC),
            details={"wal_file": path.name, "plain_sha256": digest},
        )
        result.manifests.append(manifest)
        if manifest.status == "complete":
            path.unlink(missing_ok=True)
            result.shipped.append(path.name)
        else:
            result.kept[path.name] = ", ".join(sorted(manifest.failed_targets))
    return result


def switch_and_ship(settings: Settings, store: BackupStore) -> ShipResult:
    """`incremental` for physical: close the current WAL segment, wait until it is archived
    into the spool, then ship the spool."""
    spool = spool_dir(settings)
    server = server_from_settings(settings)
    bindir = find_bindir(settings.backup.pg_bindir)
    # a WAL record first, so the switch always happens and closes a segment holding every
    # commit made before this call (a base backup's fingerprint LSN included)
    psql(bindir, server, "SELECT pg_logical_emit_message(false, 'nsl-backup', 'switch')")
    closed = psql(bindir, server, "SELECT pg_walfile_name(pg_switch_wal() - 1)")
    wait_archived(bindir, server, closed, settings.backup.wal_archive_wait_s)
    return ship(settings, store, spool)


def wait_archived(bindir: Path, server: PgServer, wal_file: str, within_s: float) -> None:
    """Poll pg_stat_archiver until ``wal_file`` (or a later one) has been archived."""
    deadline = time.monotonic() + within_s
    query = "SELECT coalesce(last_archived_wal, '') || ' ' || failed_count FROM pg_stat_archiver"
    while True:
        last, _, failures = psql(bindir, server, query).partition(" ")
        if last[:24] >= wal_file:
            return
        if time.monotonic() > deadline:
            raise BackupFailed(
                f"WAL file {wal_file} not archived after {within_s} s "
                f"(last archived {last or 'none'}, {failures} archive failures): "
                "check archive_command and backup.wal_spool_dir"
            )
        time.sleep(POLL_S)


def _stored_on_all_targets(store: BackupStore) -> dict[str, str]:
    """WAL file name -> plain sha256 for files every target already holds."""
    per_target = []
    for target in store.targets:
        held = {
            m.details.get("wal_file"): m.details.get("plain_sha256")
            for m in store.list("wal", target=target.name)
        }
        per_target.append(held)
    if not per_target:
        return {}
    first, *rest = per_target
    return {
        name: digest
        for name, digest in first.items()
        if isinstance(name, str)
        and isinstance(digest, str)
        and all(other.get(name) == digest for other in rest)
    }


def base_then_ship(settings: Settings, store: BackupStore) -> Manifest:
    """`full` for physical: a base backup, then close and ship the WAL up to its fingerprint
    (so `verify` can replay exactly to the point whose row counts the manifest records)."""
    base = take_base_backup(settings, store)
    switch_and_ship(settings, store)
    return base


def incremental(settings: Settings, store: BackupStore) -> Manifest:
    """`incremental` for physical: switch + ship; the newest `wal` backup it produced."""
    result = switch_and_ship(settings, store)
    if result.manifests:
        return result.manifests[-1]
    newest = store.latest("wal", engine="postgresql")  # a concurrent ship took it first
    if newest is None:
        raise BackupFailed("no WAL was shipped: is archive_command writing to the spool?")
    return newest
