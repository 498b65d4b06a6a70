"""SQLite backups: full snapshots, page-level incrementals, and chain restores.

An incremental stores the pages that differ from its parent (the newest full or incremental)
plus the page map of its own snapshot; the page map of the newest backup is cached in
``<data_dir>/backup-state/`` and otherwise read back from the parent object.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from nsl.services.backup import checksums, sqlite_pages
from nsl.services.backup.errors import (
    BackupFailed,
    BackupIntegrity,
    InvalidInput,
    TargetNotEmpty,
)
from nsl.services.backup.manifest import Manifest
from nsl.services.backup.store import BackupStore

DB_KINDS = ("database-full", "database-incremental")


def _cache(store: BackupStore) -> Path:
    return Path(store.settings.data_dir) / "backup-state" / "sqlite-pagemap.bin"


def _remember(store: BackupStore, backup_id: str, pages: bytes) -> None:
    path = _cache(store)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(backup_id.encode() + b"\n" + pages)
    os.replace(temporary, path)


def _recall(store: BackupStore, parent: Manifest) -> bytes:
    with contextlib.suppress(OSError):
        raw = _cache(store).read_bytes()
        head, _, pages = raw.partition(b"\n")
        if head.decode(errors="replace") == parent.id:
            return pages
    return sqlite_pages.read_page_map(store.open(parent.id))[1]


def head(store: BackupStore) -> Manifest | None:
    """The newest SQLite full or incremental: the parent of the next incremental."""
    items = [m for m in store.list() if m.kind in DB_KINDS and m.engine == "sqlite"]
    return items[-1] if items else None


def backup(store: BackupStore, source: Path, *, incremental: bool, now: datetime) -> Manifest:
    parent = head(store) if incremental else None
    if not source.is_file():
        raise BackupFailed(f"no SQLite database at {source}")
    if incremental and parent is None:
        raise InvalidInput.on("kind", "needs_full", "no SQLite full backup yet: run a full one")
    state = _cache(store).parent  # snapshots can be large: beside the data, not in /tmp
    state.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.TemporaryDirectory(prefix="snapshot-", dir=state) as work:
        snap = Path(work) / "snapshot.db"
        covers = now.astimezone(UTC)
        sqlite_pages.snapshot(source, snap)
        page_size, _ = sqlite_pages.geometry(snap)
        pages = sqlite_pages.page_map(snap, page_size)
        details: dict[str, object] = {
            "tables": checksums.sqlite_tables(snap),
            "page_size": page_size,
            "page_count": len(pages) // sqlite_pages.HASH,
            "payload": "sqlite-pages-v1",
        }
        if parent is None:
            payload = sqlite_pages.full_payload(snap, page_size, pages)
            kind = "database-full"
        else:
            if parent.details.get("page_size") != page_size:
                raise InvalidInput.on("kind", "page_size", "page size changed: run a full backup")
            changed, payload = sqlite_pages.incremental_payload(
                snap, page_size, _recall(store, parent), pages
            )
            details["changed_pages"] = len(changed)
            kind = "database-incremental"
        manifest = store.write(
            kind,
            payload,
            engine="sqlite",
            parent=parent.id if parent else None,
            covers_until=covers,
            details=details,
        )
    _remember(store, manifest.id, pages)
    return manifest


def is_empty(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return True
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = connection.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchone()
        return int(row[0]) == 0
    except sqlite3.DatabaseError:
        return False  # not a database: treat as data we must not overwrite silently
    finally:
        connection.close()


def restore(
    store: BackupStore,
    chain: list[Manifest],
    target: Path,
    *,
    force: bool,
    from_target: str | None = None,
) -> dict[str, object]:
    """Rebuild ``target`` from a full and its incrementals (all verified before it is touched)."""
    if not force and not is_empty(target):
        raise TargetNotEmpty(f"{target} holds tables; use --force to overwrite it")
    for manifest in chain:
        store.verify_object(manifest.id, from_target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".nsl-restore-", dir=target.parent)
    building = Path(name)
    try:
        with os.fdopen(fd, "r+b") as handle:
            for manifest in chain:
                sqlite_pages.apply(store.open(manifest.id, from_target), handle)
            handle.flush()
            os.fsync(handle.fileno())
        problems = checksums.differences(
            chain[-1].details.get("tables", {}), checksums.sqlite_tables(building)
        )
        if problems:
            raise BackupIntegrity(
                "restored database differs from its manifest: " + "; ".join(problems)
            )
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(building, target)
    finally:
        building.unlink(missing_ok=True)
    return {
        "engine": "sqlite",
        "target": str(target),
        "backups": [m.id for m in chain],
        "restored_to": chain[-1].covers_until,
        "tables": len(chain[-1].details.get("tables", {})),
    }
