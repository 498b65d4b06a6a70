"""Retention: which backups ``prune`` deletes.

Database chains (a ``database-full``/``database-base`` root and the incrementals or WAL whose
``parent`` chain leads to it) go as a whole, once their newest member is older than
``retention_days``; the newest root of each engine is always kept with its chain. ``keys``
backups use ``keys_retention_days``; every kind keeps its newest backup (chain members follow
their chain: an incremental whose full is gone is useless). Sweeping temporaries
of interrupted writes is done by the store.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from nsl.core.settings_backup import BackupSettings
from nsl.services.backup.manifest import Manifest

ROOT_KINDS = ("database-full", "database-base")


def select(manifests: list[Manifest], now: datetime, settings: BackupSettings) -> list[str]:
    """Ids to delete, given every manifest."""
    manifests = sorted(manifests, key=lambda m: (m.created_at, m.id))
    by_id = {m.id: m for m in manifests}
    roots: dict[str, str] = {}
    for manifest in manifests:
        roots[manifest.id] = _root(manifest, by_id)
    newest_root: dict[tuple[str | None, str], str] = {}
    newest_kind: dict[str, str] = {}
    for manifest in manifests:
        newest_kind[manifest.kind] = manifest.id
        if manifest.kind in ROOT_KINDS:
            newest_root[(manifest.engine, manifest.kind)] = manifest.id
    protected_roots = set(newest_root.values())
    chain_newest: dict[str, datetime] = {}
    for manifest in manifests:
        root = roots[manifest.id]
        if root not in chain_newest or manifest.created > chain_newest[root]:
            chain_newest[root] = manifest.created
    doomed: list[str] = []
    for manifest in manifests:
        root = roots[manifest.id]
        in_chain = root != manifest.id and root in by_id and by_id[root].kind in ROOT_KINDS
        if manifest.id in newest_kind.values() and not in_chain:  # chains keep their own
            continue
        days = settings.keys_retention_days if manifest.kind == "keys" else settings.retention_days
        cutoff = now - timedelta(days=days)
        root_manifest = by_id.get(root)
        if root_manifest is not None and root_manifest.kind in ROOT_KINDS:
            if root in protected_roots or chain_newest[root] >= cutoff:
                continue
        elif manifest.created >= cutoff:
            continue
        doomed.append(manifest.id)
    return doomed


def _root(manifest: Manifest, by_id: dict[str, Manifest]) -> str:
    current = manifest
    for _ in range(len(by_id) + 1):
        if current.parent is None or current.parent not in by_id:
            return current.id if current.parent is None else current.parent
        current = by_id[current.parent]
    return current.id
