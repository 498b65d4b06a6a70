"""Which backups a restore uses: ``--backup ID|latest`` and ``--to-time`` to a list of manifests.

Database restores use a chain (a full and the incrementals after it, oldest first); other kinds
a single backup. ``latest`` means the newest database backup that covers ``--to-time`` (or now).
"""

from __future__ import annotations

from datetime import datetime

from nsl.services.backup.errors import BackupNotFound, InvalidInput
from nsl.services.backup.manifest import Manifest
from nsl.services.backup.store import BackupStore

DATABASE_KINDS = ("database-full", "database-incremental")


def choose(
    store: BackupStore,
    backup: str,
    *,
    engine: str,
    to_time: datetime | None,
    from_target: str | None,
    kind: str | None = None,
) -> list[Manifest]:
    if backup != "latest":
        manifest = store.get(backup, from_target)
        if manifest.kind in DATABASE_KINDS:
            if to_time is not None and manifest.covers > to_time:
                raise InvalidInput.on("to_time", "covered", f"{backup} is newer than --to-time")
            return store.chain(backup, from_target)
        return [manifest]
    wanted = kind or "database"
    items = store.list(target=from_target)
    if wanted != "database":
        pool = [m for m in items if m.kind == wanted]
    else:
        pool = [m for m in items if m.kind in DATABASE_KINDS and m.engine == engine]
    if to_time is not None:
        pool = [m for m in pool if m.covers <= to_time]
    if not pool:
        when = f" covering {to_time.isoformat()}" if to_time else ""
        raise BackupNotFound(f"no {wanted} backup{when} in the targets")
    newest = max(pool, key=lambda m: (m.covers_until, m.created_at))
    if newest.kind in DATABASE_KINDS:
        return store.chain(newest.id, from_target)
    return [newest]
