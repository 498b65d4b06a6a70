"""``nsl backup verify``: restore a backup into a scratch database and compare its checksums.

SQLite chains and configuration backups are restored into a temporary SQLite file (config into
a freshly migrated one), PostgreSQL logical backups into a scratch database ``nsl_verify_*``
dropped afterwards. Keys backups are opened and compared with their fingerprint when recovery
shares are given; without shares only the object's framing and SHA-256 can be checked (the
manifest MAC of a keys backup is keyed by its data key, which only the recovery key opens).
"""

from __future__ import annotations

import asyncio
import hashlib
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nsl.core.metrics import Metrics
from nsl.db.engine import Database
from nsl.db.migrate import upgrade
from nsl.services.backup import config_backup, keys_backup, pg_logical, pitr, sqlite_backup
from nsl.services.backup.errors import BackupIntegrity
from nsl.services.backup.manifest import Manifest

if TYPE_CHECKING:
    from nsl.services.backup.engine import BackupEngine

Verifier = Callable[["BackupEngine", Manifest, bytes | None, str | None], Awaitable[dict[str, Any]]]


def _rows(manifest: Manifest) -> int:
    tables = manifest.details.get("tables", {})
    return sum(int(t.get("rows", 0)) for t in tables.values())


async def _database(
    engine: BackupEngine, manifest: Manifest, _: bytes | None, from_target: str | None
) -> dict[str, Any]:
    store = engine.store
    if manifest.engine == "sqlite":
        chain = await asyncio.to_thread(store.chain, manifest.id, from_target)
        with tempfile.TemporaryDirectory(prefix="nsl-verify-") as work:
            await asyncio.to_thread(
                sqlite_backup.restore,
                store,
                chain,
                Path(work) / "verify.db",
                force=True,
                from_target=from_target,
            )
        return {"checked": "scratch-restore", "scratch": "sqlite temp file", "chain": len(chain)}
    if manifest.engine == "postgresql" and manifest.details.get("method") == "logical":
        source = engine.source.pg
        if source is None:
            raise BackupIntegrity("verifying a PostgreSQL backup needs a PostgreSQL server")
        name = "nsl_verify_" + hashlib.sha256(manifest.id.encode()).hexdigest()[:12]
        scratch = source.with_database(name)
        await pg_logical.drop_database(scratch)
        try:
            await pg_logical.restore(store, manifest, scratch, force=False, from_target=from_target)
        finally:
            await pg_logical.drop_database(scratch)
        return {"checked": "scratch-restore", "scratch": f"postgresql database {name} (dropped)"}
    await asyncio.to_thread(store.verify_object, manifest.id, from_target)
    return {"checked": "integrity"}


async def _config(
    engine: BackupEngine, manifest: Manifest, _: bytes | None, from_target: str | None
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="nsl-verify-") as work:
        url = f"sqlite+aiosqlite:///{Path(work) / 'verify.db'}"
        await upgrade(url)
        scratch = Database(url, engine.settings.database, Metrics("backup-verify", "cli"))
        try:
            await config_backup.restore(
                engine.store, scratch, manifest, force=True, from_target=from_target
            )
        finally:
            await scratch.dispose()
    return {"checked": "scratch-restore", "scratch": "migrated sqlite temp file"}


async def _keys(
    engine: BackupEngine, manifest: Manifest, private: bytes | None, from_target: str | None
) -> dict[str, Any]:
    if private is None:
        await asyncio.to_thread(engine.store.verify_object, manifest.id, from_target)
        return {"checked": "structure", "note": "give --share files to decrypt and compare"}
    document = await asyncio.to_thread(
        keys_backup.read, engine.store, manifest.id, private, from_target
    )
    items = document["items"]
    if keys_backup.fingerprint(items) != manifest.details.get("fingerprint"):
        raise BackupIntegrity(f"backup {manifest.id}: key list differs from its manifest")
    return {"checked": "decrypted", "items": len(items)}


async def _physical(
    engine: BackupEngine, manifest: Manifest, _: bytes | None, from_target: str | None
) -> dict[str, Any]:
    bindir = engine.settings.backup.pg_bindir
    await asyncio.to_thread(pitr.verify_base, engine.store, manifest.id, bindir, from_target)
    return {"checked": "scratch-restore", "scratch": "private postgresql cluster (destroyed)"}


# Backup kind -> verifier; kinds not listed get the integrity check (sha256, MAC, every chunk).
KIND_VERIFIERS: dict[str, Verifier] = {
    "database-base": _physical,
    "database-full": _database,
    "database-incremental": _database,
    "config": _config,
    "keys": _keys,
}


async def verify(
    engine: BackupEngine,
    backup_id: str,
    *,
    private: bytes | None,
    from_target: str | None,
    covered: bool = False,
) -> dict[str, Any]:
    """``covered``: a SQLite chain member whose descendant's scratch restore (verified in the
    same run) rebuilds through it, so its own object is only integrity-checked here."""
    manifest = engine.store.get(backup_id, from_target)
    verifier = KIND_VERIFIERS.get(manifest.kind)
    if covered and manifest.engine == "sqlite" and manifest.kind.startswith("database-"):
        await asyncio.to_thread(engine.store.verify_object, manifest.id, from_target)
        outcome: dict[str, Any] = {"checked": "integrity", "note": "restored via its chain"}
    elif verifier is None:
        await asyncio.to_thread(engine.store.verify_object, manifest.id, from_target)
        outcome = {"checked": "integrity"}
    else:
        outcome = await verifier(engine, manifest, private, from_target)
    tables = manifest.details.get("tables", {})
    return {
        "id": manifest.id,
        "kind": manifest.kind,
        "engine": manifest.engine,
        "ok": True,
        "tables": len(tables),
        "rows": _rows(manifest),
        **outcome,
    }
